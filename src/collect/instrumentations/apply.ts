import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Signals } from '../signals.js';
import { INSTRUMENTATIONS } from './index.js';

const wrapped = new WeakSet<object>();

/**
 * Called by the start-up hook with a watched package's freshly loaded exports: wraps them with
 * every instrumentation that declares the package, once. Each instrumentation checks the version
 * against its supported range itself and leaves others untouched with one debug line.
 */
export function instrumentModule(pkg: string, exports: unknown, file: string | undefined, signals: () => Signals): void {
  if (exports === null || (typeof exports !== 'object' && typeof exports !== 'function') || wrapped.has(exports as object)) return;
  wrapped.add(exports as object);
  const s = signals();
  const version = packageVersion(pkg, file);
  for (const inst of INSTRUMENTATIONS) {
    for (const m of inst.modules) {
      if (m.package !== pkg) continue;
      try {
        inst.wrap(exports, signals, version ?? 'unknown');
        s.debug(`instrumented ${pkg}@${version}`);
      } catch (e) {
        s.debug(`instrumenting ${pkg} failed (${e}); left as it is`);
      }
    }
  }
}

/** The version in the package.json above the loaded file (exports maps may hide `pkg/package.json`). */
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
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  } catch { /* unknown */ }
  return undefined;
}
