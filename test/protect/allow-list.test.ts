import { describe, expect, it } from 'vitest';
import { ALLOWED_SIGNAL_KEYS, allowedAttributes, MAX_ARRAY_LENGTH } from '../../src/protect/allow-list.js';

const allowed = new Set(['ml.model.name', 'exception.message', 'ml.training.loss', 'hw.gpu.names', 'ml.values', 'flag', '__proto__']);

describe('allowedAttributes', () => {
  it('drops keys that are not allow-listed and never changes a value', () => {
    const out = allowedAttributes({ 'host.name': 'box', 'user.name': 'bob', 'ml.training.loss': 0.5, 'exception.message': '/home/bob/x' }, allowed);
    expect(out).toEqual({ 'ml.training.loss': 0.5, 'exception.message': '/home/bob/x' });
  });

  it('keeps strings, booleans, finite numbers, homogeneous arrays (cut); drops the rest', () => {
    const out = allowedAttributes({ 'ml.values': [1, 2.5, Number.NaN], flag: true, 'hw.gpu.names': Array.from({ length: 500 }, () => 'gpu') }, allowed);
    expect(out['ml.values']).toEqual([1, 2.5]);
    expect(out.flag).toBe(true);
    expect((out['hw.gpu.names'] as string[]).length).toBe(MAX_ARRAY_LENGTH);
    expect(allowedAttributes({ 'ml.training.loss': Number.NaN, 'ml.model.name': { a: 1 }, 'exception.message': null, flag: 10n, 'ml.values': ['a', 1] }, allowed)).toEqual({});
  });

  it('never throws on hostile objects and never touches the prototype', () => {
    const hostile = Object.defineProperty({ flag: true }, 'ml.model.name', { enumerable: true, get() { throw new Error('boom'); } });
    expect(allowedAttributes(hostile, allowed)).toEqual({ flag: true });
    const out = allowedAttributes(JSON.parse('{"__proto__": "x"}') as Record<string, unknown>, allowed);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('x');
    expect(allowedAttributes(null as unknown as Record<string, unknown>, allowed)).toEqual({});
  });

  it('lets the cardinality overflow marker through (SPEC: otel.metric.overflow=true is never stripped)', () => {
    expect(ALLOWED_SIGNAL_KEYS.has('otel.metric.overflow')).toBe(true);
    expect(allowedAttributes({ 'otel.metric.overflow': true })).toEqual({ 'otel.metric.overflow': true });
  });
});
