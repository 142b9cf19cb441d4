// ONNX Runtime for Node.js (`onnxruntime-node` 1.x).
//
// Where the code really lives (checked in node_modules, 1.30): `onnxruntime-node/dist/index.js`
// re-exports everything of `onnxruntime-common` with `__exportStar` (getter properties) and only
// registers its native backend. The `InferenceSession` class is defined in
// `onnxruntime-common/dist/cjs/inference-session-impl.js`: `static async create(...)` returns
// `new InferenceSession(handler)` of that same class, and `async run(feeds, fetches?, options?)`
// is on `InferenceSession.prototype` (it validates arguments, then calls `this.handler.run`).
// So the class object itself is patched (static `create`, `prototype.run`), never the module's
// re-exported bindings; every way of reaching the class (onnxruntime-node, onnxruntime-common,
// Transformers.js' `ONNX.InferenceSession`) sees the patch.
//
// onnxruntime-common is a dual package: `import` gets dist/esm (a second, separate class),
// `require` gets dist/cjs. onnxruntime-node (CJS) always requires the CJS build, and the ESM copy
// has no backend registered, so sessions only ever come from the CJS class: both module entries
// below are CommonJS.
//
// - `create` → `ml.model.load` span (`ml.framework=onnxruntime`, `ml.operation=create`,
//   `ml.model.name` from `signals.modelName(path)` when the model is given by path; buffers carry
//   no name). The attributes later used by the session's `run` are computed once here.
// - `run` → `signals.inference(seconds, attributes, error?)` for every call (the facade samples
//   spans). Hot path: two `performance.now()`, one WeakMap lookup, one `signals.inference`.
// Errors are passed to `inference`/recorded on the span and rethrown unchanged (same object).

import type { Attributes, Signals } from '../signals.js';
import type { Instrumentation } from './types.js';
import {
  debug,
  finishSpan,
  getSignals,
  safeModelName,
  safeStartSpan,
  satisfies,
  unwrapMethod,
  wrapMethod,
} from './wrap-util.js';

const VERSIONS = '>=1.14.0 <2';
const FRAMEWORK = 'onnxruntime';

type Fn = (this: unknown, ...args: any[]) => any;

let currentSignals: (() => Signals) | undefined;

/** Attributes of `run` for sessions created without a model name (or before we were loaded). */
const DEFAULT_RUN_ATTRIBUTES: Attributes = Object.freeze({ 'ml.framework': FRAMEWORK, 'ml.operation': 'run' }) as Attributes;
/** Per-session `run` attributes, computed once in `create`. */
const sessionAttributes = new WeakMap<object, Attributes>();

function recordRun(session: unknown, t0: number, error?: unknown): void {
  const seconds = (performance.now() - t0) / 1000;
  try {
    const s = currentSignals?.();
    if (!s) return;
    const attributes =
      (session !== null && typeof session === 'object' && sessionAttributes.get(session)) || DEFAULT_RUN_ATTRIBUTES;
    s.inference(seconds, attributes, error, t0);
  } catch {
    // never into the app
  }
}

function runWrapper(original: Fn): Fn {
  return function run(this: unknown) {
    const t0 = performance.now();
    let result: unknown;
    try {
      result = original.apply(this, arguments as unknown as unknown[]);
    } catch (error) {
      recordRun(this, t0, error);
      throw error;
    }
    if (!(result instanceof Promise)) {
      recordRun(this, t0);
      return result;
    }
    const session = this;
    return result.then(
      (value) => {
        recordRun(session, t0);
        return value;
      },
      (error: unknown) => {
        recordRun(session, t0, error);
        throw error;
      },
    );
  };
}

function createWrapper(original: Fn): Fn {
  return function create(this: unknown, source?: unknown) {
    const s = getSignals(currentSignals);
    const modelName = safeModelName(s, source);
    const span = safeStartSpan(s, 'ml.model.load', {
      'ml.framework': FRAMEWORK,
      'ml.operation': 'create',
      'ml.model.name': modelName,
    });
    let result: unknown;
    try {
      result = original.apply(this, arguments as unknown as unknown[]);
    } catch (error) {
      finishSpan(span, error, true);
      throw error;
    }
    const remember = (session: unknown): void => {
      try {
        if (modelName !== undefined && session !== null && typeof session === 'object') {
          sessionAttributes.set(
            session,
            Object.freeze({ 'ml.framework': FRAMEWORK, 'ml.operation': 'run', 'ml.model.name': modelName }) as Attributes,
          );
        }
      } catch {
        // ignore
      }
    };
    if (!(result instanceof Promise)) {
      remember(result);
      finishSpan(span, undefined, false);
      return result;
    }
    return result.then(
      (session) => {
        remember(session);
        finishSpan(span, undefined, false);
        return session;
      },
      (error: unknown) => {
        finishSpan(span, error, true);
        throw error;
      },
    );
  };
}

function sessionClass(moduleExports: unknown): (Function & { prototype: Record<string, unknown> }) | undefined {
  try {
    if (moduleExports === null || typeof moduleExports !== 'object') return undefined;
    const C = (moduleExports as Record<string, unknown>)['InferenceSession'];
    if (typeof C !== 'function') return undefined;
    const proto = (C as { prototype?: unknown }).prototype;
    if (!proto || typeof proto !== 'object') return undefined;
    if (typeof (C as unknown as Record<string, unknown>)['create'] !== 'function') return undefined;
    if (typeof (proto as Record<string, unknown>)['run'] !== 'function') return undefined;
    return C as Function & { prototype: Record<string, unknown> };
  } catch {
    return undefined;
  }
}

function wrap(moduleExports: unknown, signals: () => Signals, packageVersion: string): void {
  try {
    if (!satisfies(packageVersion, VERSIONS)) {
      debug(signals, `onnxruntime: version ${String(packageVersion)} is not in ${VERSIONS}; not instrumented`);
      return;
    }
    const C = sessionClass(moduleExports);
    if (!C) {
      debug(signals, 'onnxruntime: InferenceSession (create, prototype.run) not found in the exports; not instrumented');
      return;
    }
    currentSignals = signals;
    const skipped: string[] = [];
    if (!wrapMethod(C, 'create', createWrapper)) skipped.push('InferenceSession.create');
    if (!wrapMethod(C.prototype, 'run', runWrapper)) skipped.push('InferenceSession.prototype.run');
    if (skipped.length > 0) debug(signals, `onnxruntime: not patched: ${skipped.join(', ')}`);
  } catch (error) {
    debug(signals, `onnxruntime: instrumentation failed: ${String((error as Error)?.message ?? error)}`);
  }
}

function unwrap(moduleExports: unknown): void {
  try {
    const C = sessionClass(moduleExports);
    if (!C) return;
    unwrapMethod(C, 'create');
    unwrapMethod(C.prototype, 'run');
  } catch {
    // ignore
  }
}

export const onnxruntimeInstrumentation: Instrumentation = {
  id: 'onnxruntime',
  modules: [
    { package: 'onnxruntime-common', versions: VERSIONS, format: 'cjs' },
    { package: 'onnxruntime-node', versions: VERSIONS, format: 'cjs' },
  ],
  wrap,
  unwrap,
};
