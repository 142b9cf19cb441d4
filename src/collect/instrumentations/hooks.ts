import Module from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Signals } from '../signals.js';
import type { Instrumentation } from './types.js';

type Target = { readonly inst: Instrumentation; readonly pkg: string; readonly versions: string; readonly format: 'cjs' | 'esm' };
type LoadFn = (request: string, parent: unknown, isMain: boolean) => unknown;
type ResolveFn = (request: string, parent: unknown, isMain: boolean) => string;

const ESM_QUERY = 'telemetry-agent-wrap';
const wrapped = new WeakSet<object>();

export interface HookDeps {
  readonly signals: () => Signals | undefined;
  readonly debug: (m: string) => void;
  /** `satisfies(version, range)`; unsupported versions are left untouched. */
  readonly satisfies: (version: string, range: string) => boolean;
}

/**
 * Patches only the modules on the include-list. CommonJS packages (tfjs, onnxruntime) are caught
 * in Module._load, which sees both `require()` and ESM imports of CJS packages; ESM-only packages
 * get an in-thread module.registerHooks shim. Nothing else in the app is touched.
 */
export function installHooks(instrumentations: readonly Instrumentation[], deps: HookDeps): void {
  const targets: Target[] = instrumentations.flatMap((inst) => inst.modules.map((m) => ({ inst, pkg: m.package, versions: m.versions, format: m.format })));
  const cjs = targets.filter((t) => t.format === 'cjs');
  if (cjs.length > 0) hookCommonJs(cjs, deps);
  const esm = targets.filter((t) => t.format === 'esm' && isInstalled(t.pkg));
  if (esm.length > 0) hookEsm(esm, deps);
}

/** Called with a freshly loaded module's exports; wraps it once if it is on the list and supported. */
function apply(t: Target, exports: unknown, file: string | undefined, deps: HookDeps): void {
  if (exports === null || (typeof exports !== 'object' && typeof exports !== 'function') || wrapped.has(exports as object)) return;
  wrapped.add(exports as object);
  const signals = deps.signals();
  if (!signals) return;
  const version = packageVersion(t.pkg, file);
  if (!version || !deps.satisfies(version, t.versions)) {
    deps.debug(`${t.pkg}@${version ?? 'unknown'} is outside the supported range ${t.versions} of ${t.inst.id}; not instrumented`);
    return;
  }
  try {
    t.inst.wrap(exports, () => deps.signals() ?? signals, version);
    deps.debug(`instrumented ${t.pkg}@${version}`);
  } catch (e) {
    deps.debug(`instrumenting ${t.pkg} failed (${e}); left as it is`);
  }
}

function hookCommonJs(targets: Target[], deps: HookDeps): void {
  const M = Module as unknown as { _load: LoadFn; _resolveFilename: ResolveFn };
  const original = M._load;
  const marker = `${sep}node_modules${sep}`;
  M._load = function patchedLoad(this: unknown, request: string, parent: unknown, isMain: boolean) {
    const exports = original.apply(this, [request, parent, isMain]);
    if (!isMain && typeof request === 'string') {
      for (const t of targets) {
        // Bare `require('pkg')`, or the resolved main file when an ESM app imports a CJS package.
        if (request === t.pkg || (request.includes(marker) && isPackageMain(request, t.pkg))) {
          try {
            const file = request.includes(marker) ? request : M._resolveFilename(request, parent, false);
            apply(t, exports, file, deps);
          } catch { /* never into the app */ }
        }
      }
    }
    return exports;
  };
}

function hookEsm(targets: Target[], deps: HookDeps): void {
  const register = (Module as unknown as { registerHooks?: (h: object) => void }).registerHooks;
  if (!register) return;
  const globalKey = Symbol.for('telemetry-agent.esm-loaded');
  (globalThis as Record<symbol, unknown>)[globalKey] = (pkg: string, ns: unknown, url: string) => {
    const t = targets.find((x) => x.pkg === pkg);
    if (t) apply(t, ns, fileURLToPath(url), deps);
  };
  register({
    resolve(specifier: string, context: { conditions?: string[] }, next: (s: string, c: unknown) => { url: string; format?: string }) {
      const r = next(specifier, context);
      if (targets.some((t) => t.pkg === specifier) && context.conditions?.includes('import') && r.url.startsWith('file:')) {
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
      const source = `import * as ns from ${JSON.stringify(original)};\nexport * from ${JSON.stringify(original)};\n` +
        `try { globalThis[Symbol.for('telemetry-agent.esm-loaded')]?.(${JSON.stringify(pkg)}, ns, ${JSON.stringify(original)}); } catch {}\n`;
      return { format: 'module', source, shortCircuit: true };
    },
  });
}

function isPackageMain(file: string, pkg: string): boolean {
  const idx = file.lastIndexOf(`${sep}node_modules${sep}${pkg.split('/').join(sep)}${sep}`);
  if (idx === -1) return false;
  const root = file.slice(0, idx) + `${sep}node_modules${sep}${pkg.split('/').join(sep)}`;
  try {
    const main = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main?: string }).main ?? 'index.js';
    const resolved = join(root, main);
    return file === resolved || file === resolved + '.js' || file === join(resolved, 'index.js');
  } catch {
    return false;
  }
}

function packageVersion(pkg: string, file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    let dir = dirname(file);
    for (let i = 0; i < 8; i++) {
      const p = join(dir, 'package.json');
      if (existsSync(p)) {
        const j = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
        if (j.name === pkg) return j.version;
      }
      dir = dirname(dir);
    }
  } catch { /* unknown */ }
  return undefined;
}

function isInstalled(pkg: string): boolean {
  let dir = process.cwd();
  for (let i = 0; i < 32; i++) {
    if (existsSync(join(dir, 'node_modules', pkg, 'package.json'))) return true;
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
  return false;
}
