// The README and the docs link only to what exists, and nothing refers to a contract or notes
// file that is not in this repository.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/run-node.js';

const pages = ['README.md', ...readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];

function files(dir: string): string[] {
  return readdirSync(join(REPO, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'node_modules' ? [] : files(join(dir, e.name))) : /\.(ts|mjs|cjs|js|md|ya?ml|json)$/.test(e.name) ? [join(dir, e.name)] : []);
}

describe('documentation links', () => {
  it.each(pages)('%s: every relative link and image points at a file of the repository', (page) => {
    const text = readFileSync(join(REPO, page), 'utf8');
    const targets = [...text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t));
    const broken = targets.filter((t) => !existsSync(join(REPO, dirname(page), t)));
    expect(broken).toEqual([]);
  });
});

describe('the README as the front door', () => {
  it('links every page in docs/', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const unlinked = pages.filter((p) => p.startsWith('docs')).filter((p) => !readme.includes(`](${p.split('\\').join('/')})`));
    expect(unlinked).toEqual([]);
  });
});

describe('references', () => {
  const scanned = ['src', 'test', 'docs', 'bench', 'scripts', 'examples', 'collector-config'].flatMap(files).concat(['README.md']);
  const self = relative(REPO, import.meta.filename);

  it('no source, test or page refers to a contract or notes file outside the repository', () => {
    const contract = new RegExp(['SPEC', 'NOTES'].map((n) => `\\b${n}\\.md\\b`).join('|') + '|\\.\\./shared/|\\bthe SPEC\\b|\\bSPEC\'s\\b');
    const found = scanned.filter((f) => f !== self && contract.test(readFileSync(join(REPO, f), 'utf8')));
    expect(found).toEqual([]);
  });
});
