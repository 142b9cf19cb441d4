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

import type { Attributes, Signals } from '../signals.js';
import { startTrainingRun, type TrainingRun } from '../training-run.js';
import type { Instrumentation } from './types.js';
import {
  debug,
  finishSpan,
  getSignals,
  observe,
  runInSpan,
  safeModelName,
  safeStartSpan,
  satisfies,
  unwrapMethod,
  wrapMethod,
} from './wrap-util.js';

const VERSIONS = '>=4.0.0 <5';
const FRAMEWORK = 'tfjs';
const METRIC_ATTRIBUTES: Attributes = Object.freeze({ 'ml.framework': FRAMEWORK }) as Attributes;

type Fn = (this: unknown, ...args: any[]) => any;
type Ctor = Function & { prototype: any };

/** The signals getter given to the latest `wrap` (wrappers read it at call time). */
let currentSignals: (() => Signals) | undefined;

function signalsNow(): Signals | undefined {
  return getSignals(currentSignals);
}

// ---------------------------------------------------------------------------------------------
// Inference

const inferenceAttributes = (operation: string): Attributes =>
  Object.freeze({ 'ml.framework': FRAMEWORK, 'ml.operation': operation }) as Attributes;

function recordInference(t0: number, attributes: Attributes, error?: unknown): void {
  const seconds = (performance.now() - t0) / 1000;
  try {
    signalsNow()?.inference(seconds, attributes, error, t0);
  } catch {
    // never into the app
  }
}

/** Depth of synchronous wrapped inference calls in progress: nested calls (predict → execute) are recorded once. */
let syncDepth = 0;

function syncInferenceWrapper(operation: string) {
  const attributes = inferenceAttributes(operation);
  return (original: Fn): Fn =>
    function (this: unknown) {
      if (syncDepth !== 0) return original.apply(this, arguments as unknown as unknown[]);
      syncDepth++;
      const t0 = performance.now();
      let result: unknown;
      try {
        result = original.apply(this, arguments as unknown as unknown[]);
      } catch (error) {
        syncDepth--;
        recordInference(t0, attributes, error);
        throw error;
      }
      syncDepth--;
      recordInference(t0, attributes);
      return result;
    };
}

function asyncInferenceWrapper(operation: string) {
  const attributes = inferenceAttributes(operation);
  return (original: Fn): Fn =>
    function (this: unknown) {
      const t0 = performance.now();
      let result: unknown;
      try {
        result = original.apply(this, arguments as unknown as unknown[]);
      } catch (error) {
        recordInference(t0, attributes, error);
        throw error;
      }
      return observe(result, (error, failed) => recordInference(t0, attributes, failed ? error : undefined));
    };
}

// ---------------------------------------------------------------------------------------------
// Model loading

function loadWrapper(operation: string) {
  return (original: Fn): Fn =>
    function (this: unknown, source?: unknown) {
      const s = signalsNow();
      const span = safeStartSpan(s, 'ml.model.load', {
        'ml.framework': FRAMEWORK,
        'ml.operation': operation,
        'ml.model.name': safeModelName(s, source),
      });
      if (!span) return original.apply(this, arguments as unknown as unknown[]);
      const args = arguments as unknown as unknown[];
      let result: unknown;
      try {
        result = runInSpan(s, span, () => original.apply(this, args));
      } catch (error) {
        finishSpan(span, error, true);
        throw error;
      }
      return observe(result, (error, failed) => finishSpan(span, error, failed));
    };
}

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

function recordMemory(): void {
  try {
    const engine = (globalThis as { _tfengine?: { memory?: () => { numBytes?: unknown; numTensors?: unknown } } })._tfengine;
    if (!engine || typeof engine.memory !== 'function') return;
    const s = signalsNow();
    if (!s) return;
    const m = engine.memory();
    if (typeof m?.numBytes === 'number') s.record('ml.tfjs.memory.bytes', m.numBytes, METRIC_ATTRIBUTES);
    if (typeof m?.numTensors === 'number') s.record('ml.tfjs.memory.tensors', m.numTensors, METRIC_ATTRIBUTES);
  } catch {
    // ignore
  }
}

/** Our callback: an object whose prototype is tfjs' BaseCallback.prototype, so `instanceof` holds. */
function makeCallback(run: TrainingRun, classes: CallbackClasses): object {
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
      recordMemory();
    });
  cb['onTrainEnd'] = () => guard(recordMemory);
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

function fitWrapper(operation: 'fit' | 'fitDataset', argsIndex: number, classes: CallbackClasses | undefined) {
  return (original: Fn): Fn =>
    function (this: unknown) {
      const s = signalsNow();
      if (!s) return original.apply(this, arguments as unknown as unknown[]);
      const args = Array.prototype.slice.call(arguments) as unknown[];
      let run: TrainingRun | undefined;
      try {
        const fitArgs = args[argsIndex] as Record<string, unknown> | undefined | null;
        const argsObject = fitArgs !== null && typeof fitArgs === 'object' ? fitArgs : undefined;
        run = startTrainingRun(s, {
          framework: FRAMEWORK,
          operation,
          epochsTotal: argsObject?.['epochs'] as number | undefined,
          batchSize: operation === 'fit' ? (argsObject?.['batchSize'] as number | undefined) : undefined,
        });
        // fit(x, y) defaults its args to {}; fitDataset requires them (tfjs throws its own error).
        const canInject = argsObject !== undefined || (fitArgs === undefined && operation === 'fit');
        if (classes && canInject) {
          try {
            const callbacks = withOurCallback(argsObject?.['callbacks'], argsObject?.['yieldEvery'], makeCallback(run, classes), classes);
            args[argsIndex] = { ...(argsObject ?? {}), callbacks };
          } catch {
            // keep the user's args untouched: tfjs reports its own error
          }
        }
      } catch {
        // instrumentation failure: run with what we have
      }
      if (!run) return original.apply(this, arguments as unknown as unknown[]);
      const r = run;
      let result: unknown;
      try {
        result = runInSpan(s, r.span, () => original.apply(this, args));
      } catch (error) {
        r.fail(error);
        throw error;
      }
      return observe(result, (error, failed) => (failed ? r.fail(error) : r.end()));
    };
}

// ---------------------------------------------------------------------------------------------
// wrap / unwrap

const LAYERS_METHODS = ['fit', 'fitDataset', 'predict'] as const;
const GRAPH_METHODS = ['predict', 'execute', 'executeAsync'] as const;
const LAYERS_LOADERS = ['loadLayersModel'] as const;
const GRAPH_LOADERS = ['loadGraphModel', 'loadGraphModelSync'] as const;

function protoOf(exports: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  try {
    const C = exports[name];
    if (typeof C !== 'function') return undefined;
    const proto = (C as Ctor).prototype;
    return proto && typeof proto === 'object' ? proto : undefined;
  } catch {
    return undefined;
  }
}

function wrap(moduleExports: unknown, signals: () => Signals, packageVersion: string): void {
  try {
    if (!satisfies(packageVersion, VERSIONS)) {
      debug(signals, `tfjs: version ${String(packageVersion)} is not in ${VERSIONS}; not instrumented`);
      return;
    }
    if (moduleExports === null || typeof moduleExports !== 'object') {
      debug(signals, 'tfjs: unexpected module exports; not instrumented');
      return;
    }
    const exp = moduleExports as Record<string, unknown>;
    const layersProto = protoOf(exp, 'LayersModel');
    const graphProto = protoOf(exp, 'GraphModel');
    const layersOk = !!layersProto && typeof layersProto['fit'] === 'function';
    const graphOk = !!graphProto && typeof graphProto['predict'] === 'function';
    if (!layersOk && !graphOk) {
      debug(signals, 'tfjs: neither LayersModel nor GraphModel found in the exports; not instrumented');
      return;
    }
    currentSignals = signals;
    const skipped: string[] = [];

    if (layersOk) {
      const classes = callbackClasses(exp);
      if (!classes) skipped.push('callbacks (Callback/CustomCallback not found: fit spans without epochs)');
      if (!wrapMethod(layersProto, 'fit', fitWrapper('fit', 2, classes))) skipped.push('LayersModel.fit');
      if (!wrapMethod(layersProto, 'fitDataset', fitWrapper('fitDataset', 1, classes))) skipped.push('LayersModel.fitDataset');
      if (!wrapMethod(layersProto, 'predict', syncInferenceWrapper('predict'))) skipped.push('LayersModel.predict');
      for (const name of LAYERS_LOADERS) {
        if (typeof exp[name] === 'function' && !wrapMethod(exp, name, loadWrapper(name))) skipped.push(`${name} (export not writable)`);
      }
    }
    if (graphOk) {
      if (!wrapMethod(graphProto, 'predict', syncInferenceWrapper('predict'))) skipped.push('GraphModel.predict');
      if (!wrapMethod(graphProto, 'execute', syncInferenceWrapper('execute'))) skipped.push('GraphModel.execute');
      if (!wrapMethod(graphProto, 'executeAsync', asyncInferenceWrapper('executeAsync'))) skipped.push('GraphModel.executeAsync');
      for (const name of GRAPH_LOADERS) {
        if (typeof exp[name] === 'function' && !wrapMethod(exp, name, loadWrapper(name))) skipped.push(`${name} (export not writable)`);
      }
    }
    if (skipped.length > 0) debug(signals, `tfjs: not patched: ${skipped.join(', ')}`);
  } catch (error) {
    debug(signals, `tfjs: instrumentation failed: ${String((error as Error)?.message ?? error)}`);
  }
}

function unwrap(moduleExports: unknown): void {
  try {
    if (moduleExports === null || typeof moduleExports !== 'object') return;
    const exp = moduleExports as Record<string, unknown>;
    const layersProto = protoOf(exp, 'LayersModel');
    const graphProto = protoOf(exp, 'GraphModel');
    if (layersProto) for (const name of LAYERS_METHODS) unwrapMethod(layersProto, name);
    if (graphProto) for (const name of GRAPH_METHODS) unwrapMethod(graphProto, name);
    for (const name of [...LAYERS_LOADERS, ...GRAPH_LOADERS]) unwrapMethod(exp, name);
  } catch {
    // ignore
  }
}

export const tfjsInstrumentation: Instrumentation = {
  id: 'tfjs',
  modules: [
    { package: '@tensorflow/tfjs-layers', versions: VERSIONS, format: 'cjs' },
    { package: '@tensorflow/tfjs-converter', versions: VERSIONS, format: 'cjs' },
  ],
  wrap,
  unwrap,
};
