// Patching one instrumentation the way the agent does (through the lifecycle: version gate,
// patch table, debug lines), for tests that drive a real library in-process.
import type { Signals } from '../../../src/collect/signals.js';
import { InstrumentationHost, unpatchModule } from '../../../src/collect/instrumentations/lifecycle.js';
import type { Instrumentation } from '../../../src/collect/instrumentations/types.js';

export { unpatchModule };

/** Patches `exports` as the first module `inst` declares, at `version`. */
export function patch(inst: Instrumentation<any>, exports: unknown, signals: () => Signals | undefined, version: string): void {
  new InstrumentationHost([inst], signals).moduleLoaded(inst.modules[0]!.package, exports, version);
}

/** Patches several modules of one instrumentation with one host (they share its state), as the agent does. */
export function patchModules(inst: Instrumentation<any>, modules: ReadonlyArray<readonly [pkg: string, exports: unknown, version: string]>, signals: () => Signals | undefined): InstrumentationHost {
  const host = new InstrumentationHost([inst], signals);
  for (const [pkg, exports, version] of modules) host.moduleLoaded(pkg, exports, version);
  return host;
}
