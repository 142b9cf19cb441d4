// telemetry-agent/api: for tools that embed the agent and for custom training loops.
// Every function is a cheap no-op while telemetry is off: nothing heavy loads until it is on.
import { boot } from '../boot.js';
import { activation } from '../boot-active.js';
import { startTrainingRun } from '../collect/training-run.js';
import { productConsent, type ProductStatus } from '../decide/consent-control.js';
import { isProductName, productOf } from '../decide/paths.js';
import { errorType } from '../protect/error-attributes.js';
import { getState } from '../state.js';
import { validateDescription, type TelemetryDescription } from './description.js';
import { checkUsage, type DropReason } from './usage-events.js';

export type { StartOptions } from '../decide/decision.js';
export type { ProductStatus } from '../decide/consent-control.js';
export type { TelemetryDescription, UsageEvent, UsageAttribute, StringAttribute, NumberAttribute, BooleanAttribute } from './description.js';
export { validateDescription } from './description.js';

export interface StartResult {
  /** Telemetry is sent from this process. */
  readonly enabled: boolean;
  /** Which rule decided, in plain words (as `telemetry-agent status` prints it). */
  readonly reason: string;
}

/**
 * Starts the agent for an embedding tool with its telemetry description (docs/for-maintainers.md). An invalid description is explained in one stderr line and keeps telemetry
 * off for the run. Safe to call more than once and alongside the preload.
 */
export function start(description: TelemetryDescription = {}): StartResult {
  const errors = validateDescription(description);
  if (errors.length > 0) {
    try { process.stderr.write(`telemetry-agent: start(): the telemetry description is invalid: ${errors.join('; ')}. Telemetry is off for this run; \`telemetry-agent docs <description.json>\` checks a description.\n`); } catch { /* closed stderr */ }
    return { enabled: false, reason: `invalid telemetry description (${errors.length} problem${errors.length === 1 ? '' : 's'})` };
  }
  const state = boot(description, () => activation);
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

function countDrops(dropped: ReadonlyMap<DropReason, number>): void {
  const agent = getState()?.agent();
  if (!agent || dropped.size === 0) return;
  for (const [reason, n] of dropped) agent.signals.record('telemetry_agent.usage.dropped', n, { 'usage.dropped.reason': reason });
  agent.signals.debug(`recordUsage dropped ${[...dropped].map(([r, n]) => `${n} × ${r}`).join(', ')} (only what the description declares is sent)`);
}

/**
 * A usage event declared in the description given to start(): a `usage` span with `usage.name`
 * and each declared attribute as a real attribute `usage.<name>`. Undeclared events, undeclared
 * attributes and values outside the declared type or set are dropped and counted in
 * `telemetry_agent.usage.dropped` by reason.
 */
export function recordUsage(event: string, attributes: Record<string, string | number | boolean> = {}): void {
  const state = getState();
  const agent = state?.agent();
  if (!state || !agent) return;
  try {
    const { attributes: kept, dropped } = checkUsage(state.options as TelemetryDescription, event, attributes);
    countDrops(dropped);
    if (kept) agent.signals.startSpan('usage', kept).end();
  } catch { /* never into the app */ }
}

/**
 * Runs one CLI command (sync or async) and records it as a `usage` span (`usage.name` =
 * `command`, `usage.command` = its name): its duration, and on failure status ERROR with the
 * error's type only (never its message). The name must be listed in the description's
 * `commands`. Returns what `fn` returns and throws what it throws, unchanged.
 */
export function recordCommand<R>(name: string, fn: () => R): R {
  const state = getState();
  const agent = state?.agent();
  let span: ReturnType<NonNullable<typeof agent>['signals']['startSpan']> | undefined;
  try {
    if (state && agent) {
      if (((state.options as TelemetryDescription).commands ?? []).includes(name)) span = agent.signals.startSpan('usage', { 'usage.name': 'command', 'usage.command': name });
      else countDrops(new Map([['undeclared_command', 1]]));
    }
  } catch { /* never into the app */ }
  if (!span) return fn();
  const finish = (error?: unknown) => {
    try {
      if (error !== undefined) {
        // Only the type: a tool's error messages may carry its user's data.
        const typeOnly = new Error('');
        typeOnly.name = errorType(error);
        typeOnly.stack = undefined;
        span!.setAttributes({ 'error.type': typeOnly.name });
        span!.recordError(typeOnly);
      }
      span!.end();
    } catch { /* never into the app */ }
  };
  let result: R;
  try {
    // Usage events recorded while the command runs become its children.
    result = agent!.signals.withSpan(span, fn);
  } catch (error) {
    finish(error);
    throw error;
  }
  if (result && typeof (result as { then?: unknown }).then === 'function') {
    return (result as unknown as Promise<unknown>).then((v) => { finish(); return v; }, (error: unknown) => { finish(error); throw error; }) as R;
  }
  finish();
  return result;
}

/** A product's consent, for a tool's own `mytool telemetry status|enable|disable|reset|id` commands. */
export interface Consent {
  readonly product: string;
  /** Whether telemetry is on for this product, and the deciding rule in words (as `telemetry-agent status` prints it). */
  status(): ProductStatus;
  /** Saves "on" for this product only; `message` says when something else still keeps it off, and why. */
  enable(): { readonly effective: boolean; readonly reason: string; readonly message: string };
  /** Saves "off" for this product only and deletes its queued data; `message` says how many payloads. */
  disable(): { readonly deleted: number; readonly message: string };
  /** Forgets consent, the install ID and the salt, and deletes queued data. */
  reset(): { readonly deleted: number; readonly message: string };
  /** The install ID to quote in a deletion request; undefined before anything was sent (none is created). */
  id(): string | undefined;
}

/**
 * The consent of one product: the product name (its description is taken from start() when
 * that was called in this process), or the description itself. Works while telemetry is off.
 */
export function consent(productOrDescription: string | TelemetryDescription): Consent {
  const given = typeof productOrDescription === 'string' ? undefined : productOrDescription;
  const product = typeof productOrDescription === 'string' ? productOrDescription : productOf(productOrDescription);
  if (!isProductName(product)) return invalidProduct(product);
  const started = getState()?.options as TelemetryDescription | undefined;
  const profile = given ?? (started && productOf(started) === product ? started : {});
  return productConsent(product, profile);
}

/** A product name that cannot be a directory: every method says so, none throws or touches a file. */
function invalidProduct(product: string): Consent {
  const reason = `${JSON.stringify(product)} is not a product name (lower-case letters, digits, ".", "_" or "-"); nothing was changed`;
  return {
    product,
    status: () => ({ product, enabled: false, rule: 0, reason, optOutEnv: [], enableEnv: [], endpoint: '', resourceAttributesIgnored: false, installId: null, installIdFile: '', configDir: '', queueDir: '', problems: [reason] }),
    enable: () => ({ effective: false, reason, message: reason }),
    disable: () => ({ deleted: 0, message: reason }),
    reset: () => ({ deleted: 0, message: reason }),
    id: () => undefined,
  };
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
