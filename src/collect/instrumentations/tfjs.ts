// TensorFlow.js (`@tensorflow/tfjs` 4.x, pure JS).
//
// Where the code really lives (checked in node_modules, 4.22):
// - `@tensorflow/tfjs` (dist/tf.node.js) only re-exports: for every key of tfjs-core/-layers/
//   -converter/... it defines a getter-only, non-configurable property that reads the inner
//   module's export live. Those properties cannot be patched, so we patch the inner modules.
// - `@tensorflow/tfjs-layers` (dist/tf-layers.node.js, CJS) defines `LayersModel`, `Callback`,
//   `CustomCallback` and `loadLayersModel`; exports are plain `exports.x = x` assignments, i.e.
//   writable/configurable data properties: `loadLayersModel` IS patchable there, and the
//   umbrella's getter then returns the wrapper (also to ESM apps: Node snapshots the umbrella's
//   named exports after it finished evaluating, i.e. after the inner require was patched).
//   `Sequential.prototype.fit/fitDataset/predict` delegate to an inner `LayersModel`
//   (`this.model.fit(...)`), so patching `LayersModel.prototype` alone covers both without
//   double counting.
// - `@tensorflow/tfjs-converter` (dist/tf-converter.node.js, CJS) defines `GraphModel`,
//   `loadGraphModel` and `loadGraphModelSync`, also plain assignments (patchable).
//   `GraphModel.prototype.predict` calls `this.execute` (nested calls are recorded once) and
//   `predictAsync` calls `executeAsync` (recorded as `executeAsync`; predictAsync is not patched).
//
// Training: `fit`/`fitDataset` start an `ml.train` run (see ../training-run.ts) and inject ONE
// callback object, appended after the user's callbacks, into the call's own `callbacks` option.
// The global `registerCallbackConstructor` registry is not used (registering twice throws and
// it depends on `verbose`). To keep the user's callbacks exactly as tfjs would build them, the
// option is standardised the way tfjs' own `standardizeCallbacks` does it (undefined → one
// `CustomCallback({})`, which also provides tfjs' default yielding to the event loop; config
// objects → `CustomCallback(config, yieldEvery)`; `BaseCallback` instances as they are), and our
// callback (an instance of tfjs' BaseCallback, so tfjs uses the list as it is) goes last. Totals
// come from `setParams` ({ epochs, samples, steps, batchSize }). Log values may be `tf.Scalar`s:
// epoch loss is read with `dataSync()` on the existing scalar (no new tensor); batch loss is only
// recorded when it already is a number. `ml.tfjs.memory.*` are read from the tfjs-core engine
// (`globalThis._tfengine.memory()`) at the end of each epoch and of training.
//
// Inference: `LayersModel.prototype.predict`, `GraphModel.prototype.predict/execute/executeAsync`
// → `signals.inference(seconds, { ml.framework: tfjs, ml.operation })` for every call.
// Loading: `loadLayersModel`, `loadGraphModel`, `loadGraphModelSync` → `ml.model.load` span with
// `ml.model.name` (only from a string URL/path, through `signals.modelName`, never the path).

import type { Attributes } from '../signals.js';
import { startTrainingRun, type TrainingRun } from '../training-run.js';
import type { AnyFunction, Instrumentation, Patch, Telemetry } from './types.js';
import { observeCall, observeCallInSpan, observeCallWithin, safely } from './wrap-util.js';

const FRAMEWORK = 'tfjs';
const METRIC_ATTRIBUTES: Attributes = Object.freeze({ 'ml.framework': FRAMEWORK }) as Attributes;

type Ctor = Function & { prototype: any };

// ---------------------------------------------------------------------------------------------
// Training

interface CallbackClasses {
  /** tfjs-layers' BaseCallback (not exported; the parent class of the exported `Callback`). */
  BaseCallback: Ctor;
  CustomCallback: new (args: unknown, yieldEvery?: unknown) => unknown;
}

function callbackClasses(layers: Record<string, unknown>): CallbackClasses | undefined {
  const Callback = layers['Callback'] as Ctor | undefined;
  const CustomCallback = layers['CustomCallback'] as CallbackClasses['CustomCallback'] | undefined;
  if (typeof Callback !== 'function' || typeof CustomCallback !== 'function') return undefined;
  const baseProto = Object.getPrototypeOf(Callback.prototype);
  const BaseCallback = baseProto?.constructor as Ctor | undefined;
  if (typeof BaseCallback !== 'function' || BaseCallback === Object) return undefined;
  if (!(CustomCallback.prototype instanceof BaseCallback)) return undefined;
  return { BaseCallback, CustomCallback };
}

/** Reads a number from a log value without creating tensors. */
function logNumber(value: unknown, allowTensor: boolean): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (!allowTensor || value === null || typeof value !== 'object') return undefined;
  try {
    const t = value as { isDisposed?: boolean; size?: number; dataSync?: () => ArrayLike<number> };
    if (t.isDisposed || t.size !== 1 || typeof t.dataSync !== 'function') return undefined;
    const n = Number(t.dataSync()[0]);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

function recordMemory(t: Telemetry): void {
  try {
    const engine = (globalThis as { _tfengine?: { memory?: () => { numBytes?: unknown; numTensors?: unknown } } })._tfengine;
    if (!engine || typeof engine.memory !== 'function') return;
    const m = engine.memory();
    if (typeof m?.numBytes === 'number') t.record('ml.tfjs.memory.bytes', m.numBytes, METRIC_ATTRIBUTES);
    if (typeof m?.numTensors === 'number') t.record('ml.tfjs.memory.tensors', m.numTensors, METRIC_ATTRIBUTES);
  } catch {
    // ignore
  }
}

/** Our callback: an object whose prototype is tfjs' BaseCallback.prototype, so `instanceof` holds. */
function makeCallback(run: TrainingRun, classes: CallbackClasses, t: Telemetry): object {
  const guard = (fn: () => void): Promise<void> => {
    try {
      fn();
    } catch {
      // never into the training loop
    }
    return Promise.resolve();
  };
  const cb = Object.create(classes.BaseCallback.prototype) as Record<string, unknown>;
  cb['validationData'] = null;
  cb['setParams'] = function (this: Record<string, unknown>, params: Record<string, unknown> | undefined) {
    this['params'] = params;
    try {
      const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
      const batchSize = num(params?.['batchSize']);
      const samples = num(params?.['samples']);
      const steps = num(params?.['steps']) ?? (samples !== undefined && batchSize !== undefined ? Math.ceil(samples / batchSize) : undefined);
      run.setTotals({ epochsTotal: num(params?.['epochs']), batchSize, stepsPerEpoch: steps });
    } catch {
      // ignore
    }
  };
  cb['setModel'] = function () {};
  cb['onTrainBegin'] = () => Promise.resolve();
  cb['onBatchBegin'] = () => Promise.resolve();
  cb['onEpochBegin'] = (epoch: number) => guard(() => run.epochBegin(epoch));
  cb['onBatchEnd'] = (_batch: number, logs?: Record<string, unknown>) =>
    guard(() => run.batchEnd(logNumber(logs?.['loss'], false)));
  cb['onEpochEnd'] = (epoch: number, logs?: Record<string, unknown>) =>
    guard(() => {
      run.epochEnd(epoch, logNumber(logs?.['loss'], true));
      recordMemory(t);
    });
  cb['onTrainEnd'] = () => guard(() => recordMemory(t));
  return cb;
}

/**
 * The call's `callbacks` option standardised exactly as tfjs' `standardizeCallbacks` would do,
 * plus our callback last. Throws when tfjs itself would (the caller then keeps the user's args).
 */
function withOurCallback(userCallbacks: unknown, yieldEvery: unknown, ours: object, classes: CallbackClasses): unknown[] {
  const { BaseCallback, CustomCallback } = classes;
  let callbacks = userCallbacks;
  if (callbacks == null) callbacks = {};
  if (callbacks instanceof BaseCallback) return [callbacks, ours];
  if (Array.isArray(callbacks) && callbacks[0] instanceof BaseCallback) return [...callbacks, ours];
  const configs = Array.isArray(callbacks) ? callbacks : [callbacks];
  return [...configs.map((config) => new CustomCallback(config, yieldEvery)), ours];
}

// ---------------------------------------------------------------------------------------------
// The patch table

function protoOf(exports: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const C = exports[name];
  if (typeof C !== 'function') return undefined;
  const proto = (C as Ctor).prototype;
  return proto && typeof proto === 'object' ? proto : undefined;
}

function patches(exp: Record<string, unknown>, t: Telemetry): Patch[] | string {
  const layersProto = protoOf(exp, 'LayersModel');
  const graphProto = protoOf(exp, 'GraphModel');
  if (!layersProto && !graphProto) return 'neither LayersModel nor GraphModel found in the exports';

  /** Depth of synchronous wrapped inference calls in progress: nested calls (predict → execute) are recorded once. */
  let syncDepth = 0;

  const inference = (operation: string, sync: boolean) => {
    const attributes = Object.freeze({ 'ml.framework': FRAMEWORK, 'ml.operation': operation }) as Attributes;
    return (original: AnyFunction): AnyFunction =>
      function (this: unknown) {
        if (sync && syncDepth !== 0) return original.apply(this, arguments as unknown as unknown[]);
        const t0 = performance.now();
        if (sync) syncDepth++;
        try {
          return observeCall(original, this, arguments, (error, failed) =>
            t.inference((performance.now() - t0) / 1000, attributes, failed ? error : undefined, t0));
        } finally {
          if (sync) syncDepth--;
        }
      };
  };

  const load = (operation: string) => (original: AnyFunction): AnyFunction =>
    function (this: unknown, source?: unknown) {
      const span = t.startSpan('ml.model.load', { 'ml.framework': FRAMEWORK, 'ml.operation': operation, 'ml.model.name': t.modelName(source) });
      return observeCallInSpan(t, span, original, this, arguments);
    };

  const classes = callbackClasses(exp);
  if (layersProto && !classes) t.debug('tfjs: Callback/CustomCallback not found: fit spans without epochs');

  const fit = (operation: 'fit' | 'fitDataset', argsIndex: number) => (original: AnyFunction): AnyFunction =>
    function (this: unknown) {
      const s = t.signals();
      if (!s) return original.apply(this, arguments as unknown as unknown[]);
      const args = Array.prototype.slice.call(arguments) as unknown[];
      const run = safely(() => {
        const fitArgs = args[argsIndex] as Record<string, unknown> | undefined | null;
        const argsObject = fitArgs !== null && typeof fitArgs === 'object' ? fitArgs : undefined;
        const r = startTrainingRun(s, {
          framework: FRAMEWORK,
          operation,
          epochsTotal: argsObject?.['epochs'] as number | undefined,
          batchSize: operation === 'fit' ? (argsObject?.['batchSize'] as number | undefined) : undefined,
        });
        // fit(x, y) defaults its args to {}; fitDataset requires them (tfjs throws its own error).
        const canInject = argsObject !== undefined || (fitArgs === undefined && operation === 'fit');
        if (classes && canInject) {
          // On failure the user's args stay untouched: tfjs reports its own error.
          safely(() => {
            const callbacks = withOurCallback(argsObject?.['callbacks'], argsObject?.['yieldEvery'], makeCallback(r, classes, t), classes);
            args[argsIndex] = { ...(argsObject ?? {}), callbacks };
          });
        }
        return r;
      });
      if (!run) return original.apply(this, arguments as unknown as unknown[]);
      return observeCallWithin(t, run.span, original, this, args, (error, failed) => (failed ? run.fail(error) : run.end()));
    };

  const table: Patch[] = [];
  if (layersProto) {
    table.push(
      { label: 'LayersModel.prototype.fit', target: layersProto, method: 'fit', wrapper: fit('fit', 2) },
      { label: 'LayersModel.prototype.fitDataset', target: layersProto, method: 'fitDataset', wrapper: fit('fitDataset', 1) },
      { label: 'LayersModel.prototype.predict', target: layersProto, method: 'predict', wrapper: inference('predict', true) },
      { label: 'loadLayersModel', target: exp, method: 'loadLayersModel', wrapper: load('loadLayersModel'), optional: typeof exp['loadLayersModel'] !== 'function' },
    );
  }
  if (graphProto) {
    table.push(
      { label: 'GraphModel.prototype.predict', target: graphProto, method: 'predict', wrapper: inference('predict', true) },
      { label: 'GraphModel.prototype.execute', target: graphProto, method: 'execute', wrapper: inference('execute', true) },
      { label: 'GraphModel.prototype.executeAsync', target: graphProto, method: 'executeAsync', wrapper: inference('executeAsync', false) },
    );
    for (const name of ['loadGraphModel', 'loadGraphModelSync']) {
      table.push({ label: name, target: exp, method: name, wrapper: load(name), optional: typeof exp[name] !== 'function' });
    }
  }
  return table;
}

export const tfjsInstrumentation: Instrumentation = {
  id: 'tfjs',
  modules: [
    { package: '@tensorflow/tfjs-layers', versions: '>=4.0.0 <5', format: 'cjs' },
    { package: '@tensorflow/tfjs-converter', versions: '>=4.0.0 <5', format: 'cjs' },
  ],
  patches,
};
