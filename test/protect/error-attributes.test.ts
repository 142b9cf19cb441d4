import { describe, expect, it } from 'vitest';
import tf from '@tensorflow/tfjs';
import { errorAttributes, errorType } from '../../src/protect/error-attributes.js';

describe('errorType: the name Node prints', () => {
  it('a tfjs ValueError (which never sets `name`) is ValueError, also in the stack header', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    let caught: unknown;
    try { await model.fit(tf.zeros([4, 3]), tf.zeros([4, 1]), { epochs: 1, verbose: 0 }); } catch (e) { caught = e; }
    expect((caught as Error).name).toBe('Error');
    expect(errorType(caught)).toBe('ValueError');
    const a = errorAttributes(caught);
    expect(a['exception.type']).toBe('ValueError');
    expect(a['exception.stacktrace']!.startsWith('ValueError: ')).toBe(true);
    expect(a['exception.message']).toBe((caught as Error).message);
  });

  it('keeps an own name and the built-in types; non-errors by their type', () => {
    class Custom extends Error { override name = 'CustomFailure'; }
    expect(errorType(new Custom('x'))).toBe('CustomFailure');
    expect(errorType(new TypeError('x'))).toBe('TypeError');
    expect(errorType(new DOMException('x', 'AbortError'))).toBe('AbortError');
    expect(errorType('boom')).toBe('string');
    expect(errorType(null)).toBe('null');
    expect(errorType(undefined)).toBe('undefined');
  });
});
