// The flush bound (TELEMETRY_AGENT_FLUSH_TIMEOUT_MS): how the pipeline's flushes and the short-run
// exit wait for their exports, and what they say when the bound cut one.
import { MAX_TIMER_MS } from './http-post.js';

/**
 * Waits for `work`, at most `timeoutMs`. Resolves true when the bound came first (after `onBound`
 * ran), false when `work` settled first; rejects as `work` does. `keepAlive: false`: the timer does
 * not hold the process open (a flush nobody waits for).
 */
export async function waitWithin(work: Promise<unknown>, timeoutMs: number, o: { onBound?: () => void; keepAlive?: boolean } = {}): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  let reached = false;
  const bound = new Promise<void>((r) => {
    timer = setTimeout(() => { reached = true; o.onBound?.(); r(); }, Math.min(timeoutMs, MAX_TIMER_MS));
  });
  if (o.keepAlive === false) timer?.unref();
  try {
    await Promise.race([bound, work]);
  } finally {
    clearTimeout(timer);
  }
  return reached;
}

/** The debug line of an exit flush the bound cut (the decision tests look for it). */
export function exitCutLine(timeoutMs: number): string {
  return `exit flush cut at its ${timeoutMs} ms bound (TELEMETRY_AGENT_FLUSH_TIMEOUT_MS); what was not delivered is queued`;
}
