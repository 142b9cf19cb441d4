import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import type { WatchedPackage } from './packages.js';

type LoadFn = (request: string, parent: unknown, isMain: boolean) => unknown;
type ResolveFn = (request: string, parent: unknown, isMain: boolean) => string;
/** Receives a watched package's exports (CJS) or namespace (ESM) and the file it came from. */
export type OnLoad = (pkg: string, exports: unknown, file: string | undefined) => void;

const ESM_QUERY = 'telemetry-agent-wrap';
const ESM_CALLBACK = Symbol.for('telemetry-agent.esm-loaded');

/**
 * Watches only the packages on the include-list. CommonJS packages (tfjs, onnxruntime) are caught
 * in Module._load, which sees both `require()` and ESM imports of CJS packages; ESM-only packages
 * get an in-thread module.registerHooks shim. Nothing else in the app is touched.
 */
// node:module and node:url are fetched when hooks are installed, i.e. only when telemetry is on:
// as top-level imports they would cost every start, including the ones where it is off.
const builtin = <T>(name: string) => process.getBuiltinModule(name) as T;

/**
 * Installs the hooks; returns what removes them again (the agent never does: the in-process tests
 * do). `cwd` is where ESM packages are looked for (the app's directory).
 */
export function installHooks(watched: readonly WatchedPackage[], onLoad: OnLoad, cwd = process.cwd()): () => void {
  const removers: Array<() => void> = [];
  const cjs = watched.filter((w) => w.format === 'cjs').map((w) => w.package);
  if (cjs.length > 0) removers.push(hookCommonJs(cjs, onLoad));
  const esm = watched.filter((w) => w.format === 'esm' && isInstalled(w.package, cwd)).map((w) => w.package);
  if (esm.length > 0) removers.push(hookEsm(esm, onLoad));
  return () => {
    for (const remove of removers) {
      try { remove(); } catch { /* already gone */ }
    }
  };
}

function hookCommonJs(packages: string[], onLoad: OnLoad): () => void {
  const M = builtin<{ _load: LoadFn; _resolveFilename: ResolveFn }>('node:module');
  const original = M._load;
  const marker = `${sep}node_modules${sep}`;
  const patchedLoad = function patchedLoad(this: unknown, request: string, parent: unknown, isMain: boolean) {
    const exports = original.apply(this, [request, parent, isMain]);
    if (!isMain && typeof request === 'string') {
      for (const pkg of packages) {
        // Bare `require('pkg')`, or the resolved main file when an ESM app imports a CJS package.
        if (request === pkg || (request.includes(marker) && isPackageMain(request, pkg))) {
          try {
            onLoad(pkg, exports, request.includes(marker) ? request : M._resolveFilename(request, parent, false));
          } catch { /* never into the app */ }
        }
      }
    }
    return exports;
  };
  M._load = patchedLoad;
  return () => {
    if (M._load === patchedLoad) M._load = original;
  };
}

function hookEsm(packages: string[], onLoad: OnLoad): () => void {
  const register = builtin<{ registerHooks?: (h: object) => { deregister?: () => void } | undefined }>('node:module').registerHooks;
  const { fileURLToPath } = builtin<typeof import('node:url')>('node:url');
  if (!register) return () => {};
  const callback = (pkg: string, ns: unknown, url: string) => {
    try { onLoad(pkg, ns, fileURLToPath(url)); } catch { /* never into the app */ }
  };
  const g = globalThis as Record<symbol, unknown>;
  g[ESM_CALLBACK] = callback;
  const handle = register({
    resolve(specifier: string, context: { conditions?: string[] }, next: (s: string, c: unknown) => { url: string; format?: string }) {
      const r = next(specifier, context);
      if (packages.includes(specifier) && context.conditions?.includes('import') && r.url.startsWith('file:')) {
        return { ...r, url: `${r.url}?${ESM_QUERY}=${encodeURIComponent(specifier)}`, shortCircuit: true };
      }
      return r;
    },
    load(url: string, context: unknown, next: (u: string, c: unknown) => unknown) {
      const q = url.indexOf(`?${ESM_QUERY}=`);
      if (q === -1) return next(url, context);
      const original = url.slice(0, q);
      const pkg = decodeURIComponent(url.slice(q + ESM_QUERY.length + 2));
      // A shim that re-exports the real module and hands its namespace to the instrumentation.
      // Built from an array of lines: a line of ESM syntax inside one string literal makes format
      // checkers (publint) take the CommonJS bundle this file ends up in for an ES module.
      const source = [
        `import * as ns from ${JSON.stringify(original)};`,
        `export * from ${JSON.stringify(original)};`,
        `try { globalThis[Symbol.for('telemetry-agent.esm-loaded')]?.(${JSON.stringify(pkg)}, ns, ${JSON.stringify(original)}); } catch {}`,
        '',
      ].join('\n');
      return { format: 'module', source, shortCircuit: true };
    },
  });
  return () => {
    handle?.deregister?.();
    if (g[ESM_CALLBACK] === callback) delete g[ESM_CALLBACK];
  };
}

function isPackageMain(file: string, pkg: string): boolean {
  const dirOf = `${sep}node_modules${sep}${pkg.split('/').join(sep)}`;
  const idx = file.lastIndexOf(dirOf + sep);
  if (idx === -1) return false;
  const root = file.slice(0, idx) + dirOf;
  try {
    const main = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main?: string }).main ?? 'index.js';
    const resolved = join(root, main);
    return file === resolved || file === resolved + '.js' || file === join(resolved, 'index.js');
  } catch {
    return false;
  }
}

function isInstalled(pkg: string, cwd: string): boolean {
  let dir = cwd;
  for (let i = 0; i < 32; i++) {
    if (existsSync(join(dir, 'node_modules', pkg, 'package.json'))) return true;
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
  return false;
}
