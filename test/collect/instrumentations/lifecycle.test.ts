// The lifecycle every instrumentation goes through (version gate, patch table applied once per
// module, unpatching, never throwing), with a small library of our own as the patched module.
import { describe, expect, it } from 'vitest';
import { INSTRUMENTATIONS } from '../../../src/collect/instrumentations/index.js';
import { InstrumentationHost, createTelemetry, unpatchModule } from '../../../src/collect/instrumentations/lifecycle.js';
import type { AnyFunction, Instrumentation, Telemetry } from '../../../src/collect/instrumentations/types.js';
import { observeCall } from '../../../src/collect/instrumentations/wrap-util.js';
import { RecordingSignals, throwingSignals } from './recording-signals.js';

/** A module shaped like a small ML library: a class with an async method, and a loader. */
function library() {
  class Model {
    async run(x: number): Promise<number> {
      if (x < 0) throw new RangeError('negative');
      return x * 2;
    }
  }
  return { Model, load: (name: string) => ({ name }) };
}

/** An instrumentation written the way the library files are: a patch table and what to record. */
const toy: Instrumentation = {
  id: 'toy',
  modules: [
    { package: 'toy-lib', versions: '>=1.0.0 <2', format: 'esm' },
    { package: 'toy-lib', versions: '>=1.0.0 <2', format: 'cjs' },
  ],
  patches(exp, t: Telemetry) {
    const Model = exp['Model'] as { prototype: object } | undefined;
    if (!Model) return 'Model not found';
    const calls = new WeakMap<object, number>(); // state shared by this module's wrappers
    const run = (original: AnyFunction): AnyFunction => function (this: unknown) {
      calls.set(this as object, (calls.get(this as object) ?? 0) + 1);
      const t0 = performance.now();
      return observeCall(original, this, arguments, (error, failed) =>
        t.inference((performance.now() - t0) / 1000, { 'ml.framework': 'toy' }, failed ? error : undefined));
    };
    return [
      { label: 'Model.prototype.run', target: Model.prototype, method: 'run', wrapper: run },
      { label: 'load', target: exp, method: 'load', wrapper: (o) => o },
      { label: 'missingOptional', target: exp, method: 'notThere', wrapper: (o) => o, optional: true },
    ];
  },
};

describe('InstrumentationHost', () => {
  it('patches a supported version once, even when the package is declared for ESM and CJS and reported twice', async () => {
    const rec = new RecordingSignals();
    const lib = library();
    const original = lib.Model.prototype.run;
    const host = new InstrumentationHost([toy], () => rec);
    host.moduleLoaded('toy-lib', lib, '1.4.0');
    host.moduleLoaded('toy-lib', lib, '1.4.0');
    expect(lib.Model.prototype.run).not.toBe(original);
    expect(rec.debugLines).toEqual(['instrumented toy-lib@1.4.0 (toy)']);
    await expect(new lib.Model().run(2)).resolves.toBe(4);
    await expect(new lib.Model().run(-1)).rejects.toThrow(RangeError);
    expect(rec.inferences.map((i) => i.error === undefined)).toEqual([true, false]);
    host.unpatch(lib);
    expect(lib.Model.prototype.run).toBe(original);
  });

  it('enforces the declared versions centrally: one "not patched: <pkg> version X" line, nothing changed', () => {
    for (const version of ['0.9.0', '2.0.0', '2.0.0-rc.1', undefined]) {
      const rec = new RecordingSignals();
      const lib = library();
      const original = lib.Model.prototype.run;
      new InstrumentationHost([toy], () => rec).moduleLoaded('toy-lib', lib, version);
      expect(lib.Model.prototype.run).toBe(original);
      expect(rec.debugLines).toEqual([`not patched: toy-lib version ${version ?? 'unknown'} (toy supports >=1.0.0 <2)`]);
    }
  });

  it('a patch table that throws or finds nothing leaves the module as it is, with one line, never throwing', () => {
    const broken: Instrumentation = { ...toy, patches: () => { throw new Error('bug'); } };
    for (const [inst, exports] of [[broken, library()], [toy, {}], [toy, null], [toy, 42]] as const) {
      const rec = new RecordingSignals();
      expect(() => new InstrumentationHost([inst], () => rec).moduleLoaded('toy-lib', exports, '1.0.0')).not.toThrow();
      expect(rec.debugLines).toHaveLength(1);
      expect(rec.debugLines[0]).toMatch(/^not patched: toy-lib@1\.0\.0: /);
      expect(() => unpatchModule(inst, exports)).not.toThrow();
    }
  });

  it('ignores packages no instrumentation declares, and works with a facade that throws everywhere', async () => {
    const lib = library();
    const original = lib.Model.prototype.run;
    new InstrumentationHost([toy], () => throwingSignals()).moduleLoaded('other-lib', lib, '1.0.0');
    expect(lib.Model.prototype.run).toBe(original);
    const host = new InstrumentationHost([toy], () => throwingSignals());
    host.moduleLoaded('toy-lib', lib, '1.0.0');
    expect(lib.Model.prototype.run).not.toBe(original);
    await expect(new lib.Model().run(3)).resolves.toBe(6);
    host.unpatch(lib);
  });

  it('each instrumentation records through the facade of its own host (no module-global state)', async () => {
    const a = new RecordingSignals();
    const b = new RecordingSignals();
    const libA = library();
    const libB = library();
    new InstrumentationHost([toy], () => a).moduleLoaded('toy-lib', libA, '1.0.0');
    new InstrumentationHost([toy], () => b).moduleLoaded('toy-lib', libB, '1.0.0');
    await new libA.Model().run(1);
    await new libB.Model().run(1);
    await new libB.Model().run(1);
    expect(a.inferences).toHaveLength(1);
    expect(b.inferences).toHaveLength(2);
  });

  it('every shipped instrumentation declares a version range for each module, and one range per package', () => {
    for (const inst of INSTRUMENTATIONS) {
      for (const m of inst.modules) {
        expect(m.versions).toMatch(/^[<>=]/);
        expect(new Set(inst.modules.filter((x) => x.package === m.package).map((x) => x.versions)).size).toBe(1);
      }
    }
  });
});

describe('createTelemetry', () => {
  it('never throws, whatever the facade or its getter does', () => {
    for (const get of [() => throwingSignals(), () => undefined, () => { throw new Error('getter'); }]) {
      const t = createTelemetry(get as () => undefined);
      expect(t.startSpan('ml.inference')).toBeUndefined();
      expect(() => t.record('ml.errors', 1)).not.toThrow();
      expect(() => t.inference(1, {})).not.toThrow();
      expect(t.modelName('a/b')).toBeUndefined();
      expect(() => t.debug('x')).not.toThrow();
      expect(() => t.endSpan({ setAttributes() {}, addEvent() {}, recordError() { throw new Error('x'); }, end() { throw new Error('y'); } }, new Error('e'), true)).not.toThrow();
    }
  });
});
