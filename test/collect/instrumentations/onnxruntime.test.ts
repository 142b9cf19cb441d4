// The ONNX Runtime instrumentation against the real onnxruntime-node 1.x (CPU) and a tiny model
// written by examples/models/tiny-onnx.mjs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { onnxruntimeInstrumentation } from '../../../src/collect/instrumentations/onnxruntime.js';
import { ORIGINAL } from '../../../src/collect/instrumentations/wrap-util.js';
import { patch, unpatchModule } from './patching.js';
import { RecordingSignals, throwingSignals } from './recording-signals.js';

interface TinyOnnxModule {
  writeTinyOnnxModel(filePath: string): Promise<string>;
  TINY_ONNX_INPUT: readonly number[];
  TINY_ONNX_EXPECTED: readonly number[];
}
const fixtureUrl = new URL('../../../examples/models/tiny-onnx.mjs', import.meta.url).href;

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
let ort: any;
let common: any;
let commonVersion: string;
let nodeVersion: string;
let fixture: TinyOnnxModule;
let dir: string;
let modelPath: string;
let originalCreate: unknown;
let originalRun: unknown;
let rec: RecordingSignals;

const feeds = () => ({ x: new ort.Tensor('float32', Float32Array.from(fixture.TINY_ONNX_INPUT), [1, 4]) });

beforeAll(async () => {
  ort = require('onnxruntime-node');
  // the package onnxruntime-node itself requires (its CJS build)
  const fromNode = createRequire(require.resolve('onnxruntime-node'));
  common = fromNode('onnxruntime-common');
  // its exports map hides ./package.json: read it next to the resolved main (dist/cjs/index.js)
  commonVersion = JSON.parse(readFileSync(join(dirname(fromNode.resolve('onnxruntime-common')), '..', '..', 'package.json'), 'utf8')).version;
  expect(commonVersion).toMatch(/^1\./);
  nodeVersion = require('onnxruntime-node/package.json').version;
  fixture = (await import(fixtureUrl)) as TinyOnnxModule;
  dir = mkdtempSync(join(tmpdir(), 'ta-onnx-'));
  modelPath = await fixture.writeTinyOnnxModel(join(dir, 'private', 'tiny.onnx'));
  originalCreate = common.InferenceSession.create;
  originalRun = common.InferenceSession.prototype.run;
});

beforeEach(() => {
  rec = new RecordingSignals();
});

afterEach(() => {
  unpatchModule(onnxruntimeInstrumentation, common);
});

afterAll(() => {
  unpatchModule(onnxruntimeInstrumentation, common);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('module shape', () => {
  it('onnxruntime-node re-exports the InferenceSession class of onnxruntime-common', () => {
    expect(ort.InferenceSession).toBe(common.InferenceSession);
    expect(Object.hasOwn(common.InferenceSession.prototype, 'run')).toBe(true);
    expect(Object.hasOwn(common.InferenceSession, 'create')).toBe(true);
  });
});

describe('wrap / unwrap', () => {
  it('patches create and prototype.run (name/length kept), idempotently, through either package; unwrap restores them', () => {
    patch(onnxruntimeInstrumentation, common, () => rec, commonVersion);
    const create = common.InferenceSession.create;
    const run = common.InferenceSession.prototype.run;
    expect(create).not.toBe(originalCreate);
    expect(run).not.toBe(originalRun);
    expect(run[ORIGINAL]).toBe(originalRun);
    expect(run.name).toBe('run');
    expect(run.length).toBe((originalRun as any).length);
    expect(create.length).toBe((originalCreate as any).length);
    // the same class reached through onnxruntime-node: no second layer
    patch(onnxruntimeInstrumentation, ort, () => rec, nodeVersion);
    expect(common.InferenceSession.create).toBe(create);
    expect(common.InferenceSession.prototype.run).toBe(run);
    unpatchModule(onnxruntimeInstrumentation, ort);
    expect(common.InferenceSession.create).toBe(originalCreate);
    expect(common.InferenceSession.prototype.run).toBe(originalRun);
  });

  it('unsupported versions and unexpected shapes patch nothing, never throw, and say so once', () => {
    patch(onnxruntimeInstrumentation, common, () => rec, '1.13.1');
    patch(onnxruntimeInstrumentation, common, () => rec, '2.0.0');
    expect(common.InferenceSession.prototype.run).toBe(originalRun);
    expect(rec.debugLines).toHaveLength(2);
    for (const bad of [null, 1, {}, { InferenceSession: {} }, { InferenceSession: class {} }]) {
      rec.reset();
      expect(() => patch(onnxruntimeInstrumentation, bad, () => rec, '1.30.0')).not.toThrow();
      expect(rec.debugLines).toHaveLength(1);
      expect(() => unpatchModule(onnxruntimeInstrumentation, bad)).not.toThrow();
    }
  });
});

describe('sessions', () => {
  it('create(path) → ml.model.load with a hashed model name (never the path); every run → one inference record', async () => {
    patch(onnxruntimeInstrumentation, common, () => rec, commonVersion);
    const session = await ort.InferenceSession.create(modelPath);
    const [load] = rec.spansNamed('ml.model.load');
    expect(load!.attributes).toMatchObject({ 'ml.framework': 'onnxruntime', 'ml.operation': 'create' });
    expect(load!.attributes['ml.model.name']).toBe(rec.modelName(modelPath));
    expect(load!.ended).toBe(true);

    for (let i = 0; i < 25; i++) {
      const out = await session.run(feeds());
      expect(Array.from(out.y.data)).toEqual(fixture.TINY_ONNX_EXPECTED);
    }
    expect(rec.inferences).toHaveLength(25);
    const first = rec.inferences[0]!;
    expect(first.attributes).toEqual({ 'ml.framework': 'onnxruntime', 'ml.operation': 'run', 'ml.model.name': rec.modelName(modelPath) });
    // one attributes object per session (cheap for the facade to cache)
    expect(rec.inferences.every((r) => r.attributes === first.attributes)).toBe(true);
    expect(rec.inferences.every((r) => r.seconds > 0 && r.seconds < 5 && r.error === undefined)).toBe(true);
    expect(typeof first.startTimeMs).toBe('number');
    expect(first.startTimeMs!).toBeLessThanOrEqual(performance.now());
    await session.release();

    expect(rec.allStrings().some((s) => s.includes(dir) || s.includes('private') || s.includes('tiny.onnx'))).toBe(false);
    expect(rec.unknownNames()).toEqual([]);
  });

  it('create(buffer) has no model name; runs use the default attributes', async () => {
    patch(onnxruntimeInstrumentation, common, () => rec, commonVersion);
    const session = await ort.InferenceSession.create(readFileSync(modelPath));
    await session.run(feeds(), ['y']);
    await session.run(feeds(), {});
    const [load] = rec.spansNamed('ml.model.load');
    expect(load!.attributes['ml.model.name']).toBeUndefined();
    expect(rec.inferences.map((r) => r.attributes)).toEqual([
      { 'ml.framework': 'onnxruntime', 'ml.operation': 'run' },
      { 'ml.framework': 'onnxruntime', 'ml.operation': 'run' },
    ]);
    await session.release();
  });

  it('a failing run is recorded with its error, which is rethrown unchanged', async () => {
    patch(onnxruntimeInstrumentation, common, () => rec, commonVersion);
    const session = await ort.InferenceSession.create(modelPath);
    let caught: unknown;
    try {
      await session.run({ wrong: feeds().x });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(rec.inferences).toHaveLength(1);
    expect(rec.inferences[0]!.error).toBe(caught);
    expect(rec.countedErrors).toEqual([caught]);
    await session.release();
  });

  it('a failing create records the error on the span and rethrows it unchanged', async () => {
    patch(onnxruntimeInstrumentation, common, () => rec, commonVersion);
    const missing = join(dir, 'private', 'missing.onnx');
    let caught: unknown;
    try {
      await ort.InferenceSession.create(missing);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Error);
    const [load] = rec.spansNamed('ml.model.load');
    expect(load!.errors).toEqual([caught]);
    expect(load!.ended).toBe(true);
    // an argument error thrown by the library's own validation is rethrown as well
    await expect(ort.InferenceSession.create(42)).rejects.toThrow(TypeError);
    expect(rec.spansNamed('ml.model.load')).toHaveLength(2);
  });

  it('sessions keep working when the facade throws everywhere', async () => {
    patch(onnxruntimeInstrumentation, common, () => throwingSignals(), commonVersion);
    const session = await ort.InferenceSession.create(modelPath);
    const out = await session.run(feeds());
    expect(Array.from(out.y.data)).toEqual(fixture.TINY_ONNX_EXPECTED);
    await expect(session.run({})).rejects.toThrow(/missing in 'feeds'/);
    await session.release();
  });

  it('a rejected run stays unhandled-visible: the returned promise rejects, nothing is swallowed', async () => {
    patch(onnxruntimeInstrumentation, common, () => rec, commonVersion);
    const session = await ort.InferenceSession.create(modelPath);
    const reasons: unknown[] = [];
    const onUnhandled = (reason: unknown) => reasons.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      void session.run({});
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(reasons).toHaveLength(1);
    expect(rec.inferences[0]!.error).toBe(reasons[0]);
    await session.release();
  });
});
