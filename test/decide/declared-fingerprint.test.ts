import { describe, expect, it } from 'vitest';
import { declaredFingerprint } from '../../src/decide/declared-fingerprint.js';

describe('declaredFingerprint', () => {
  const events = { optimize: { compiler: { type: 'string', values: ['onnxruntime', 'tfjs'] }, n: { type: 'number', unit: 'ms' } } };
  it('is stable under key order and page-only descriptions, and changes with what is collected', () => {
    const a = declaredFingerprint({ events, commands: ['optimize'] });
    expect(a).toMatch(/^[0-9a-f]{14}$/);
    expect(declaredFingerprint({ commands: ['optimize'], events: { optimize: { n: { unit: 'ms', type: 'number', description: 'words' }, compiler: { values: ['onnxruntime', 'tfjs'], type: 'string' } } } })).toBe(a);
    expect(declaredFingerprint({ events: { optimize: { ...events.optimize, compiler: { type: 'string', values: ['onnxruntime', 'tfjs', 'tvm'] } } }, commands: ['optimize'] })).not.toBe(a);
    expect(declaredFingerprint({ events, commands: ['optimize', 'export'] })).not.toBe(a);
    expect(declaredFingerprint({})).toBeUndefined();
  });
});
