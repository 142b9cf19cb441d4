import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { METRIC_NAMES, RESOURCE_KEYS, SPAN_NAMES, SIGNAL_ATTRIBUTE_KEYS, FORBIDDEN_RESOURCE_KEYS } from '../../src/catalog.js';
import { renderPrivacyDoc } from '../../src/cli/privacy-doc.js';
import { REPO } from '../helpers/run-node.js';

const FILE = join(REPO, 'docs', 'privacy.md');

describe('docs/privacy.md', () => {
  it('is exactly what the catalog generates (UPDATE_DOCS=1 rewrites it)', () => {
    const expected = renderPrivacyDoc();
    if (process.env.UPDATE_DOCS === '1') writeFileSync(FILE, expected);
    expect(readFileSync(FILE, 'utf8')).toBe(expected);
  });

  it('names every collected key and every forbidden one', () => {
    const doc = readFileSync(FILE, 'utf8');
    for (const k of [...RESOURCE_KEYS, ...SPAN_NAMES, ...METRIC_NAMES, ...SIGNAL_ATTRIBUTE_KEYS, ...FORBIDDEN_RESOURCE_KEYS]) expect(doc).toContain(`\`${k}\``);
  });

  it('the README links it', () => {
    expect(readFileSync(join(REPO, 'README.md'), 'utf8')).toContain('docs/privacy.md');
  });
});
