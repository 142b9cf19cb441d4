// The start-up hooks, in-process: a temporary node_modules with small CommonJS and ESM packages
// of our own (no ML library involved), loaded the ways an app loads them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installHooks } from '../../../src/collect/instrumentations/hooks.js';

let dir: string;
let req: NodeRequire;

function pkg(name: string, packageJson: object, files: Record<string, string>): void {
  const root = join(dir, 'node_modules', name);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name, version: '1.2.3', ...packageJson }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
}

/** A native dynamic import: files under node_modules are loaded by Node itself, not by the test runner. */
async function nativeImport(file: string): Promise<Record<string, unknown>> {
  const { load } = (await import(join(dir, 'node_modules', 'importer', 'index.mjs'))) as { load: (u: string) => Promise<Record<string, unknown>> };
  return load(pathToFileURL(file).href);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ta-hooks-'));
  mkdirSync(join(dir, 'node_modules', 'lib-cjs', 'lib'), { recursive: true });
  pkg('lib-cjs', { main: 'lib/main.js' }, { 'lib/main.js': 'exports.kind = "cjs"; exports.inner = require("./other.js");' });
  writeFileSync(join(dir, 'node_modules', 'lib-cjs', 'lib', 'other.js'), 'module.exports = 1;');
  pkg('lib-other', {}, { 'index.js': 'exports.kind = "other";' });
  pkg('lib-cjs-imported', {}, { 'index.js': 'exports.kind = "cjs imported from ESM";' });
  pkg('lib-esm', { type: 'module', exports: { import: './index.mjs' } }, { 'index.mjs': 'export const kind = "esm";' });
  pkg('importer', { type: 'module' }, { 'index.mjs': 'export const load = (u) => import(u);' });
  writeFileSync(join(dir, 'app-cjs-import.mjs'), 'import lib from "lib-cjs-imported"; export default lib;');
  writeFileSync(join(dir, 'app-esm.mjs'), 'import { kind } from "lib-esm"; export default kind;');
  req = createRequire(join(dir, 'app.cjs'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('installHooks', () => {
  it('reports a watched CommonJS package required by name, with its main file, and nothing else', () => {
    const seen: Array<[string, unknown, string | undefined]> = [];
    const remove = installHooks([{ package: 'lib-cjs', format: 'cjs' }], (p, e, f) => seen.push([p, e, f]), dir);
    try {
      const lib = req('lib-cjs');
      req('lib-other');
      expect(seen).toEqual([['lib-cjs', lib, join(dir, 'node_modules', 'lib-cjs', 'lib', 'main.js')]]);
    } finally {
      remove();
    }
  });

  it('reports a CommonJS package an ESM app imports (Node loads it by its resolved path)', async () => {
    const seen: Array<[string, unknown, string | undefined]> = [];
    const remove = installHooks([{ package: 'lib-cjs-imported', format: 'cjs' }], (p, e, f) => seen.push([p, e, f]), dir);
    try {
      const lib = (await nativeImport(join(dir, 'app-cjs-import.mjs')))['default'];
      expect(lib).toEqual({ kind: 'cjs imported from ESM' });
      expect(seen).toEqual([['lib-cjs-imported', lib, join(dir, 'node_modules', 'lib-cjs-imported', 'index.js')]]);
    } finally {
      remove();
    }
  });

  it('hands an ESM package namespace to the callback, the app gets the same bindings', async () => {
    const seen: Array<[string, Record<string, unknown>, string | undefined]> = [];
    const remove = installHooks([{ package: 'lib-esm', format: 'esm' }], (p, e, f) => seen.push([p, e as Record<string, unknown>, f]), dir);
    try {
      expect((await nativeImport(join(dir, 'app-esm.mjs')))['default']).toBe('esm');
      expect(seen).toHaveLength(1);
      expect(seen[0]![0]).toBe('lib-esm');
      expect(seen[0]![1]['kind']).toBe('esm');
      expect(seen[0]![2]).toBe(join(dir, 'node_modules', 'lib-esm', 'index.mjs'));
    } finally {
      remove();
    }
  });

  it('a throwing callback never reaches the app, and removing the hooks restores Module._load', () => {
    const M = createRequire(import.meta.url)('node:module') as { _load: unknown };
    const before = M._load;
    const remove = installHooks([{ package: 'lib-other', format: 'cjs' }], () => { throw new Error('instrumentation bug'); }, dir);
    expect(M._load).not.toBe(before);
    try {
      delete req.cache[req.resolve('lib-other')];
      expect(req('lib-other')).toEqual({ kind: 'other' });
    } finally {
      remove();
    }
    expect(M._load).toBe(before);
  });

  it('ESM packages that are not installed get no loader hook', () => {
    const remove = installHooks([{ package: 'not-installed-anywhere', format: 'esm' }], () => {}, dir);
    expect((globalThis as Record<symbol, unknown>)[Symbol.for('telemetry-agent.esm-loaded')]).toBeUndefined();
    remove();
  });
});
