import { describe, expect, it } from 'vitest';
import {
  ORIGINAL,
  isPatchable,
  isWrapped,
  observe,
  originalOf,
  observeCall,
  observeCallInSpan,
  observeCallWithin,
  now,
  timedWrapper,
  satisfies,
  unwrapMethod,
  wrapMethod,
} from '../../../src/collect/instrumentations/wrap-util.js';
import { createTelemetry } from '../../../src/collect/instrumentations/lifecycle.js';
import type { Signals } from '../../../src/collect/signals.js';
import { RecordingSignals, throwingSignals, type RecordedSpan } from './recording-signals.js';

describe('satisfies', () => {
  it.each([
    ['4.22.0', '>=4.0.0 <5', true],
    ['4.0.0', '>=4.0.0 <5', true],
    ['3.21.0', '>=4.0.0 <5', false],
    ['5.0.0', '>=4.0.0 <5', false],
    ['5.0.0-rc.1', '>=4.0.0 <5', false], // like npm: <5 excludes 5.0.0 prereleases
    ['4.1.0-beta.2', '>=4.0.0 <5', true],
    ['4.0.0-beta.1', '>=4.0.0 <5', false], // a prerelease sorts before its release
    ['1.30.0', '>=1.14.0 <2', true],
    ['1.13.1', '>=1.14.0 <2', false],
    ['1.31.0-dev.20260914-8d85527a0', '>=1.14.0 <2', true],
    ['v4.3.1', '>=4.0.0 <5', true],
    ['4.3.1+build.5', '>=4.0.0 <5', true],
    ['4.3.1', '>4.3.1', false],
    ['4.3.2', '>4.3.1', true],
    ['4.3.1', '<=4.3.1', true],
    ['4.3.2', '<=4.3', false],
    ['4.3.1', '4.3.1', true],
    ['4.3.1', '=4.3.0', false],
    ['4', '>=4.0.0 <5', true],
    ['', '>=4.0.0', false],
    ['four', '>=4.0.0', false],
    ['4.0.0', '', false],
    ['4.0.0', '^4.0.0', false], // unsupported syntax → false, never a throw
    ['4.0.0', '>=4.0.0 || <2', false],
  ])('%s in "%s" → %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });

  it('never throws on junk', () => {
    expect(satisfies(undefined as unknown as string, '>=1')).toBe(false);
    expect(satisfies('1.0.0', null as unknown as string)).toBe(false);
  });
});

describe('wrapMethod / unwrapMethod', () => {
  it('keeps name and length, marks the wrapper, is idempotent, and unwrap restores the original', () => {
    const target = {
      compute(a: number, b: number) {
        return a + b;
      },
    };
    const original = target.compute;
    let calls = 0;
    const ok = wrapMethod<(a: number, b: number) => number>(target, 'compute', (orig) =>
      function (this: unknown, a: number, b: number) {
        calls++;
        return orig.call(this, a, b);
      });
    expect(ok).toBe(true);
    expect(target.compute).not.toBe(original);
    expect(target.compute.name).toBe('compute');
    expect(target.compute.length).toBe(2);
    expect(isWrapped(target.compute)).toBe(true);
    expect(originalOf(target.compute)).toBe(original);
    expect((target.compute as unknown as Record<symbol, unknown>)[ORIGINAL]).toBe(original);
    expect(Object.keys(target.compute)).toEqual([]);
    const wrapped = target.compute;
    expect(wrapMethod(target, 'compute', () => () => 0)).toBe(true);
    expect(target.compute).toBe(wrapped);
    expect(target.compute(2, 3)).toBe(5);
    expect(calls).toBe(1);
    expect(unwrapMethod(target, 'compute')).toBe(true);
    expect(target.compute).toBe(original);
    expect(unwrapMethod(target, 'compute')).toBe(false);
  });

  it('keeps the property flags (non-enumerable class methods stay non-enumerable)', () => {
    class K {
      m() {
        return 1;
      }
    }
    const before = Object.getOwnPropertyDescriptor(K.prototype, 'm')!;
    wrapMethod(K.prototype, 'm', (o) => function (this: unknown) { return o.call(this); });
    const after = Object.getOwnPropertyDescriptor(K.prototype, 'm')!;
    expect({ ...after, value: undefined }).toEqual({ ...before, value: undefined });
    expect(new K().m()).toBe(1);
    unwrapMethod(K.prototype, 'm');
    expect(Object.getOwnPropertyDescriptor(K.prototype, 'm')).toEqual(before);
  });

  it('refuses getter-only, frozen, inherited, missing and non-function properties without throwing', () => {
    const inner = { f: () => 1 };
    const reexport = Object.defineProperty({}, 'f', { enumerable: true, get: () => inner.f });
    expect(isPatchable(reexport, 'f')).toBe(false);
    expect(wrapMethod(reexport, 'f', () => () => 2)).toBe(false);
    const frozen = Object.freeze({ f: () => 1 });
    expect(wrapMethod(frozen, 'f', () => () => 2)).toBe(false);
    expect(frozen.f()).toBe(1);
    const child = Object.create({ f: () => 1 });
    expect(wrapMethod(child, 'f', () => () => 2)).toBe(false);
    expect(wrapMethod({}, 'f', () => () => 2)).toBe(false);
    expect(wrapMethod({ f: 1 }, 'f', () => () => 2)).toBe(false);
    expect(wrapMethod(null, 'f', () => () => 2)).toBe(false);
    expect(wrapMethod({ f() {} }, 'f', () => {
      throw new Error('factory failure');
    })).toBe(false);
    expect(unwrapMethod(null, 'f')).toBe(false);
  });
});

describe('observeCallWithin / observeCallInSpan', () => {
  const t = (signals: () => Signals | undefined) => createTelemetry(signals);

  it('calls the original exactly once with the span current, and returns its value', () => {
    const rec = new RecordingSignals();
    const span = rec.startSpan('ml.inference');
    let calls = 0;
    const value = observeCallWithin(t(() => rec), span, function () {
      calls++;
      return rec.startSpan('ml.model.load');
    }, undefined, [], () => {});
    expect(calls).toBe(1);
    expect((value as unknown as { parent: unknown }).parent).toBe(span);
  });

  it('rethrows the same error object, once, and records it on the span it ends', () => {
    const rec = new RecordingSignals();
    const boom = new Error('boom');
    const span = rec.startSpan('x') as RecordedSpan;
    let calls = 0;
    expect(() => observeCallInSpan(t(() => rec), span, () => {
      calls++;
      throw boom;
    }, undefined, [])).toThrow(boom);
    expect(calls).toBe(1);
    expect(span.errors).toEqual([boom]);
    expect(span.endCount).toBe(1);
  });

  it('still calls the original exactly once when the facade throws before or after calling it', () => {
    let calls = 0;
    const inc = () => ++calls;
    expect(observeCallWithin(t(() => throwingSignals()), {} as never, inc, undefined, [], () => {})).toBe(1);
    const after = { ...new RecordingSignals(), withSpan: (_s: unknown, fn: () => unknown) => { fn(); throw new Error('after'); } };
    expect(observeCallWithin(t(() => after as never), {} as never, inc, undefined, [], () => {})).toBe(2);
    expect(observeCallInSpan(t(() => { throw new Error('getter'); }), {} as never, inc, undefined, [])).toBe(3);
    expect(calls).toBe(3);
  });

  it('reports sync and async results the same way, with the value', async () => {
    const seen: unknown[] = [];
    const settled = (e: unknown, failed: boolean, v: unknown) => void seen.push([e, failed, v]);
    expect(observeCall(() => 1, undefined, [], settled)).toBe(1);
    await expect(observeCall(async () => 2, undefined, [], settled)).resolves.toBe(2);
    const boom = new Error('boom');
    await expect(observeCall(async () => { throw boom; }, undefined, [], settled)).rejects.toBe(boom);
    expect(() => observeCall(() => { throw boom; }, undefined, [], settled)).toThrow(boom);
    expect(seen).toEqual([[undefined, false, 1], [undefined, false, 2], [boom, true, undefined], [boom, true, undefined]]);
  });
});

describe('timedWrapper', () => {
  it('passes self, the clock before the call, and how it settled; values, errors and arguments unchanged', async () => {
    const seen: unknown[][] = [];
    const durations: number[] = [];
    const settled = (self: unknown, t0: number, e: unknown, failed: boolean, v: unknown) => {
      durations.push(now() - t0);
      seen.push([self, e, failed, v]);
    };
    const self = { name: 'session' };
    const boom = new Error('boom');
    const before = now();
    const sync = timedWrapper(function (this: unknown, a: number, b: number) { return [this, a, b, arguments.length]; }, settled);
    expect(sync.call(self, 1, 2)).toEqual([self, 1, 2, 2]);
    await expect(timedWrapper(async (x: number) => x * 2, settled).call(self, 21)).resolves.toBe(42);
    await expect(timedWrapper(async () => { throw boom; }, settled).call(self)).rejects.toBe(boom);
    expect(() => timedWrapper(() => { throw boom; }, settled).call(self)).toThrow(boom);
    expect(seen).toEqual([[self, undefined, false, [self, 1, 2, 2]], [self, undefined, false, 42], [self, boom, true, undefined], [self, boom, true, undefined]]);
    expect(durations.every((d) => d >= 0 && d <= now() - before)).toBe(true);
  });

  it('returns a chained promise (the original rejection stays the app\'s to handle), and swallows reporter errors', async () => {
    const original = Promise.resolve(7);
    const throwing = () => {
      throw new Error('reporter');
    };
    const chained = timedWrapper(() => original, throwing).call(undefined);
    expect(chained).not.toBe(original);
    await expect(chained).resolves.toBe(7);
    expect(timedWrapper(() => 8, throwing).call(undefined)).toBe(8);
  });

  it('reports once the promise settles, not before', async () => {
    let resolve!: (v: string) => void;
    const pending = new Promise<string>((r) => (resolve = r));
    const seen: unknown[] = [];
    const result = timedWrapper(() => pending, (_s, _t0, _e, failed, v) => void seen.push([failed, v])).call(undefined);
    await Promise.resolve();
    expect(seen).toEqual([]);
    resolve('done');
    await expect(result).resolves.toBe('done');
    expect(seen).toEqual([[false, 'done']]);
  });

  it('wrapMethod gives it the original\'s name and length', () => {
    const target = { run(a: number, b: number) { return a + b; } };
    expect(wrapMethod(target, 'run', (orig) => timedWrapper(orig, () => {}) as typeof orig)).toBe(true);
    expect(target.run.name).toBe('run');
    expect(target.run.length).toBe(2);
    expect(target.run(2, 3)).toBe(5);
  });
});

describe('observe', () => {
  it('returns a chained promise that settles the same way after the observer ran', async () => {
    const seen: unknown[] = [];
    const value = { v: 1 };
    await expect(observe(Promise.resolve(value), (e, failed) => seen.push([e, failed]))).resolves.toBe(value);
    const boom = new Error('boom');
    await expect(observe(Promise.reject(boom), (e, failed) => seen.push([e, failed]))).rejects.toBe(boom);
    expect(seen).toEqual([[undefined, false], [boom, true]]);
  });

  it('observes plain values synchronously, and swallows observer errors', async () => {
    expect(observe(42, () => {
      throw new Error('observer');
    })).toBe(42);
    await expect(observe(Promise.resolve(1), () => {
      throw new Error('observer');
    })).resolves.toBe(1);
  });
});
