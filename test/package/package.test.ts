// The package as npm publishes it: packed from this repository (after `npm test`'s build), unpacked
// into a directory of its own the way `npm install` lays it out, then checked by TypeScript
// consumers of every module kind and resolution, by @arethetypeswrong/cli and by publint.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/run-node.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const installed = (name: string) => existsSync(join(REPO, 'node_modules', name, 'package.json'));

let dir: string;
let tarball: string;
let pkgDir: string;
let packed: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ta-package-'));
  // --ignore-scripts: `npm test` built dist/ already; prepack would only build it again.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  tarball = join(dir, info!.filename);
  packed = info!.files.map((f) => f.path).sort();
  // What `npm install <tarball>` puts in node_modules (its dependencies are not needed to type-check).
  pkgDir = join(dir, 'consumer', 'node_modules', 'telemetry-agent');
  mkdirSync(pkgDir, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const manifest = () => JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));

describe('what the package ships', () => {
  it('only the public declarations: one per entry point and module format', () => {
    const declarations = packed.filter((f) => /\.d\.[cm]?ts$/.test(f));
    expect(declarations).toEqual(['dist/api.d.cts', 'dist/api.d.ts', 'dist/preload.d.cts', 'dist/preload.d.ts']);
    // ...and each is one the exports map points at, for import (.d.ts) or require (.d.cts).
    const exportsMap = JSON.stringify(manifest().exports);
    for (const d of declarations) expect(exportsMap).toContain(`./${d}`);
  });

  it('declarations that need nothing from @types/node and name no internal module', () => {
    for (const f of packed.filter((p) => /\.d\.[cm]?ts$/.test(p))) {
      const text = readFileSync(join(pkgDir, f), 'utf8');
      expect(text, f).not.toMatch(/reference types=|NodeJS\.|from ['"]\.\.?\//);
    }
  });

  it('declares every function of the API module, in both formats', () => {
    const names = Object.keys(require(join(REPO, 'dist', 'api.cjs')) as object).filter((n) => n !== '__esModule');
    expect(names.length).toBeGreaterThan(0);
    for (const f of ['dist/api.d.ts', 'dist/api.d.cts']) {
      const text = readFileSync(join(pkgDir, f), 'utf8');
      for (const n of names) expect(text, `${f}: ${n}`).toMatch(new RegExp(`export declare function ${n}\\b`));
    }
  });

  it('the ESM entry of the API exports exactly what the CommonJS one does (one list of API names)', async () => {
    const esm = Object.keys(await import(join(REPO, 'dist', 'api.mjs'))).filter((n) => n !== 'default').sort();
    const cjs = Object.keys(require(join(REPO, 'dist', 'api.cjs')) as object).filter((n) => n !== '__esModule').sort();
    expect(esm).toEqual(cjs);
  });

  it('a LICENSE with the Apache License 2.0 text, as package.json declares', () => {
    expect(packed).toContain('LICENSE');
    expect(manifest().license).toBe('Apache-2.0');
    const text = readFileSync(join(pkgDir, 'LICENSE'), 'utf8');
    expect(text).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(text).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
    expect(text).toContain('END OF TERMS AND CONDITIONS');
  });

  it('keywords, and no script that runs at the consumer\'s install (it builds at pack time)', () => {
    const m = manifest();
    expect(m.keywords).toEqual(expect.arrayContaining(['opentelemetry', 'machine-learning']));
    for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) expect(m.scripts?.[s], s).toBeUndefined();
    expect(m.scripts.prepack).toMatch(/build/);
    // The repository's own set-up commands still build before they need dist/.
    for (const s of ['start', 'test', 'bench']) expect(m.scripts[s], s).toMatch(/^node scripts\/build\.mjs && /);
  });

  it("every image in the README (the npm page) is an absolute URL or a file the package ships", () => {
    const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)[^)]*\)|<img[^>]+src=["']([^"']+)/g)].map((m) => m[1] ?? m[2]!);
    for (const src of images) {
      if (/^https:\/\//.test(src)) continue;
      expect(packed, src).toContain(src.replace(/^\.\//, ''));
    }
  });
});

// Each consumer imports the preload for its side effect and uses every export of the API with
// its types, once as an ES module and once as CommonJS, without @types/node.
const ESM_CONSUMER = `import 'telemetry-agent';
import { start, shutdown, progress, recordUsage, withErrorTelemetry, type StartOptions, type StartResult, type ProgressRun } from 'telemetry-agent/api';
const options: StartOptions = { serviceName: 'tool', serviceVersion: '1.0.0' };
const result: StartResult = start(options);
const enabled: boolean = result.enabled;
const run: ProgressRun = progress({ total: 10, unit: 'step' });
run.update(1, { loss: 0.5 });
run.end();
recordUsage('command', { name: 'train', ok: true, n: 3 });
const twice = withErrorTelemetry((x: number) => x * 2);
const four: number = twice(2);
// @ts-expect-error the API is typed: start() takes options, not a string
start('tool');
export const done: Promise<void> = shutdown();
export { enabled, four };
`;
const CJS_CONSUMER = ESM_CONSUMER;

const CONFIGS: { name: string; options: Record<string, unknown>; files: Record<string, string> }[] = [
  { name: 'node16', options: { module: 'node16', moduleResolution: 'node16' }, files: { 'esm.mts': ESM_CONSUMER, 'cjs.cts': CJS_CONSUMER } },
  { name: 'nodenext', options: { module: 'nodenext', moduleResolution: 'nodenext' }, files: { 'esm.mts': ESM_CONSUMER, 'cjs.cts': CJS_CONSUMER } },
  { name: 'bundler', options: { module: 'preserve', moduleResolution: 'bundler' }, files: { 'esm.mts': ESM_CONSUMER, 'cjs.cts': CJS_CONSUMER } },
  // The old resolution without an exports map (TypeScript's default for module=commonjs).
  { name: 'node10', options: { module: 'commonjs', moduleResolution: 'node10' }, files: { 'cjs.ts': CJS_CONSUMER } },
];

describe('TypeScript consumers of the packed package', () => {
  it.each(CONFIGS.map((c) => [c.name, c] as const))('compile with moduleResolution %s without @types/node', async (_name, config) => {
    const project = join(dir, 'consumer', `ts-${config.name}`);
    mkdirSync(project, { recursive: true });
    for (const [file, text] of Object.entries(config.files)) writeFileSync(join(project, file), text);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        ...config.options,
        target: 'es2022',
        lib: ['es2022'],
        strict: true,
        noEmit: true,
        // Our declarations are checked too, and nothing from Node is available to them.
        skipLibCheck: false,
        types: [],
        ignoreDeprecations: '5.0',
      },
      files: Object.keys(config.files),
    }));
    const r = await run(process.execPath, [tsc, '-p', project], { cwd: project }).then(
      () => ({ ok: true, out: '' }),
      (e: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
    );
    expect(r.out).toBe('');
    expect(r.ok).toBe(true);
  });

  it('the packed package is the one compiled against (no copy of the repository leaks in)', () => {
    expect(relative(dir, pkgDir)).toBe(join('consumer', 'node_modules', 'telemetry-agent'));
    expect(readdirSync(pkgDir).sort()).not.toContain('src');
  });
});

// Both checkers are devDependencies; a tree installed before they were added skips them (npm ci installs them).
describe.skipIf(!installed('@arethetypeswrong/cli'))('@arethetypeswrong/cli', () => {
  it('finds no problem for any entry point under node10, node16 (CJS and ESM) and bundler', async () => {
    const bin = join(REPO, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
    const r = await run(process.execPath, [bin, tarball, '--format', 'json'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 }).catch((e: { stdout: string }) => e);
    const report = JSON.parse(r.stdout) as { analysis: { problems: unknown[]; entrypoints: Record<string, unknown> } };
    expect(report.analysis.problems).toEqual([]);
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual(['.', './api', './package.json']);
  });
});

describe.skipIf(!installed('publint'))('publint', () => {
  it('reports nothing, not even a suggestion', async () => {
    const { publint } = (await import('publint')) as typeof import('publint');
    const { messages } = await publint({ pkgDir, level: 'suggestion', pack: false });
    expect(messages).toEqual([]);
  });
});
