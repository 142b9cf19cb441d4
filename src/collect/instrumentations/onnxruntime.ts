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
// - `run` → `inference(seconds, attributes, error?)` for every call (the facade samples
//   spans). Hot path (`timedWrapper`): two clock reads, one WeakMap lookup, one `inference`,
//   and no closure allocated per call beyond the two reactions of the chained promise.
// Errors are passed to `inference`/recorded on the span and rethrown unchanged (same object).

import type { Attributes } from '../signals.js';
import type { AnyFunction, Instrumentation, Telemetry } from './types.js';
import { now, observeCall, timedWrapper, type TimedSettled } from './wrap-util.js';

const FRAMEWORK = 'onnxruntime';

/** Attributes of `run` for sessions created without a model name (or before we were loaded). */
const DEFAULT_RUN_ATTRIBUTES: Attributes = Object.freeze({ 'ml.framework': FRAMEWORK, 'ml.operation': 'run' }) as Attributes;

function sessionClass(exports: Record<string, unknown>): (Function & { prototype: Record<string, unknown> }) | undefined {
  const C = exports['InferenceSession'];
  if (typeof C !== 'function') return undefined;
  const proto = (C as { prototype?: unknown }).prototype;
  return proto && typeof proto === 'object' ? (C as Function & { prototype: Record<string, unknown> }) : undefined;
}

function patches(exports: Record<string, unknown>, t: Telemetry) {
  const C = sessionClass(exports);
  if (!C) return 'InferenceSession not found in the exports';
  /** Per-session `run` attributes, computed once in `create`. */
  const sessionAttributes = new WeakMap<object, Attributes>();

  /**
   * Once per `run`, after it settled (made once, not per call): the end timestamp, one WeakMap
   * lookup, one `inference` (the facade's hot-path call: no closure per call).
   */
  const ran: TimedSettled = (session, t0, error, failed) => {
    const seconds = (now() - t0) / 1000;
    const attributes = (session !== null && typeof session === 'object' && sessionAttributes.get(session)) || DEFAULT_RUN_ATTRIBUTES;
    t.inference(seconds, attributes, failed ? error : undefined, t0);
  };
  const run = (original: AnyFunction): AnyFunction => timedWrapper(original, ran);

  const create = (original: AnyFunction): AnyFunction =>
    function create(this: unknown, source?: unknown) {
      const modelName = t.modelName(source);
      const span = t.startSpan('ml.model.load', { 'ml.framework': FRAMEWORK, 'ml.operation': 'create', 'ml.model.name': modelName });
      return observeCall(original, this, arguments, (error, failed, session) => {
        if (!failed && modelName !== undefined && session !== null && typeof session === 'object') {
          sessionAttributes.set(session, Object.freeze({ 'ml.framework': FRAMEWORK, 'ml.operation': 'run', 'ml.model.name': modelName }) as Attributes);
        }
        t.endSpan(span, error, failed);
      });
    };

  return [
    { label: 'InferenceSession.create', target: C, method: 'create', wrapper: create },
    { label: 'InferenceSession.prototype.run', target: C.prototype, method: 'run', wrapper: run },
  ];
}

export const onnxruntimeInstrumentation: Instrumentation = {
  id: 'onnxruntime',
  modules: [
    { package: 'onnxruntime-common', versions: '>=1.14.0 <2', format: 'cjs' },
    { package: 'onnxruntime-node', versions: '>=1.14.0 <2', format: 'cjs' },
  ],
  patches,
};
