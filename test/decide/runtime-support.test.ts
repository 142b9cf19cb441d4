import { describe, expect, it } from 'vitest';
import { unsupportedRuntimeReason } from '../../src/decide/runtime-support.js';

describe('runtime support', () => {
  it('accepts 22.15+ and 24, refuses older with a reason', () => {
    expect(unsupportedRuntimeReason('22.15.0')).toBeUndefined();
    expect(unsupportedRuntimeReason('24.1.0')).toBeUndefined();
    expect(unsupportedRuntimeReason('26.0.0')).toBeUndefined();
    expect(unsupportedRuntimeReason('22.14.9')).toMatch(/Node\.js 22\.14\.9 is older than 22\.15/);
    expect(unsupportedRuntimeReason('20.20.2')).toMatch(/older than 22\.15 \(supported: 22\.15\+ and 24\)/);
  });
});
