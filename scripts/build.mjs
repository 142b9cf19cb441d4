// Builds dist/: small entry bundles for the start-up path, one bundle for the OpenTelemetry
// pipeline (loaded only when telemetry is on), the CLI, and the type declarations of the public
// API (rolled up into one file per module format: consumers see no internal module).
import { build } from 'esbuild';
import { copyFileSync, readFileSync, readdirSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { rollupDeclarations } from './rollup-declarations.mjs';

const root = new URL('..', import.meta.url);
process.chdir(fileURLToPath(root));
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const sdkVersion = JSON.parse(readFileSync('node_modules/@opentelemetry/sdk-trace/package.json', 'utf8')).version;

// The redaction code's identity: results remembered across runs (src/protect/clean-memo.ts) are
// used only by a build with the same rules.
const redactionFiles = readdirSync('src/protect').filter((f) => /^(redaction-|redact-).*\.ts$/.test(f)).sort();
const redactionId = createHash('sha256').update(redactionFiles.map((f) => `${f}\0${readFileSync(`src/protect/${f}`, 'utf8')}`).join('\0')).digest('hex').slice(0, 16);

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');

// Importing the `node:process` builtin as ESM from a preload changes the stack traces Node prints
// for the app's own crashes (an extra processTicksAndRejections frame); use the global instead.
const processGlobal = {
  name: 'process-global',
  setup(b) {
    b.onResolve({ filter: /^(node:)?process$/ }, () => ({ path: 'process', namespace: 'process-global' }));
    b.onLoad({ filter: /.*/, namespace: 'process-global' }, () => ({ contents: 'export default globalThis.process;', loader: 'js' }));
  },
};

const common = {
  plugins: [processGlobal],
  bundle: true,
  platform: 'node',
  // Node 20 must still parse the entry files, to print "unsupported" and step aside.
  target: 'node20',
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: { __TA_VERSION__: JSON.stringify(pkg.version), __TA_SDK_VERSION__: JSON.stringify(sdkVersion), __TA_REDACTION_ID__: JSON.stringify(redactionId) },
  // The bundles load each other lazily, by these names, from dist/.
  external: ['./preload.cjs', './active.cjs', './api.cjs', './runtime.cjs', './short-run.cjs', './redactor.cjs', './instrumentations.cjs', 'systeminformation'],
};
// The CLI is an ESM bundle and needs a real `require` for what it loads lazily.
const esmBanner = "import { createRequire as __taCreateRequire } from 'node:module'; const require = __taCreateRequire(import.meta.url);";

/**
 * Every bundle: source → dist/ file. Fully minified where it is parsed on every start (with
 * telemetry on or off) or when the pipeline loads.
 */
const BUNDLES = [
  { src: 'src/entries/preload-esm.ts', out: 'preload.mjs', format: 'esm', minify: true }, // node --import telemetry-agent
  { src: 'src/entries/preload.ts', out: 'preload.cjs', format: 'cjs', minify: true }, // node --require telemetry-agent
  { src: 'src/entries/active.ts', out: 'active.cjs', format: 'cjs', minify: true }, // the preload's second half, when telemetry may act
  { src: 'src/api/index.ts', out: 'api.cjs', format: 'cjs' }, // require('telemetry-agent/api')
  { src: 'src/entries/runtime.ts', out: 'runtime.cjs', format: 'cjs', minify: true }, // the pipeline, when telemetry is on
  { src: 'src/entries/short-run.ts', out: 'short-run.cjs', format: 'cjs', minify: true }, // at exit, a run that never needed the pipeline
  { src: 'src/entries/redactor.ts', out: 'redactor.cjs', format: 'cjs', minify: true }, // the redaction engine, for short-run.cjs when a value is not known clean
  { src: 'src/collect/instrumentations/apply.ts', out: 'instrumentations.cjs', format: 'cjs', minify: true }, // when a watched package loads
  { src: 'src/entries/sender.ts', out: 'sender.cjs', format: 'cjs' }, // detached: sends what was queued at exit
  { src: 'src/entries/probe.ts', out: 'probe.cjs', format: 'cjs' }, // detached: the hardware probe
  { src: 'src/cli/main.ts', out: 'cli.mjs', format: 'esm', banner: '#!/usr/bin/env node\n' + esmBanner }, // npx telemetry-agent
];
/** Copied as they are. */
const COPIED = [
  { src: 'src/entries/api-esm.mjs', out: 'api.mjs' }, // import { ... } from 'telemetry-agent/api'
];

const bundling = Promise.all(BUNDLES.map(({ src, out, format, minify, banner }) =>
  build({ ...common, entryPoints: [src], outfile: `dist/${out}`, format, minify, ...(banner ? { banner: { js: banner } } : {}) })));
for (const { src, out } of COPIED) copyFileSync(src, `dist/${out}`);

// Declarations, while esbuild works in its own process. The public API is whatever src/api/index.ts
// exports; the types it uses from inside the agent are inlined. The same text serves `import`
// (.d.ts: this package is "type": "module") and `require` (.d.cts).
const apiTypes = rollupDeclarations('src/api/index.ts', 'tsconfig.build.json');
// Consumers may not have @types/node: what they see must stand on its own.
const nodeTypes = /\/\/\/\s*<reference\s+types="node"|\bNodeJS\.|from ["']node:|\bBuffer\b/;
if (nodeTypes.test(apiTypes)) throw new Error(`build: the public API declarations use Node's types (${apiTypes.match(nodeTypes)[0]}); consumers without @types/node could not compile them`);
const DECLARATIONS = {
  api: `// The public API of telemetry-agent/api (generated from src/api/index.ts by scripts/build.mjs).\n${apiTypes}`,
  // The preload has no exports: `import 'telemetry-agent'` only starts the agent.
  preload: '// `import \'telemetry-agent\'` (or --import / --require) starts the agent; it has no exports.\nexport {};\n',
};
for (const [name, text] of Object.entries(DECLARATIONS)) {
  writeFileSync(`dist/${name}.d.ts`, text);
  writeFileSync(`dist/${name}.d.cts`, text);
}

await bundling;
