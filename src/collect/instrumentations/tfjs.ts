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
// come from `setParams` ({ epochs, samples, steps, batchSize }). Every value tfjs hands the
// callbacks is recorded (loss and metrics, training and `val_` validation; see ./tfjs-callback.ts
// for how scalars are read without a device sync), with the batch sizes as training samples.
// Each `ml.train` carries the model's name (`model.name`: a default like `sequential_1` as it
// is, a name the user chose hashed), a random ID of the model object and the index of the fit
// call on it, so repeated `fit({ epochs: 1 })` calls read as one training run.
//
// Custom loops: `@tensorflow/tfjs-core`'s `Optimizer.prototype.minimize` and every optimizer
// class's `applyGradients` count optimizer steps outside fit as batches of one `ml.train` run with
// `ml.operation=minimize` (the cost only when the app asked for it and tfjs resolved it).
// `ml.tfjs.memory.*` are sampled from `tf.memory()` right before every export while tfjs is loaded.
//
// Inference: `LayersModel.prototype.predict`, `GraphModel.prototype.predict/execute/executeAsync`
// → `inference(seconds, { ml.framework: tfjs, ml.operation, ml.model.name })` for every call.
// Loading: `loadLayersModel`, `loadGraphModel`, `loadGraphModelSync` → `ml.model.load` span with
// `ml.model.name` (only from a string URL/path, through `signals.modelName`, never the path).

import type { Attributes } from '../signals.js';
import { randomHex } from '../random-id.js';
import { startTrainingRun, type TrainingRun } from '../training-run.js';
import { callbackClasses, makeCallback, metricNames, resolvedNumber, withOurCallback } from './tfjs-callback.js';
import type { AnyFunction, Instrumentation, Patch, Telemetry } from './types.js';
import { observeCall, observeCallInSpan, observeCallWithin, safely } from './wrap-util.js';

const FRAMEWORK = 'tfjs';
const METRIC_ATTRIBUTES: Attributes = Object.freeze({ 'ml.framework': FRAMEWORK }) as Attributes;
const MINIMIZE_ATTRIBUTES: Attributes = Object.freeze({ 'ml.operation': 'minimize' }) as Attributes;

type Ctor = Function & { prototype: any };

/** What the wrappers of tfjs' three modules share (one per agent). */
interface TfjsState {
  /** fit/fitDataset calls in progress: the optimizer steps inside them belong to fit. */
  fitsActive: number;
  /** Inside a wrapped minimize (its applyGradients is the same step). */
  minimizeDepth: number;
  /** The run of optimizer steps outside fit (custom loops), started by the first one. */
  customRun: TrainingRun | undefined;
  /** Model object → its identity (and attributes of its inference calls). */
  models: WeakMap<object, ModelIdentity>;
  memorySampled: boolean;
}

interface ModelIdentity {
  readonly id: string;
  readonly name: string | undefined;
  fits: number;
  readonly inference: Map<string, Attributes>;
}

/** tfjs' generated names (`sequential_1`, `model_2`, `model1`; a Sequential's inner model adds `_model`). */
const DEFAULT_NAME = /^(sequential|model)_?\d+$/;

function modelIdentity(state: TfjsState, t: Telemetry, model: unknown): ModelIdentity | undefined {
  if (model === null || typeof model !== 'object') return undefined;
  let identity = state.models.get(model);
  if (!identity) {
    const raw = safely(() => (model as { name?: unknown }).name);
    let name: string | undefined;
    if (typeof raw === 'string' && raw !== '') {
      const base = raw.endsWith('_model') ? raw.slice(0, -'_model'.length) : raw;
      name = DEFAULT_NAME.test(base) ? base : t.modelName(raw);
    }
    identity = { id: randomHex(16), name, fits: 0, inference: new Map() };
    state.models.set(model, identity);
  }
  return identity;
}

// ---------------------------------------------------------------------------------------------
// The patch table

function protoOf(exports: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const C = exports[name];
  if (typeof C !== 'function') return undefined;
  const proto = (C as Ctor).prototype;
  return proto && typeof proto === 'object' ? proto : undefined;
}

function patches(exp: Record<string, unknown>, t: Telemetry, state: TfjsState): Patch[] | string {
  const layersProto = protoOf(exp, 'LayersModel');
  const graphProto = protoOf(exp, 'GraphModel');
  const optimizerProto = protoOf(exp, 'Optimizer');
  if (!layersProto && !graphProto && !optimizerProto) return 'neither LayersModel, GraphModel nor Optimizer found in the exports';
  const table: Patch[] = [];
  if (layersProto) table.push(...layersPatches(exp, layersProto, t, state));
  if (graphProto) table.push(...graphPatches(exp, graphProto, t));
  if (optimizerProto) table.push(...corePatches(exp, optimizerProto, t, state));
  return table;
}

/**
 * `inference` per call. Synchronous wrappers sharing one `depth` record a nested call once
 * (GraphModel.predict calls this.execute).
 */
function inferenceWrapper(t: Telemetry, operation: string, depth: { n: number } | undefined, attributesOf?: (self: unknown) => Attributes | undefined) {
  const fallback = Object.freeze({ 'ml.framework': FRAMEWORK, 'ml.operation': operation }) as Attributes;
  return (original: AnyFunction): AnyFunction =>
    function (this: unknown) {
      if (depth && depth.n !== 0) return original.apply(this, arguments as unknown as unknown[]);
      const attributes = (attributesOf && safely(() => attributesOf(this))) || fallback;
      const t0 = performance.now();
      if (depth) depth.n++;
      try {
        return observeCall(original, this, arguments, (error, failed) =>
          t.inference((performance.now() - t0) / 1000, attributes, failed ? error : undefined, t0));
      } finally {
        if (depth) depth.n--;
      }
    };
}

function loadWrapper(t: Telemetry, operation: string) {
  return (original: AnyFunction): AnyFunction =>
    function (this: unknown, source?: unknown) {
      const span = t.startSpan('ml.model.load', { 'ml.framework': FRAMEWORK, 'ml.operation': operation, 'ml.model.name': t.modelName(source) });
      return observeCallInSpan(t, span, original, this, arguments);
    };
}

function layersPatches(exp: Record<string, unknown>, proto: object, t: Telemetry, state: TfjsState): Patch[] {
  const classes = callbackClasses(exp);
  if (!classes) t.debug('tfjs: Callback/CustomCallback not found: fit spans without epochs');
  const names = metricNames(t);

  const fit = (operation: 'fit' | 'fitDataset', argsIndex: number) => (original: AnyFunction): AnyFunction =>
    function (this: unknown) {
      const s = t.signals();
      if (!s) return original.apply(this, arguments as unknown as unknown[]);
      const args = Array.prototype.slice.call(arguments) as unknown[];
      const model = this;
      const run = safely(() => {
        const fitArgs = args[argsIndex] as Record<string, unknown> | undefined | null;
        const argsObject = fitArgs !== null && typeof fitArgs === 'object' ? fitArgs : undefined;
        const identity = modelIdentity(state, t, model);
        const r = startTrainingRun(s, {
          framework: FRAMEWORK,
          operation,
          epochsTotal: argsObject?.['epochs'] as number | undefined,
          batchSize: operation === 'fit' ? (argsObject?.['batchSize'] as number | undefined) : undefined,
          modelName: identity?.name,
          modelInstanceId: identity?.id,
          fitIndex: identity ? identity.fits++ : undefined,
        });
        // fit(x, y) defaults its args to {}; fitDataset requires them (tfjs throws its own error).
        const canInject = argsObject !== undefined || (fitArgs === undefined && operation === 'fit');
        if (classes && canInject) {
          // On failure the user's args stay untouched: tfjs reports its own error.
          safely(() => {
            const callbacks = withOurCallback(argsObject?.['callbacks'], argsObject?.['yieldEvery'], makeCallback(r, classes, names), classes);
            args[argsIndex] = { ...(argsObject ?? {}), callbacks };
          });
        }
        return r;
      });
      if (!run) return original.apply(this, arguments as unknown as unknown[]);
      state.fitsActive++;
      return observeCallWithin(t, run.span, original, this, args, (error, failed) => {
        state.fitsActive--;
        if (failed) run.fail(error);
        else run.end();
      });
    };

  const predictAttributes = (self: unknown): Attributes | undefined => {
    const identity = modelIdentity(state, t, self);
    if (!identity) return undefined;
    let a = identity.inference.get('predict');
    if (!a) {
      a = Object.freeze({ 'ml.framework': FRAMEWORK, 'ml.operation': 'predict', 'ml.model.name': identity.name }) as Attributes;
      identity.inference.set('predict', a);
    }
    return a;
  };

  return [
    { label: 'LayersModel.prototype.fit', target: proto, method: 'fit', wrapper: fit('fit', 2) },
    { label: 'LayersModel.prototype.fitDataset', target: proto, method: 'fitDataset', wrapper: fit('fitDataset', 1) },
    { label: 'LayersModel.prototype.predict', target: proto, method: 'predict', wrapper: inferenceWrapper(t, 'predict', { n: 0 }, predictAttributes) },
    { label: 'loadLayersModel', target: exp, method: 'loadLayersModel', wrapper: loadWrapper(t, 'loadLayersModel'), optional: typeof exp['loadLayersModel'] !== 'function' },
  ];
}

function graphPatches(exp: Record<string, unknown>, proto: object, t: Telemetry): Patch[] {
  const depth = { n: 0 };
  const table: Patch[] = [
    { label: 'GraphModel.prototype.predict', target: proto, method: 'predict', wrapper: inferenceWrapper(t, 'predict', depth) },
    { label: 'GraphModel.prototype.execute', target: proto, method: 'execute', wrapper: inferenceWrapper(t, 'execute', depth) },
    { label: 'GraphModel.prototype.executeAsync', target: proto, method: 'executeAsync', wrapper: inferenceWrapper(t, 'executeAsync', undefined) },
  ];
  for (const name of ['loadGraphModel', 'loadGraphModelSync']) {
    table.push({ label: name, target: exp, method: name, wrapper: loadWrapper(t, name), optional: typeof exp[name] !== 'function' });
  }
  return table;
}

function corePatches(exp: Record<string, unknown>, optimizerProto: object, t: Telemetry, state: TfjsState): Patch[] {
  if (!state.memorySampled) {
    state.memorySampled = true;
    const memory = exp['memory'];
    if (typeof memory === 'function') {
      t.onCollect(() => {
        const m = (memory as () => { numBytes?: unknown; numTensors?: unknown })();
        if (typeof m?.numBytes === 'number') t.record('ml.tfjs.memory.bytes', m.numBytes, METRIC_ATTRIBUTES);
        if (typeof m?.numTensors === 'number') t.record('ml.tfjs.memory.tensors', m.numTensors, METRIC_ATTRIBUTES);
      });
    }
  }

  /** One optimizer step outside fit: a batch of the custom run (a hot path: a branch and two numbers). */
  const step = (cost: unknown): void => {
    let run = state.customRun;
    if (!run) {
      const s = t.signals();
      if (!s) return;
      run = state.customRun = startTrainingRun(s, { framework: FRAMEWORK, operation: 'minimize', metricAttributes: MINIMIZE_ATTRIBUTES });
    }
    run.batchEnd(cost === undefined ? undefined : resolvedNumber(cost));
  };

  const minimize = (original: AnyFunction): AnyFunction =>
    function (this: unknown) {
      if (state.fitsActive !== 0) return original.apply(this, arguments as unknown as unknown[]);
      state.minimizeDepth++;
      let result: unknown;
      try {
        result = original.apply(this, arguments as unknown as unknown[]);
      } finally {
        state.minimizeDepth--;
      }
      // The cost only when the app asked for it (returnCost), read without a sync.
      safely(() => step(result ?? undefined));
      return result;
    };

  const applyGradients = (original: AnyFunction): AnyFunction =>
    function (this: unknown) {
      const result = original.apply(this, arguments as unknown as unknown[]);
      if (state.fitsActive === 0 && state.minimizeDepth === 0) safely(() => step(undefined));
      return result;
    };

  const table: Patch[] = [{ label: 'Optimizer.prototype.minimize', target: optimizerProto, method: 'minimize', wrapper: minimize }];
  for (const name of Object.keys(exp)) {
    if (!name.endsWith('Optimizer') || name === 'Optimizer') continue;
    const proto = protoOf(exp, name);
    if (proto && Object.prototype.hasOwnProperty.call(proto, 'applyGradients')) {
      table.push({ label: `${name}.prototype.applyGradients`, target: proto, method: 'applyGradients', wrapper: applyGradients });
    }
  }
  return table;
}

export const tfjsInstrumentation: Instrumentation<TfjsState> = {
  id: 'tfjs',
  modules: [
    { package: '@tensorflow/tfjs-core', versions: '>=4.0.0 <5', format: 'cjs' },
    { package: '@tensorflow/tfjs-layers', versions: '>=4.0.0 <5', format: 'cjs' },
    { package: '@tensorflow/tfjs-converter', versions: '>=4.0.0 <5', format: 'cjs' },
  ],
  createState: () => ({ fitsActive: 0, minimizeDepth: 0, customRun: undefined, models: new WeakMap(), memorySampled: false }),
  patches,
};
