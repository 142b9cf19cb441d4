// The Transformers.js instrumentation against the real @huggingface/transformers 4.x (ESM
// namespace), fully offline with the tiny local model of examples/models/tiny-transformers.mjs.
// onnxruntime is instrumented too, to check that its spans nest under the pipeline's.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { onnxruntimeInstrumentation } from '../../../src/collect/instrumentations/onnxruntime.js';
import { transformersInstrumentation } from '../../../src/collect/instrumentations/transformers.js';
import { patch, unpatchModule } from './patching.js';
import { RecordingSignals, throwingSignals } from './recording-signals.js';

interface TinyTransformersModule {
  writeTinyTransformersModel(dir: string): Promise<{ modelId: string; modelDir: string }>;
  TINY_TRANSFORMERS_MODEL_ID: string;
}
const fixtureUrl = new URL('../../../examples/models/tiny-transformers.mjs', import.meta.url).href;

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
let T: any; // the module namespace
let common: any;
let commonVersion: string;
let version: string;
let modelId: string;
let dir: string;
let originals: Map<string, unknown>;
let rec: RecordingSignals;

const wrapAll = (signals: () => any = () => rec) => {
  patch(transformersInstrumentation, T, signals, version);
  patch(onnxruntimeInstrumentation, common, signals, commonVersion);
};
const unwrapAll = () => {
  unpatchModule(transformersInstrumentation, T);
  unpatchModule(onnxruntimeInstrumentation, common);
};

beforeAll(async () => {
  T = await import('@huggingface/transformers');
  version = JSON.parse(readFileSync(join(dirname(require.resolve('@huggingface/transformers')), '..', 'package.json'), 'utf8')).version;
  const fromNode = createRequire(require.resolve('onnxruntime-node'));
  common = fromNode('onnxruntime-common');
  commonVersion = JSON.parse(readFileSync(join(dirname(fromNode.resolve('onnxruntime-common')), '..', '..', 'package.json'), 'utf8')).version;
  const fixture = (await import(fixtureUrl)) as TinyTransformersModule;
  dir = mkdtempSync(join(tmpdir(), 'ta-transformers-'));
  ({ modelId } = await fixture.writeTinyTransformersModel(dir));
  T.env.allowRemoteModels = false;
  T.env.localModelPath = dir;
  originals = new Map();
  for (const name of Object.keys(T)) {
    if (name.endsWith('Pipeline') && Object.hasOwn(T[name].prototype, '_call')) originals.set(name, T[name].prototype._call);
  }
  originals.set('from_pretrained', T.PreTrainedModel.from_pretrained);
});

beforeEach(() => {
  rec = new RecordingSignals();
});

afterEach(() => {
  unwrapAll();
});

afterAll(() => {
  unwrapAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('module shape', () => {
  it('pipeline is a live, read-only binding; pipeline classes and PreTrainedModel are exported', () => {
    expect(() => {
      T.pipeline = () => {};
    }).toThrow(TypeError);
    expect(originals.size).toBeGreaterThan(20);
    expect(originals.has('TextClassificationPipeline')).toBe(true);
    // these inherit Text2TextGenerationPipeline's _call
    expect(Object.hasOwn(T.SummarizationPipeline.prototype, '_call')).toBe(false);
    expect(transformersInstrumentation.modules).toContainEqual({ package: '@huggingface/transformers', versions: '>=4.0.0 <5', format: 'esm' });
  });
});

describe('wrap / unwrap', () => {
  it('patches every own pipeline _call and PreTrainedModel.from_pretrained; idempotent; unwrap restores', () => {
    wrapAll();
    const patched = T.TextClassificationPipeline.prototype._call;
    expect(patched).not.toBe(originals.get('TextClassificationPipeline'));
    expect(patched.name).toBe('_call');
    expect(T.PreTrainedModel.from_pretrained).not.toBe(originals.get('from_pretrained'));
    expect(Object.hasOwn(T.SummarizationPipeline.prototype, '_call')).toBe(false);
    wrapAll();
    expect(T.TextClassificationPipeline.prototype._call).toBe(patched);
    unwrapAll();
    for (const [name, fn] of originals) {
      if (name === 'from_pretrained') expect(T.PreTrainedModel.from_pretrained).toBe(fn);
      else expect(T[name].prototype._call).toBe(fn);
    }
  });

  it('the CommonJS build (its own copies of the classes) is patched the same way', () => {
    const cjs = require('@huggingface/transformers');
    expect(cjs.TextClassificationPipeline).not.toBe(T.TextClassificationPipeline);
    const original = cjs.TextClassificationPipeline.prototype._call;
    const originalLoad = cjs.PreTrainedModel.from_pretrained;
    patch(transformersInstrumentation, cjs, () => rec, version);
    expect(cjs.TextClassificationPipeline.prototype._call).not.toBe(original);
    expect(cjs.PreTrainedModel.from_pretrained).not.toBe(originalLoad);
    unpatchModule(transformersInstrumentation, cjs);
    expect(cjs.TextClassificationPipeline.prototype._call).toBe(original);
    expect(cjs.PreTrainedModel.from_pretrained).toBe(originalLoad);
    expect(rec.debugLines).toEqual([`instrumented @huggingface/transformers@${version} (transformers)`]);
  });

  it('unsupported versions and unexpected shapes patch nothing, never throw, and say so once', () => {
    patch(transformersInstrumentation, T, () => rec, '3.7.0');
    expect(T.TextClassificationPipeline.prototype._call).toBe(originals.get('TextClassificationPipeline'));
    expect(rec.debugLines).toHaveLength(1);
    for (const bad of [null, 7, {}, { FooPipeline: 1 }]) {
      rec.reset();
      expect(() => patch(transformersInstrumentation, bad, () => rec, '4.3.1')).not.toThrow();
      expect(rec.debugLines).toHaveLength(1);
      expect(() => unpatchModule(transformersInstrumentation, bad)).not.toThrow();
    }
  });
});

describe('pipelines', () => {
  it('pipeline() → transformers.js ml.model.load with the onnxruntime load as its child', async () => {
    wrapAll();
    const classify = await T.pipeline('text-classification', modelId);
    const loads = rec.spansNamed('ml.model.load');
    const outer = loads.find((s) => s.attributes['ml.framework'] === 'transformers.js');
    const inner = loads.find((s) => s.attributes['ml.framework'] === 'onnxruntime');
    expect(outer!.attributes).toMatchObject({ 'ml.operation': 'from_pretrained', 'ml.model.name': rec.modelName(modelId) });
    expect(outer!.ended).toBe(true);
    expect(inner!.parent).toBe(outer);
    // on Node, transformers.js gives onnxruntime the file path: only its hash is recorded
    expect(inner!.attributes['ml.model.name']).toMatch(/^sha256:/);
    expect(loads).toHaveLength(2);
    expect(rec.allStrings().some((s) => s.includes(dir))).toBe(false);
    await classify.dispose();
  });

  it('each pipeline call → one ml.inference span (task, model) with the onnxruntime runs inside it', async () => {
    wrapAll();
    const classify = await T.pipeline('text-classification', modelId);
    rec.reset();
    const [positive] = await classify('I love this great movie');
    expect(positive.label).toBe('POSITIVE');
    const batch = await classify(['this is awful', 'so happy']);
    expect(batch.map((r: any) => r.label)).toEqual(['NEGATIVE', 'POSITIVE']);

    const spans = rec.spansNamed('ml.inference');
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.attributes).toEqual({
        'ml.framework': 'transformers.js',
        'ml.operation': 'pipeline',
        'ml.task': 'text-classification',
        'ml.model.name': rec.modelName(modelId),
      });
      expect(span.ended).toBe(true);
      expect(span.parent).toBeUndefined();
    }
    // onnxruntime records its own runs (ml.framework=onnxruntime) with the pipeline span current:
    // the model's session, plus the small helper sessions transformers.js runs for ops like topk
    // (created lazily inside the first call, so their ml.model.load nests under it too)
    expect(rec.inferences.length).toBeGreaterThanOrEqual(2);
    expect(rec.inferences.every((r) => r.current !== undefined && spans.includes(r.current))).toBe(true);
    expect(rec.inferences.every((r) => r.attributes['ml.framework'] === 'onnxruntime')).toBe(true);
    expect(rec.inferences.filter((r) => r.attributes['ml.model.name'] !== undefined).map((r) => r.current)).toEqual(spans);
    expect(rec.spansNamed('ml.model.load').every((s) => s.parent !== undefined && spans.includes(s.parent))).toBe(true);
    // the pipeline's own duration, under its own framework: not mixed with the onnxruntime series
    const durations = rec.metrics.filter((m) => m.metric === 'ml.inference.duration');
    expect(durations).toHaveLength(2);
    expect(durations.every((m) => m.attributes['ml.framework'] === 'transformers.js' && m.value > 0)).toBe(true);
    expect(rec.unknownNames()).toEqual([]);
    expect(rec.allStrings().some((s) => s.includes(dir))).toBe(false);
    await classify.dispose();
  });

  it('a failing pipeline call records the error and rethrows the same object', async () => {
    wrapAll();
    const classify = await T.pipeline('text-classification', modelId);
    await classify.dispose(); // releases the ONNX sessions: the next call fails inside onnxruntime
    rec.reset();
    let caught: unknown;
    const consoleError = console.error;
    console.error = () => {}; // transformers.js logs the failed inputs
    try {
      await classify('I love this');
    } catch (e) {
      caught = e;
    } finally {
      console.error = consoleError;
    }
    expect(caught).toBeInstanceOf(Error);
    const [span] = rec.spansNamed('ml.inference');
    expect(span!.errors).toEqual([caught]);
    expect(span!.ended).toBe(true);
    expect(rec.inferences.map((r) => r.error)).toEqual([caught]);
  });

  it('a failing model load records the error and rethrows the same object', async () => {
    wrapAll();
    let caught: unknown;
    try {
      await T.BertForSequenceClassification.from_pretrained('local-org/does-not-exist');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Error);
    const [load] = rec.spansNamed('ml.model.load');
    expect(load!.errors).toEqual([caught]);
    expect(load!.attributes['ml.model.name']).toBe(rec.modelName('local-org/does-not-exist'));
  });

  it('pipeline() failing before any model class is involved (missing files) is not spanned (documented limit)', async () => {
    wrapAll();
    await expect(T.pipeline('text-classification', 'local-org/does-not-exist')).rejects.toThrow();
    expect(rec.spansNamed('ml.model.load')).toEqual([]);
  });

  it('pipelines keep working when the facade throws everywhere', async () => {
    wrapAll(() => throwingSignals());
    const classify = await T.pipeline('text-classification', modelId);
    const [r] = await classify('bad slow movie');
    expect(r.label).toBe('NEGATIVE');
    await classify.dispose();
  });
});
