// Builds dist/: small entry bundles for the start-up path, one bundle for the OpenTelemetry
// pipeline (loaded only when telemetry is on), the CLI, and type declarations for the API.
import { build } from 'esbuild';
import { readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url);
process.chdir(fileURLToPath(root));
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const require = createRequire(import.meta.url);
const sdkVersion = JSON.parse(readFileSync('node_modules/@opentelemetry/sdk-trace/package.json', 'utf8')).version;

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
  define: { __TA_VERSION__: JSON.stringify(pkg.version), __TA_SDK_VERSION__: JSON.stringify(sdkVersion) },
  external: ['./runtime.cjs', './instrumentations.cjs', 'systeminformation'],
};
// The CLI is an ESM bundle and needs a real `require` for what it loads lazily.
const esmBanner = { js: "import { createRequire as __taCreateRequire } from 'node:module'; const require = __taCreateRequire(import.meta.url);" };

await Promise.all([
  // Fully minified: it is parsed on every start, with telemetry on or off.
  build({ ...common, entryPoints: ['src/preload.ts'], outfile: 'dist/preload.cjs', format: 'cjs', minify: true }),
  build({ ...common, entryPoints: ['src/api/index.ts'], outfile: 'dist/api.cjs', format: 'cjs' }),
  build({ ...common, entryPoints: ['src/runtime.ts'], outfile: 'dist/runtime.cjs', format: 'cjs', minify: true }),
  build({ ...common, entryPoints: ['src/collect/instrumentations/apply.ts'], outfile: 'dist/instrumentations.cjs', format: 'cjs', minify: true }),
  build({ ...common, entryPoints: ['src/sender.ts'], outfile: 'dist/sender.cjs', format: 'cjs' }),
  build({ ...common, entryPoints: ['src/probe.ts'], outfile: 'dist/probe.cjs', format: 'cjs' }),
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.mjs', format: 'esm', banner: { js: '#!/usr/bin/env node\n' + esmBanner.js } }),
]);

// The ESM entry points only load the CommonJS bundles: one copy of the agent per process whether
// the app imports or requires it, and builtins required from CommonJS are cheaper than ESM imports
// of them (each of those builds a module namespace), which matters on the start-up path.
// No top-level await and no ESM import of node:module: either would make these entries slower to
// load. Node older than 20.16 has no process.getBuiltinModule; it is unsupported anyway: the
// preload says so, the API becomes inert.
const requireCjs = (file) => `process.getBuiltinModule('node:module').createRequire(import.meta.url)(${JSON.stringify(file)})`;
writeFileSync('dist/preload.mjs', `// node --import telemetry-agent\n` +
  `if (process.getBuiltinModule) ${requireCjs('./preload.cjs')};\n` +
  `else process.stderr.write(\`telemetry-agent: disabled: Node.js \${process.versions.node} is older than 22.15 (supported: 22.15+ and 24). The app runs without telemetry.\\n\`);\n`);
const apiNames = Object.keys(createRequire(import.meta.url)(fileURLToPath(new URL('../dist/api.cjs', import.meta.url)))).filter((n) => n !== '__esModule');
const inertApi = '{ start: () => ({ enabled: false, reason: "unsupported Node.js version" }), shutdown: async () => {}, progress: () => ({ update() {}, end() {}, fail() {} }), recordUsage() {}, withErrorTelemetry: (fn) => fn }';
writeFileSync('dist/api.mjs', `// import { ... } from 'telemetry-agent/api'\n` +
  `const mod = process.getBuiltinModule ? ${requireCjs('./api.cjs')} : ${inertApi};\n` +
  `export const { ${apiNames.join(', ')} } = mod;\n`);

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
