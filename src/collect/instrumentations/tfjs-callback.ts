// The TensorFlow.js training callback the tfjs instrumentation appends to every fit/fitDataset,
// and how it reads tfjs' logs without ever forcing a device sync.
//
// tfjs hands callbacks `logs` whose values may be numbers or still `tf.Scalar`s: for every batch
// `loss` and each compiled metric (plus `batch` and `size`, the number of samples), for every
// epoch the averages and, with validation, the same keys prefixed `val_`. Scalars are read only
// where tfjs has already resolved them: a number (a user callback made tfjs resolve the logs), or
// the value the tensor's backend already holds (the CPU backend always does; a GPU backend only
// once it was downloaded). Nothing here calls dataSync/data/arraySync, so training runs on
// exactly as without us; a value not yet resolved is left out.

import { KNOWN_TRAINING_METRICS } from '../../catalog.js';
import type { EpochValue, TrainingRun } from '../training-run.js';
import type { Telemetry } from './types.js';
import { safely } from './wrap-util.js';

type Ctor = Function & { prototype: any };

export interface CallbackClasses {
  /** tfjs-layers' BaseCallback (not exported; the parent class of the exported `Callback`). */
  BaseCallback: Ctor;
  CustomCallback: new (args: unknown, yieldEvery?: unknown) => unknown;
}

export function callbackClasses(layers: Record<string, unknown>): CallbackClasses | undefined {
  const Callback = layers['Callback'] as Ctor | undefined;
  const CustomCallback = layers['CustomCallback'] as CallbackClasses['CustomCallback'] | undefined;
  if (typeof Callback !== 'function' || typeof CustomCallback !== 'function') return undefined;
  const baseProto = Object.getPrototypeOf(Callback.prototype);
  const BaseCallback = baseProto?.constructor as Ctor | undefined;
  if (typeof BaseCallback !== 'function' || BaseCallback === Object) return undefined;
  if (!(CustomCallback.prototype instanceof BaseCallback)) return undefined;
  return { BaseCallback, CustomCallback };
}

interface TensorInfo {
  backend?: { data?: { has?: (id: unknown) => boolean; get?: (id: unknown) => { values?: ArrayLike<unknown> } | undefined } };
}
interface Engine {
  state?: { tensorInfo?: { get?: (id: unknown) => TensorInfo | undefined } };
}

/**
 * A log value as a number when it already is one, or when it is a one-element tensor whose
 * backend already holds its value. Never triggers a download, a data move or a computation.
 */
export function resolvedNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  try {
    const t = value as { isDisposed?: boolean; size?: number; dataId?: unknown };
    if (t.isDisposed || t.size !== 1 || t.dataId == null) return undefined;
    const engine = (globalThis as { _tfengine?: Engine })._tfengine;
    const storage = engine?.state?.tensorInfo?.get?.(t.dataId)?.backend?.data;
    // `has` first: `get` of data held by another backend would move it, i.e. sync.
    if (!storage || typeof storage.has !== 'function' || !storage.has(t.dataId)) return undefined;
    const values = storage.get?.(t.dataId)?.values;
    if (values == null || typeof values.length !== 'number' || values.length < 1) return undefined;
    const n = values[0];
    return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

const KNOWN = new Set(KNOWN_TRAINING_METRICS);

/** Log key → the metric name as it may be sent: known tfjs/Keras names as they are, others hashed. */
export function metricNames(t: Telemetry): (raw: string) => string | undefined {
  const cache = new Map<string, string | undefined>();
  return (raw) => {
    if (KNOWN.has(raw)) return raw;
    if (!cache.has(raw)) cache.set(raw, t.modelName(raw));
    return cache.get(raw);
  };
}

/** The resolved values of an epoch's logs, split into training and validation (`val_`). */
export function epochValues(logs: Record<string, unknown> | undefined, name: (raw: string) => string | undefined): EpochValue[] {
  const out: EpochValue[] = [];
  if (!logs || typeof logs !== 'object') return out;
  for (const key of Object.keys(logs)) {
    if (key === 'batch' || key === 'size') continue;
    const value = resolvedNumber(logs[key]);
    if (value === undefined) continue;
    const validation = key.startsWith('val_');
    const raw = validation ? key.slice(4) : key;
    const sent = raw === 'loss' ? 'loss' : name(raw);
    if (sent !== undefined) out.push({ name: sent, split: validation ? 'validation' : 'train', value });
  }
  return out;
}

const RESOLVED: Promise<void> = Promise.resolve();

/** Our callback: an object whose prototype is tfjs' BaseCallback.prototype, so `instanceof` holds. */
export function makeCallback(run: TrainingRun, classes: CallbackClasses, name: (raw: string) => string | undefined): object {
  const cb = Object.create(classes.BaseCallback.prototype) as Record<string, unknown>;
  cb['validationData'] = null;
  cb['setParams'] = function (this: Record<string, unknown>, params: Record<string, unknown> | undefined) {
    this['params'] = params;
    safely(() => {
      const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
      const batchSize = num(params?.['batchSize']);
      const samples = num(params?.['samples']);
      const steps = num(params?.['steps']) ?? (samples !== undefined && batchSize !== undefined ? Math.ceil(samples / batchSize) : undefined);
      run.setTotals({ epochsTotal: num(params?.['epochs']), batchSize, stepsPerEpoch: steps });
    });
  };
  cb['setModel'] = function () {};
  cb['onTrainBegin'] = () => RESOLVED;
  cb['onBatchBegin'] = () => RESOLVED;
  cb['onTrainEnd'] = () => RESOLVED;
  cb['onEpochBegin'] = (epoch: number) => {
    safely(() => run.epochBegin(epoch));
    return RESOLVED;
  };
  // A hot path (every batch): a few property reads and two numbers kept.
  cb['onBatchEnd'] = (_batch: number, logs?: Record<string, unknown>) => {
    safely(() => {
      const size = logs?.['size'];
      run.batchEnd(resolvedNumber(logs?.['loss']), typeof size === 'number' ? size : undefined);
    });
    return RESOLVED;
  };
  cb['onEpochEnd'] = (epoch: number, logs?: Record<string, unknown>) => {
    safely(() => run.epochEnd(epoch, epochValues(logs, name)));
    return RESOLVED;
  };
  return cb;
}

/**
 * The call's `callbacks` option standardised exactly as tfjs' `standardizeCallbacks` would do,
 * plus our callback last. Throws when tfjs itself would (the caller then keeps the user's args).
 */
export function withOurCallback(userCallbacks: unknown, yieldEvery: unknown, ours: object, classes: CallbackClasses): unknown[] {
  const { BaseCallback, CustomCallback } = classes;
  let callbacks = userCallbacks;
  if (callbacks == null) callbacks = {};
  if (callbacks instanceof BaseCallback) return [callbacks, ours];
  if (Array.isArray(callbacks) && callbacks[0] instanceof BaseCallback) return [...callbacks, ours];
  const configs = Array.isArray(callbacks) ? callbacks : [callbacks];
  return [...configs.map((config) => new CustomCallback(config, yieldEvery)), ours];
}
