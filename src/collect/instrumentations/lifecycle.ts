// The one owner of every instrumentation's lifecycle (what opentelemetry-js-contrib's
// InstrumentationBase does for its packages): when a watched module loads, pick the
// instrumentations that declare it, enforce their declared versions (one "not patched" debug line
// otherwise), build the patch table and apply it once per exports object, and undo it on request.
// Library files only say what to patch and what to record; none of this is repeated there.

import type { Attributes, Signals, SpanHandle } from '../signals.js';
import type { Instrumentation, Telemetry } from './types.js';
import { safely, satisfies, unwrapMethod, wrapMethod } from './wrap-util.js';

/** A never-throwing view of the facade returned by `get` (read at call time: the pipeline may load later). */
export function createTelemetry(get: () => Signals | undefined): Telemetry {
  const signals = (): Signals | undefined => {
    try {
      return get();
    } catch {
      return undefined;
    }
  };
  return {
    signals,
    startSpan: (name: string, attributes?: Attributes, parent?: SpanHandle) =>
      safely(() => signals()?.startSpan(name, attributes, parent)),
    endSpan(span, error, failed) {
      if (!span) return;
      if (failed) safely(() => span.recordError(error)); // recordError also counts it in ml.errors
      safely(() => span.end());
    },
    // Hot paths (every batch, token or inference call): a plain try/catch, no closure per call.
    record(metric, value, attributes) {
      try { signals()?.record(metric, value, attributes); } catch { /* never into the app */ }
    },
    inference(seconds, attributes, error, startTimeMs) {
      try { signals()?.inference(seconds, attributes, error, startTimeMs); } catch { /* never into the app */ }
    },
    modelName: (idOrPath) =>
      typeof idOrPath === 'string' && idOrPath !== '' ? safely(() => signals()?.modelName(idOrPath)) : undefined,
    debug: (message) => void safely(() => signals()?.debug(message)),
    onCollect: (collect) => void safely(() => signals()?.onCollect(() => void safely(collect))),
  };
}

const NO_TELEMETRY = createTelemetry(() => undefined);

export interface PatchResult {
  /** Labels of the patches applied (or found already applied). */
  readonly patched: string[];
  /** Labels of required patches that could not be applied. */
  readonly skipped: string[];
}

/** Applies `inst`'s patch table to one module's exports. A string says why nothing was patched. Never throws. */
export function patchModule<S>(inst: Instrumentation<S>, exports: unknown, telemetry: Telemetry, state: S): PatchResult | string {
  if (exports === null || (typeof exports !== 'object' && typeof exports !== 'function')) return 'unexpected module exports';
  try {
    const table = inst.patches(exports as Record<string, unknown>, telemetry, state);
    if (typeof table === 'string') return table;
    const patched: string[] = [];
    const skipped: string[] = [];
    for (const p of table) {
      if (p.target !== undefined && wrapMethod(p.target, p.method, p.wrapper)) patched.push(p.label);
      else if (!p.optional) skipped.push(p.label);
    }
    return { patched, skipped };
  } catch (error) {
    return `instrumentation failed: ${String((error as Error)?.message ?? error)}`;
  }
}

/** Puts back every method `inst` patched on these exports. Never throws. */
export function unpatchModule<S>(inst: Instrumentation<S>, exports: unknown): void {
  if (exports === null || (typeof exports !== 'object' && typeof exports !== 'function')) return;
  safely(() => {
    const table = inst.patches(exports as Record<string, unknown>, NO_TELEMETRY, inst.createState?.() as S);
    if (typeof table !== 'string') for (const p of table) if (p.target !== undefined) unwrapMethod(p.target, p.method);
  });
}

/**
 * The instrumentations of one agent. `moduleLoaded` is what the start-up hook calls with a watched
 * package's exports; everything an instrumentation needs (the facade) is held here, per instance.
 */
export class InstrumentationHost {
  private readonly telemetry = new Map<Instrumentation, Telemetry>();
  private readonly state = new Map<Instrumentation, unknown>();
  /** Exports objects already handled, per instrumentation (a module may be reported more than once). */
  private readonly seen = new Map<Instrumentation, WeakSet<object>>();

  constructor(
    private readonly instrumentations: readonly Instrumentation<any>[],
    signals: () => Signals | undefined,
  ) {
    const telemetry = createTelemetry(signals);
    for (const inst of instrumentations) {
      this.telemetry.set(inst, telemetry);
      this.seen.set(inst, new WeakSet());
      this.state.set(inst, safely(() => inst.createState?.()));
    }
  }

  /** Patches `exports` of `pkg` (at `version`, when known) with every instrumentation declaring it. Never throws. */
  moduleLoaded(pkg: string, exports: unknown, version: string | undefined): void {
    const isObject = exports !== null && (typeof exports === 'object' || typeof exports === 'function');
    for (const inst of this.instrumentations) {
      // A package may be declared once per format (ESM and CJS builds): the first match decides.
      const spec = inst.modules.find((m) => m.package === pkg);
      if (!spec) continue;
      if (isObject) {
        const seen = this.seen.get(inst)!;
        if (seen.has(exports as object)) continue;
        seen.add(exports as object);
      }
      const t = this.telemetry.get(inst)!;
      if (version === undefined || !satisfies(version, spec.versions)) {
        t.debug(`not patched: ${pkg} version ${version ?? 'unknown'} (${inst.id} supports ${spec.versions})`);
        continue;
      }
      const result = patchModule(inst, exports, t, this.state.get(inst));
      if (typeof result === 'string') t.debug(`not patched: ${pkg}@${version}: ${result}`);
      else if (result.patched.length === 0) t.debug(`not patched: ${pkg}@${version}: none of ${result.skipped.join(', ')} could be patched`);
      else {
        t.debug(`instrumented ${pkg}@${version} (${inst.id})`);
        if (result.skipped.length > 0) t.debug(`${inst.id}: not patched: ${result.skipped.join(', ')}`);
      }
    }
  }

  /** Restores what was patched on `exports` and forgets them (they may be patched again). */
  unpatch(exports: unknown): void {
    for (const inst of this.instrumentations) {
      unpatchModule(inst, exports);
      if (exports !== null && (typeof exports === 'object' || typeof exports === 'function')) this.seen.get(inst)!.delete(exports as object);
    }
  }
}
