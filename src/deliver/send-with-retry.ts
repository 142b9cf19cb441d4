import type { PostResult } from './http-post.js';
import { randomHex } from '../collect/random-id.js';
import { MAX_TIMER_MS } from './http-post.js';
import type { Attempt } from './transport.js';

export type SendOutcome = 'sent' | 'retry-later' | 'rejected';

export interface RetryOptions {
  /** Absolute time (Date.now()) after which no further attempt starts and the current one is cut. */
  readonly deadline: number;
  readonly signal?: AbortSignal;
  readonly ref?: boolean;
  /** Names the destination in debug lines and in the once-per-status rejection report. */
  readonly destination: string;
  readonly debug: (m: string) => void;
}

// 400, 401, 403, 404, 413, …: the payload or the credentials are wrong; sending it again as it is cannot help.
const isPermanent = (s: number) => s >= 400 && s < 500 && s !== 408 && s !== 429;

/** A collector that rejects every payload is reported once per status and destination, not once per payload. */
const reportedRejections = new Set<string>();

/**
 * The retry policy around one transport request: retries 429/5xx/network errors with exponential
 * backoff and jitter, honours Retry-After, all within the deadline. 'retry-later' means: keep it
 * for later (the offline store); 'rejected' with `status` says why (413: the caller may split it).
 */
export interface SendResult {
  readonly outcome: SendOutcome;
  readonly status?: number;
  /** The deadline (or the abort) ended it, not the collector. */
  readonly cut?: boolean;
}

export async function sendWithRetry(attempt: (a: Attempt) => Promise<PostResult>, o: RetryOptions): Promise<SendResult> {
  let backoff = 250;
  for (;;) {
    const left = o.deadline - Date.now();
    if (left <= 0 || o.signal?.aborted) return { outcome: 'retry-later', cut: true };
    const r: PostResult = await attempt({ timeoutMs: left, signal: o.signal, ref: o.ref });
    if (r.status !== undefined && r.status >= 200 && r.status < 300) return { outcome: 'sent', status: r.status };
    if (r.status !== undefined && isPermanent(r.status)) {
      const key = `${r.status} ${o.destination}`;
      if (!reportedRejections.has(key)) {
        reportedRejections.add(key);
        o.debug(`collector answered ${r.status} for ${o.destination}; the payload cannot succeed if sent again as it is`);
      }
      return { outcome: 'rejected', status: r.status };
    }
    if (r.error === 'ECONNREFUSED' || r.error === 'ENOTFOUND' || r.error === 'aborted' || r.error === 'timeout') {
      o.debug(`cannot reach ${o.destination} (${r.error})`);
      return { outcome: 'retry-later', cut: r.error === 'aborted' || r.error === 'timeout' }; // no point burning the flush budget on a collector that is down
    }
    const wait = retryWait(backoff, r.retryAfterMs, jitter());
    backoff = Math.min(backoff * 2, 5_000);
    if (Date.now() + wait >= o.deadline) {
      o.debug(`collector answered ${r.status ?? r.error}; retry does not fit the time budget, queueing`);
      return { outcome: 'retry-later' };
    }
    await sleep(wait, o.ref, o.signal);
  }
}

/**
 * The wait before the next attempt: the backoff with ±50 % jitter (`random` in [0, 1)). Retry-After
 * is a lower bound: `Retry-After: 0` must not turn into a tight loop against a struggling collector.
 */
export function retryWait(backoffMs: number, retryAfterMs: number | undefined, random: number): number {
  const jittered = backoffMs * (0.5 + random);
  return retryAfterMs !== undefined ? Math.max(retryAfterMs, jittered) : jittered;
}

/** In [0, 1), from the system CSPRNG (random-id.ts): the app's Math.random sequence (a seeded training run) is never consumed. */
function jitter(): number {
  return parseInt(randomHex(8), 16) / 2 ** 32;
}

function sleep(ms: number, ref: boolean | undefined, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => { clearTimeout(t); resolve(); };
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, Math.min(ms, MAX_TIMER_MS));
    if (!ref) t.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
