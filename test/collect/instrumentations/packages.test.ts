import { describe, expect, it } from 'vitest';
import { INSTRUMENTATIONS } from '../../../src/collect/instrumentations/index.js';
import { INSTRUMENTED_PACKAGES } from '../../../src/collect/instrumentations/packages.js';

describe('the watched-package list of the preload', () => {
  it('is exactly the modules the instrumentations declare', () => {
    const declared = INSTRUMENTATIONS.flatMap((i) => i.modules.map((m) => `${m.format}:${m.package}`)).sort();
    const watched = INSTRUMENTED_PACKAGES.map((w) => `${w.format}:${w.package}`).sort();
    expect(watched).toEqual(declared);
  });
});
