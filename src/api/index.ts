// telemetry-agent/api: for tools that embed the agent and for custom training loops.
// Every function is a cheap no-op while telemetry is off: nothing heavy loads until it is on.
import { boot } from '../boot.js';
import type { StartOptions } from '../decide/decision.js';
import { startTrainingRun } from '../collect/training-run.js';
import { getState } from '../state.js';

export type { StartOptions } from '../decide/decision.js';

export interface StartResult {
  /** Telemetry is sent from this process. */
  readonly enabled: boolean;
  /** Which rule decided, in plain words (as `telemetry-agent status` prints it). */
  readonly reason: string;
}

/** Starts the agent for an embedding tool. Safe to call more than once and alongside the preload. */
export function start(options: StartOptions = {}): StartResult {
  const state = boot(options);
  if (!state) return { enabled: false, reason: 'unsupported Node.js version or internal error' };
  const { decision } = state;
  if (!decision.role.main) return { enabled: false, reason: `not the main process (${decision.role.reason})` };
  if (decision.active) state.agent();
  return { enabled: decision.send, reason: decision.consent.reason };
}

/** Flushes within the flush bound and stops the agent. Never rejects. */
export async function shutdown(): Promise<void> {
  try {
    await getState()?.agent()?.shutdown();
  } catch { /* never into the app */ }
}

export interface ProgressOptions {
  /** Total steps or epochs, when known (progress is reported only then). */
  readonly total?: number;
  readonly unit?: 'step' | 'epoch';
  /** A name for the run; redacted before it leaves the process. */
  readonly name?: string;
}

export interface ProgressRun {
  update(done: number, values?: { loss?: number }): void;
  end(): void;
  fail(error: unknown): void;
}

const NOOP_RUN: ProgressRun = { update() {}, end() {}, fail() {} };

/** A training run of a custom loop: the `ml.train` span and `ml.training.*` metrics with ml.framework=custom. */
export function progress(options: ProgressOptions = {}): ProgressRun {
  const signals = getState()?.agent()?.signals;
  if (!signals) return NOOP_RUN;
  try {
    const unit = options.unit ?? 'step';
    const run = startTrainingRun(signals, {
      framework: 'custom',
      unit,
      name: options.name,
      stepsTotal: unit === 'step' ? options.total : undefined,
      epochsTotal: unit === 'epoch' ? options.total : undefined,
    });
    // update() is a hot path (a tight loop of cheap steps): it keeps two numbers, nothing else.
    return {
      update: (done, values) => { try { run.update(done, values?.loss); } catch { /* never into the app */ } },
      end: () => { try { run.end(); } catch { /* never into the app */ } },
      fail: (error) => { try { run.fail(error); } catch { /* never into the app */ } },
    };
  } catch {
    return NOOP_RUN;
  }
}

const USAGE_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * A usage event from an embedding tool, visible as a `usage` span. Keys must be simple
 * identifiers that redaction leaves unchanged; values are strings, numbers or booleans, each
 * redacted before they are packed into `usage.attributes`; anything else is dropped.
 */
export function recordUsage(name: string, attributes: Record<string, string | number | boolean> = {}): void {
  const agent = getState()?.agent();
  if (!agent) return;
  try {
    const redact = agent.redact;
    const kept: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(attributes).slice(0, 32)) {
      if (!USAGE_KEY.test(k) || redact(k) !== k) continue;
      if (typeof v === 'string') kept[k] = redact(v);
      else if (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) kept[k] = v;
    }
    const span = agent.signals.startSpan('usage', { 'usage.name': redact(String(name)).slice(0, 128), 'usage.attributes': JSON.stringify(kept) });
    span.end();
  } catch { /* never into the app */ }
}

/**
 * Wraps a function so that errors it throws (or rejects with) are counted in `ml.errors` by type,
 * then rethrown unchanged. Works for sync and async functions.
 */
export function withErrorTelemetry<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const count = (error: unknown) => {
    try { getState()?.agent()?.signals.countError(error); } catch { /* never into the app */ }
  };
  const wrapped = function (this: unknown, ...args: A): R {
    let result: R;
    try {
      result = fn.apply(this, args);
    } catch (error) {
      count(error);
      throw error;
    }
    if (result && typeof (result as { then?: unknown }).then === 'function') {
      // A derived promise that rejects the same way: an ignored rejection stays unhandled, as without us.
      return (result as unknown as Promise<unknown>).then(undefined, (error: unknown) => {
        count(error);
        throw error;
      }) as R;
    }
    return result;
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  return wrapped;
}
