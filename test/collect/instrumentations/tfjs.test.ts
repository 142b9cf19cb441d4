// The TensorFlow.js instrumentation against the real @tensorflow/tfjs 4.x (pure JS, CPU backend):
// real training and inference, recorded through our own Signals facade (RecordingSignals).
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tfjsInstrumentation } from '../../../src/collect/instrumentations/tfjs.js';
import { ORIGINAL } from '../../../src/collect/instrumentations/wrap-util.js';
import { patch, patchModules, unpatchModule } from './patching.js';
import { RecordingSignals, throwingSignals } from './recording-signals.js';

const require = createRequire(import.meta.url);

/* eslint-disable @typescript-eslint/no-explicit-any */
let tf: any;
let layers: any;
let converter: any;
let core: any;
let coreVersion: string;
let layersVersion: string;
let converterVersion: string;
let originals: Record<string, unknown>;
let rec: RecordingSignals;

const wrapAll = (signals: () => any = () => rec) => {
  patchModules(tfjsInstrumentation, [
    ['@tensorflow/tfjs-core', core, coreVersion],
    ['@tensorflow/tfjs-layers', layers, layersVersion],
    ['@tensorflow/tfjs-converter', converter, converterVersion],
  ], signals);
};
const unwrapAll = () => {
  unpatchModule(tfjsInstrumentation, core);
  unpatchModule(tfjsInstrumentation, layers);
  unpatchModule(tfjsInstrumentation, converter);
};

/** 32 samples, y = 2·x0 − x1 + 0.5: deterministic data. */
function data() {
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < 32; i++) {
    const a = (i % 8) / 4 - 1;
    const b = Math.floor(i / 8) / 2 - 1;
    xs.push([a, b]);
    ys.push([2 * a - b + 0.5]);
  }
  return { x: tf.tensor2d(xs), y: tf.tensor2d(ys) };
}

/** Same initial weights every time, so two runs give identical losses. */
function makeModel() {
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'zeros', biasInitializer: 'zeros' })],
  });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
  return model;
}

type Event = [string, number | null, number | null];

/** A config-object callback (tfjs wraps it in a CustomCallback) that logs every call it gets. */
function configCallback(events: Event[]) {
  const loss = (logs: any) => (logs && typeof logs.loss === 'number' ? logs.loss : null);
  return {
    onTrainBegin: async () => void events.push(['trainBegin', null, null]),
    onEpochBegin: async (epoch: number) => void events.push(['epochBegin', epoch, null]),
    onBatchBegin: async (batch: number) => void events.push(['batchBegin', batch, null]),
    onBatchEnd: async (batch: number, logs: any) => void events.push(['batchEnd', batch, loss(logs)]),
    onEpochEnd: async (epoch: number, logs: any) => void events.push(['epochEnd', epoch, loss(logs)]),
    onTrainEnd: async () => void events.push(['trainEnd', null, null]),
  };
}

/** A tf.Callback subclass instance (tfjs uses it as it is; its logs hold tf.Scalars). */
function instanceCallback(events: Event[]) {
  const read = (v: any) => (v == null ? null : typeof v === 'number' ? v : v.dataSync()[0]);
  class Logger extends (tf.Callback as new () => object) {
    async onEpochBegin(epoch: number) {
      events.push(['epochBegin', epoch, null]);
    }
    async onBatchEnd(batch: number, logs: any) {
      events.push(['batchEnd', batch, read(logs?.loss)]);
    }
    async onEpochEnd(epoch: number, logs: any) {
      events.push(['epochEnd', epoch, read(logs?.loss)]);
    }
  }
  return new Logger();
}

async function train(callbacks: unknown, wrapped: boolean, extra: Record<string, unknown> = {}) {
  if (wrapped) wrapAll();
  else unwrapAll();
  const { x, y } = data();
  const model = makeModel();
  const before = tf.memory().numTensors;
  const history = await model.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0, callbacks, ...extra });
  const after = tf.memory().numTensors;
  model.dispose();
  tf.dispose([x, y]);
  return { history: history.history, tensorDelta: after - before };
}

/** A GraphModel built in memory: y = x · [[2], [3]]. */
async function loadTinyGraphModel() {
  const modelTopology = {
    node: [
      { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '2' }] } } } },
      { name: 'w', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '2' }, { size: '1' }] } } } } },
      { name: 'y', op: 'MatMul', input: ['x', 'w'], attr: { T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, transpose_b: { b: false } } },
    ],
    library: {},
    versions: {},
  };
  const weightSpecs = [{ name: 'w', shape: [2, 1], dtype: 'float32' }];
  const weightData = new Float32Array([2, 3]).buffer;
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology, weightSpecs, weightData, format: 'graph-model' }));
}

beforeAll(() => {
  const warn = console.warn;
  const log = console.log;
  console.warn = () => {};
  console.log = () => {};
  try {
    tf = require('@tensorflow/tfjs');
  } finally {
    console.warn = warn;
    console.log = log;
  }
  layers = require('@tensorflow/tfjs-layers');
  converter = require('@tensorflow/tfjs-converter');
  core = require('@tensorflow/tfjs-core');
  coreVersion = require('@tensorflow/tfjs-core/package.json').version;
  layersVersion = require('@tensorflow/tfjs-layers/package.json').version;
  converterVersion = require('@tensorflow/tfjs-converter/package.json').version;
  originals = {
    fit: layers.LayersModel.prototype.fit,
    fitDataset: layers.LayersModel.prototype.fitDataset,
    predict: layers.LayersModel.prototype.predict,
    loadLayersModel: layers.loadLayersModel,
    gPredict: converter.GraphModel.prototype.predict,
    gExecute: converter.GraphModel.prototype.execute,
    gExecuteAsync: converter.GraphModel.prototype.executeAsync,
    loadGraphModel: converter.loadGraphModel,
    loadGraphModelSync: converter.loadGraphModelSync,
  };
});

beforeEach(() => {
  rec = new RecordingSignals();
});

afterEach(() => {
  unwrapAll();
});

afterAll(() => {
  unwrapAll();
});

describe('module shape (what the instrumentation relies on)', () => {
  it('the umbrella package re-exports the inner modules through getter-only properties', () => {
    expect(tf.LayersModel).toBe(layers.LayersModel);
    expect(tf.GraphModel).toBe(converter.GraphModel);
    const umbrella = Object.getOwnPropertyDescriptor(tf, 'loadLayersModel')!;
    expect(umbrella.get).toBeTypeOf('function');
    expect(umbrella.set).toBeUndefined();
    expect(umbrella.configurable).toBe(false);
    const inner = Object.getOwnPropertyDescriptor(layers, 'loadLayersModel')!;
    expect(inner.writable && inner.configurable).toBe(true);
  });

  it('declares the inner CJS packages with a 4.x range', () => {
    expect(tfjsInstrumentation.modules.map((m) => m.package)).toEqual(['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-converter']);
    for (const m of tfjsInstrumentation.modules) expect(m).toMatchObject({ versions: '>=4.0.0 <5', format: 'cjs' });
  });
});

describe('wrap / unwrap', () => {
  it('patches prototypes and writable loaders, keeps name and length, is idempotent, and unwrap restores the originals', () => {
    wrapAll();
    const fit = layers.LayersModel.prototype.fit;
    expect(fit).not.toBe(originals['fit']);
    expect(fit[ORIGINAL]).toBe(originals['fit']);
    expect(fit.name).toBe((originals['fit'] as any).name);
    expect(fit.length).toBe((originals['fit'] as any).length);
    expect(converter.GraphModel.prototype.executeAsync).not.toBe(originals['gExecuteAsync']);
    expect(layers.loadLayersModel).not.toBe(originals['loadLayersModel']);
    // the umbrella's getter reads the inner export live
    expect(tf.loadLayersModel).toBe(layers.loadLayersModel);
    expect(tf.loadGraphModel).toBe(converter.loadGraphModel);

    wrapAll();
    expect(layers.LayersModel.prototype.fit).toBe(fit);

    unwrapAll();
    expect(layers.LayersModel.prototype.fit).toBe(originals['fit']);
    expect(layers.LayersModel.prototype.fitDataset).toBe(originals['fitDataset']);
    expect(layers.LayersModel.prototype.predict).toBe(originals['predict']);
    expect(layers.loadLayersModel).toBe(originals['loadLayersModel']);
    expect(converter.GraphModel.prototype.predict).toBe(originals['gPredict']);
    expect(converter.GraphModel.prototype.execute).toBe(originals['gExecute']);
    expect(converter.GraphModel.prototype.executeAsync).toBe(originals['gExecuteAsync']);
    expect(converter.loadGraphModel).toBe(originals['loadGraphModel']);
    expect(converter.loadGraphModelSync).toBe(originals['loadGraphModelSync']);
    expect(tf.loadLayersModel).toBe(originals['loadLayersModel']);
  });

  it('an unsupported version patches nothing and says so once', () => {
    patchModules(tfjsInstrumentation, [['@tensorflow/tfjs-layers', layers, '3.21.0'], ['@tensorflow/tfjs-converter', converter, '5.0.0']], () => rec);
    expect(layers.LayersModel.prototype.fit).toBe(originals['fit']);
    expect(converter.GraphModel.prototype.predict).toBe(originals['gPredict']);
    expect(rec.debugLines).toHaveLength(2);
    expect(rec.debugLines[0]).toMatch(/^not patched: @tensorflow\/tfjs-layers version 3\.21\.0 /);
  });

  it('an unexpected shape patches nothing, never throws, and says so once', () => {
    for (const bad of [null, undefined, 42, 'x', {}, { LayersModel: 1 }, { GraphModel: class {} }]) {
      rec.reset();
      expect(() => patch(tfjsInstrumentation, bad, () => rec, '4.22.0')).not.toThrow();
      expect(rec.debugLines).toHaveLength(1);
      expect(() => unpatchModule(tfjsInstrumentation, bad)).not.toThrow();
    }
  });
});

describe('fit', () => {
  it('records ml.train with one ml.train.epoch child per epoch, progress, counters, loss and tfjs memory', async () => {
    const { history } = await train(undefined, true);
    rec.collect(); // what the agent does before each export
    const trains = rec.spansNamed('ml.train');
    expect(trains).toHaveLength(1);
    const run = trains[0]!;
    expect(run.attributes).toMatchObject({
      'ml.framework': 'tfjs',
      'ml.operation': 'fit',
      'ml.training.epochs.total': 3,
      'ml.training.batch_size': 8,
      'ml.training.steps_per_epoch': 4,
    });
    expect(run.ended).toBe(true);
    expect(run.errors).toEqual([]);

    const epochs = rec.spansNamed('ml.train.epoch');
    expect(epochs.map((e) => e.attributes['ml.training.epoch'])).toEqual([0, 1, 2]);
    for (const [i, e] of epochs.entries()) {
      expect(e.parent).toBe(run);
      expect(e.ended).toBe(true);
      expect(e.attributes['ml.framework']).toBe('tfjs');
      expect(e.attributes['ml.training.loss']).toBeCloseTo(history.loss[i], 6);
    }

    const fw = { 'ml.framework': 'tfjs' };
    expect(rec.metricValues('ml.training.epochs.completed', fw)).toEqual([3]);
    expect(rec.metricValues('ml.training.batches.completed', fw)).toEqual([12]);
    expect(rec.metricValues('ml.training.samples.completed', fw)).toEqual([96]);
    expect(rec.metricValues('ml.training.progress', fw)).toEqual([1]);
    const epochLoss = rec.metrics.filter((m) => m.metric === 'ml.training.loss' && m.attributes['ml.metric.split'] === 'train');
    expect(epochLoss.map((m) => m.value)).toEqual(history.loss.map((l: number) => expect.closeTo(l, 6)));
    expect(epochLoss.every((m, i) => i === 0 || m.timeMs! >= epochLoss[i - 1]!.timeMs!)).toBe(true);
    expect(run.attributes).toMatchObject({ 'ml.training.epochs.completed': 3, 'ml.training.batches.completed': 12, 'ml.training.samples.completed': 96, 'ml.training.fit.index': 0 });
    expect(run.attributes['ml.model.name']).toMatch(/^sequential_\d+$/);
    expect(run.attributes['ml.model.instance.id']).toMatch(/^[0-9a-f]{16}$/);
    const bytes = rec.metricValues('ml.tfjs.memory.bytes', fw);
    const tensors = rec.metricValues('ml.tfjs.memory.tensors', fw);
    expect(bytes.length).toBeGreaterThanOrEqual(1);
    expect(tensors.length).toBe(bytes.length);
    expect(bytes.every((b) => b > 0)).toBe(true);
    expect(rec.unknownNames()).toEqual([]);
  });

  it('leaves the same number of live tensors as without the instrumentation (every callbacks form)', async () => {
    const forms: Array<() => unknown> = [
      () => undefined,
      () => [],
      () => configCallback([]),
      () => [configCallback([]), configCallback([])],
      () => instanceCallback([]),
      () => [instanceCallback([])],
    ];
    for (const form of forms) {
      const plain = await train(form(), false);
      const instrumented = await train(form(), true);
      expect(instrumented.tensorDelta).toBe(plain.tensorDelta);
      expect(instrumented.history).toEqual(plain.history);
    }
  });

  it("gives the user's callbacks the same calls, in the same order, with the same values", async () => {
    for (const make of [configCallback, instanceCallback]) {
      const plainEvents: Event[] = [];
      const plain = await train(make(plainEvents), false);
      const wrappedEvents: Event[] = [];
      const instrumented = await train(make(wrappedEvents), true);
      expect(wrappedEvents.length).toBeGreaterThan(10);
      expect(wrappedEvents).toEqual(plainEvents);
      expect(instrumented.history).toEqual(plain.history);
    }
    // an array of config objects keeps its order too
    const a: Event[] = [];
    const b: Event[] = [];
    const events: Event[] = [];
    const tag = (list: Event[], t: string) => new Proxy(configCallback(list), {
      get: (target: any, key) => (typeof target[key] === 'function' ? async (...args: any[]) => { events.push([`${t}:${String(key)}`, null, null]); return target[key](...args); } : target[key]),
    });
    await train([tag(a, 'a'), tag(b, 'b')], true);
    const order = events.map((e) => e[0]);
    expect(order.slice(0, 4)).toEqual(['a:onTrainBegin', 'b:onTrainBegin', 'a:onEpochBegin', 'b:onEpochBegin']);
  });

  it("does not change or mutate the caller's args and callbacks array", async () => {
    const userCallbacks = [configCallback([])];
    const args = Object.freeze({ epochs: 1, batchSize: 16, verbose: 0, shuffle: false, callbacks: userCallbacks });
    wrapAll();
    const { x, y } = data();
    const model = makeModel();
    await model.fit(x, y, args);
    expect(args.callbacks).toBe(userCallbacks);
    expect(userCallbacks).toHaveLength(1);
    model.dispose();
    tf.dispose([x, y]);
  });

  it('works without args (fit(x, y)) and with validation data', async () => {
    wrapAll();
    const { x, y } = data();
    const model = makeModel();
    const h1 = await model.fit(x, y);
    expect(h1.history.loss).toHaveLength(1);
    const h2 = await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, validationSplit: 0.25 });
    expect(h2.history.val_loss).toHaveLength(2);
    model.dispose();
    tf.dispose([x, y]);
    const trains = rec.spansNamed('ml.train');
    expect(trains).toHaveLength(2);
    expect(trains[0]!.attributes).toMatchObject({ 'ml.training.epochs.total': 1, 'ml.training.batch_size': 32, 'ml.training.steps_per_epoch': 1 });
    expect(trains[1]!.attributes).toMatchObject({ 'ml.training.epochs.total': 2, 'ml.training.batch_size': 16, 'ml.training.steps_per_epoch': 2 });
  });

  it('records an error thrown inside fit on the span and rethrows the same object', async () => {
    wrapAll();
    const { x, y } = data();
    const model = makeModel();
    const boom = new Error('boom in a callback');
    const failing = model.fit(x, y, {
      epochs: 3,
      verbose: 0,
      callbacks: {
        onEpochEnd: async (epoch: number) => {
          if (epoch === 1) throw boom;
        },
      },
    });
    await expect(failing).rejects.toBe(boom);
    // a bad call (shapes do not match) fails inside tfjs
    const bad = tf.tensor2d([[1, 2, 3]]);
    let caught: unknown;
    try {
      await model.fit(bad, tf.tensor2d([[1]]), { epochs: 1, verbose: 0 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Error);
    model.dispose();
    tf.dispose([x, y, bad]);

    const [first, second] = rec.spansNamed('ml.train');
    expect(first!.errors).toEqual([boom]);
    expect(first!.ended).toBe(true);
    expect(second!.errors).toEqual([caught]);
    const epochs = rec.spansNamed('ml.train.epoch').filter((e) => e.parent === first);
    expect(epochs.map((e) => e.attributes['ml.training.epoch'])).toEqual([0, 1]);
    expect(epochs.every((e) => e.ended)).toBe(true);
    expect(rec.countedErrors).toEqual([boom, caught]);
  });

  it('a second concurrent fit still fails the way tfjs makes it fail', async () => {
    wrapAll();
    const { x, y } = data();
    const model = makeModel();
    const first = model.fit(x, y, { epochs: 2, verbose: 0 });
    await expect(model.fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow(/another fit\(\) call is ongoing/);
    await first;
    model.dispose();
    tf.dispose([x, y]);
  });

  it('keeps training working when the facade throws everywhere', async () => {
    const plain = await train(undefined, false);
    wrapAll(() => throwingSignals());
    const { x, y } = data();
    const model = makeModel();
    const h = await model.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
    expect(h.history).toEqual(plain.history);
    const out = model.predict(tf.tensor2d([[1, 1]]));
    expect(out.shape).toEqual([1, 1]);
    model.dispose();
    tf.dispose([x, y, out]);
  });

  it('keeps training working when the signals getter itself throws', async () => {
    wrapAll(() => {
      throw new Error('no facade');
    });
    const { x, y } = data();
    const model = makeModel();
    const h = await model.fit(x, y, { epochs: 1, verbose: 0 });
    expect(h.history.loss).toHaveLength(1);
    model.dispose();
    tf.dispose([x, y]);
  });
});

describe('fitDataset', () => {
  it('records ml.train (operation fitDataset) with epochs; batch size is unknown so it is omitted', async () => {
    wrapAll();
    const { x, y } = data();
    const xs = tf.data.array(tf.unstack(x));
    const ys = tf.data.array(tf.unstack(y));
    const ds = tf.data.zip({ xs, ys }).batch(8);
    const model = makeModel();
    const events: Event[] = [];
    const h = await model.fitDataset(ds, { epochs: 2, verbose: 0, callbacks: configCallback(events) });
    expect(h.history.loss).toHaveLength(2);
    expect(events.filter((e) => e[0] === 'epochEnd')).toHaveLength(2);
    model.dispose();
    tf.dispose([x, y]);

    const [run] = rec.spansNamed('ml.train');
    expect(run!.attributes).toMatchObject({ 'ml.framework': 'tfjs', 'ml.operation': 'fitDataset', 'ml.training.epochs.total': 2 });
    expect(run!.attributes['ml.training.batch_size']).toBeUndefined();
    expect(rec.spansNamed('ml.train.epoch')).toHaveLength(2);
    expect(rec.metricValues('ml.training.batches.completed')).toEqual([8]);
    expect(rec.metricValues('ml.training.samples.completed')).toEqual([64]); // 2 epochs × 32
    expect(rec.metricValues('ml.training.progress').at(-1)).toBe(1);
  });

  it('fitDataset without its required args fails exactly as tfjs makes it fail', async () => {
    const model = makeModel();
    const ds = tf.data.array([1, 2]);
    const message = async () => {
      try {
        await model.fitDataset(ds);
      } catch (e) {
        return [(e as Error).constructor.name, (e as Error).message];
      }
      return 'resolved';
    };
    const plain = await message();
    wrapAll();
    expect(await message()).toEqual(plain);
    expect(plain).not.toBe('resolved');
    model.dispose();
  });
});

describe('inference', () => {
  it('LayersModel.predict (via Sequential) → one inference record per call', () => {
    wrapAll();
    const model = makeModel();
    const input = tf.tensor2d([[1, 2]]);
    for (let i = 0; i < 5; i++) tf.dispose(model.predict(input));
    model.dispose();
    input.dispose();
    expect(rec.inferences).toHaveLength(5);
    for (const r of rec.inferences) {
      expect(r.attributes).toEqual({ 'ml.framework': 'tfjs', 'ml.operation': 'predict', 'ml.model.name': expect.stringMatching(/^sequential_\d+$/) });
      expect(r.seconds).toBeGreaterThan(0);
      expect(r.error).toBeUndefined();
      expect(typeof r.startTimeMs).toBe('number');
    }
  });

  it('predict errors are recorded and rethrown unchanged', () => {
    wrapAll();
    const model = makeModel();
    const wrongShape = tf.tensor2d([[1, 2, 3]]);
    let caught: unknown;
    try {
      model.predict(wrongShape);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(rec.inferences).toHaveLength(1);
    expect(rec.inferences[0]!.error).toBe(caught);
    model.dispose();
    wrongShape.dispose();
  });

  it('GraphModel: loadGraphModel → ml.model.load; predict (which calls execute), execute and executeAsync are recorded once each', async () => {
    wrapAll();
    const model = await loadTinyGraphModel();
    const [load] = rec.spansNamed('ml.model.load');
    expect(load!.attributes).toMatchObject({ 'ml.framework': 'tfjs', 'ml.operation': 'loadGraphModel' });
    expect(load!.attributes['ml.model.name']).toBeUndefined(); // an IO handler has no name
    expect(load!.ended).toBe(true);

    const input = tf.tensor2d([[1, 1]]);
    const a = model.predict(input);
    expect(Array.from(a.dataSync())).toEqual([5]);
    const b = model.execute(input);
    const warn = console.warn;
    console.warn = () => {};
    const c = await model.executeAsync(input);
    console.warn = warn;
    expect(Array.from(c.dataSync())).toEqual([5]);
    tf.dispose([a, b, c, input]);
    expect(rec.inferences.map((r) => r.attributes['ml.operation'])).toEqual(['predict', 'execute', 'executeAsync']);
    expect(rec.inferences.every((r) => r.attributes['ml.framework'] === 'tfjs')).toBe(true);
    model.dispose();
  });
});

describe('model loading', () => {
  it('loadLayersModel from an IO handler → ml.model.load span; the umbrella export reaches the wrapper', async () => {
    const model = makeModel();
    let artifacts: any;
    await model.save(tf.io.withSaveHandler(async (a: any) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    model.dispose();
    wrapAll();
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    loaded.dispose();
    const [load] = rec.spansNamed('ml.model.load');
    expect(load!.attributes).toMatchObject({ 'ml.framework': 'tfjs', 'ml.operation': 'loadLayersModel' });
    expect(load!.ended).toBe(true);
    expect(load!.errors).toEqual([]);
  });

  it('a failing load records the error, rethrows the same object, and never sends the path', async () => {
    wrapAll();
    const path = 'file:///home/alice/secret-project/model.json';
    let caught: unknown;
    try {
      await tf.loadLayersModel(path);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Error);
    const [load] = rec.spansNamed('ml.model.load');
    expect(load!.errors).toEqual([caught]);
    expect(load!.ended).toBe(true);
    expect(load!.attributes['ml.model.name']).toMatch(/^sha256:/);
    expect(rec.allStrings().some((s) => s.includes('alice') || s.includes('secret-project'))).toBe(false);
  });
});

describe('training values, runs and custom loops', () => {
  it("fit with validation and metrics ['acc', custom]: train/validation loss, acc by name, a custom metric hashed; the same values tfjs returns", async () => {
    wrapAll();
    const x = tf.tensor2d(Array.from({ length: 40 }, (_, i) => [(i % 10) / 10, Math.floor(i / 10) / 4]));
    const y = tf.tensor2d(Array.from({ length: 40 }, (_, i) => [i % 2]));
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid', kernelInitializer: 'zeros' })] });
    function myScore(yTrue: any, yPred: any) { return tf.metrics.binaryAccuracy(yTrue, yPred); }
    model.compile({ optimizer: tf.train.sgd(0.5), loss: 'binaryCrossentropy', metrics: ['acc', myScore] });
    const h = await model.fit(x, y, { epochs: 2, batchSize: 10, validationSplit: 0.25, verbose: 0 });
    model.dispose();
    tf.dispose([x, y]);
    rec.collect();

    const at = (metric: string, filter: Record<string, string>) => rec.metricValues(metric, filter);
    expect(at('ml.training.loss', { 'ml.metric.split': 'train' })).toEqual(h.history.loss.map((v: number) => expect.closeTo(v, 6)));
    expect(at('ml.training.loss', { 'ml.metric.split': 'validation' })).toEqual(h.history.val_loss.map((v: number) => expect.closeTo(v, 6)));
    expect(at('ml.training.metric', { 'ml.metric.name': 'acc', 'ml.metric.split': 'train' })).toEqual(h.history.acc.map((v: number) => expect.closeTo(v, 6)));
    expect(at('ml.training.metric', { 'ml.metric.name': 'acc', 'ml.metric.split': 'validation' })).toEqual(h.history.val_acc.map((v: number) => expect.closeTo(v, 6)));
    const custom = rec.metrics.filter((m) => m.metric === 'ml.training.metric' && String(m.attributes['ml.metric.name']).startsWith('sha256:'));
    expect(custom).toHaveLength(4); // myScore, train and validation, 2 epochs
    expect(rec.allStrings().some((s) => s.includes('myScore'))).toBe(false);
    // training samples only: 30 of 40 (validationSplit 0.25), per epoch
    expect(rec.metricValues('ml.training.samples.completed')).toEqual([60]);
    const [epoch0] = rec.spansNamed('ml.train.epoch');
    expect(epoch0!.events.map((e) => [e.attributes['ml.metric.name'], e.attributes['ml.metric.split']])).toEqual(expect.arrayContaining([
      ['loss', 'train'], ['loss', 'validation'], ['acc', 'train'], ['acc', 'validation'],
    ]));
    expect(rec.unknownNames()).toEqual([]);
  });

  it('repeated fit({ epochs: 1 }) on one model: one model instance id, fit index 0, 1, 2; a user-chosen model name is hashed', async () => {
    wrapAll();
    const { x, y } = data();
    const model = tf.sequential({ name: 'secret_project_net' });
    model.add(tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'zeros' }));
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    for (let i = 0; i < 3; i++) await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    tf.dispose(model.predict(x));
    model.dispose();
    tf.dispose([x, y]);
    const trains = rec.spansNamed('ml.train');
    expect(trains.map((s) => s.attributes['ml.training.fit.index'])).toEqual([0, 1, 2]);
    expect(new Set(trains.map((s) => s.attributes['ml.model.instance.id'])).size).toBe(1);
    expect(trains.every((s) => /^sha256:/.test(String(s.attributes['ml.model.name'])))).toBe(true);
    expect(rec.inferences[0]!.attributes['ml.model.name']).toBe(trains[0]!.attributes['ml.model.name']);
    expect(rec.allStrings().some((s) => s.includes('secret_project'))).toBe(false);
  });

  it('a custom loop: optimizer.minimize steps outside fit are batches of one ml.operation=minimize run; the cost only when asked for', async () => {
    wrapAll();
    const w = tf.variable(tf.scalar(0));
    const xs = tf.tensor1d([1, 2, 3, 4]);
    const ys = tf.tensor1d([2, 4, 6, 8]);
    const optimizer = tf.train.sgd(0.01);
    const loss = () => tf.losses.meanSquaredError(ys, xs.mul(w));
    const costs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const cost = optimizer.minimize(loss, true);
      costs.push(cost.dataSync()[0]); // the app's own read
      cost.dispose();
    }
    for (let i = 0; i < 3; i++) optimizer.minimize(loss); // no cost asked for
    rec.collect();
    const [run] = rec.spansNamed('ml.train');
    expect(run!.attributes).toMatchObject({ 'ml.framework': 'tfjs', 'ml.operation': 'minimize', 'ml.training.batches.completed': 8 });
    expect(rec.metricValues('ml.training.batches.completed', { 'ml.framework': 'tfjs', 'ml.operation': 'minimize' })).toEqual([8]);
    expect(rec.metricValues('ml.training.loss', { 'ml.operation': 'minimize' })).toEqual([expect.closeTo(costs[4]!, 6)]);
    // fit's own optimizer steps are not counted again
    const { x, y } = data();
    const model = makeModel();
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    model.dispose();
    tf.dispose([x, y, w, xs, ys]);
    rec.collect();
    expect(rec.metricValues('ml.training.batches.completed', { 'ml.operation': 'minimize' })).toEqual([8]);
    const memory = rec.metricValues('ml.tfjs.memory.tensors');
    expect(memory.length).toBeGreaterThanOrEqual(2); // sampled at each collection
  });

  it('never reads a tensor the backend has not resolved: no dataSync, data or arraySync on the logs', async () => {
    wrapAll();
    const proto = Object.getPrototypeOf(tf.scalar(1));
    const names = ['dataSync', 'data', 'arraySync', 'array'] as const;
    const saved = names.map((n) => proto[n]);
    const calls: string[] = [];
    names.forEach((n, i) => {
      proto[n] = function (this: unknown, ...a: unknown[]) {
        calls.push(n);
        return (saved[i] as Function).apply(this, a);
      };
    });
    try {
      const { x, y } = data();
      const model = makeModel();
      await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
      const base = calls.length; // tfjs' own reads (its History resolves the logs at the end)
      calls.length = 0;
      unwrapAll();
      await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
      expect(calls.length).toBe(base);
      model.dispose();
      tf.dispose([x, y]);
    } finally {
      names.forEach((n, i) => { proto[n] = saved[i]; });
    }
    expect(rec.metricValues('ml.training.loss', { 'ml.metric.split': 'train' })).toHaveLength(2);
  });
});
