// Entry of dist/instrumentations.cjs, loaded the first time a watched package is: turns the
// start-up hook's "package X was loaded from file F" into the lifecycle's moduleLoaded call.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Signals } from '../signals.js';
import { INSTRUMENTATIONS } from './index.js';
import { InstrumentationHost } from './lifecycle.js';

export type ModuleLoaded = (pkg: string, exports: unknown, file: string | undefined) => void;

/** One agent's instrumentations, fed by the start-up hook. Never throws. */
export function createInstrumenter(signals: () => Signals | undefined): ModuleLoaded {
  const host = new InstrumentationHost(INSTRUMENTATIONS, signals);
  return (pkg, exports, file) => {
    try {
      host.moduleLoaded(pkg, exports, packageVersion(pkg, file));
    } catch { /* never into the app */ }
  };
}

/** The version in the package.json above the loaded file (exports maps may hide `pkg/package.json`). */
export function packageVersion(pkg: string, file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    let dir = dirname(file);
    for (let i = 0; i < 8; i++) {
      const p = join(dir, 'package.json');
      if (existsSync(p)) {
        const j = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
        if (j.name === pkg) return typeof j.version === 'string' ? j.version : undefined;
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  } catch { /* unknown */ }
  return undefined;
}
