// Patching one instrumentation the way the agent does (through the lifecycle: version gate,
// patch table, debug lines), for tests that drive a real library in-process.
import type { Signals } from '../../../src/collect/signals.js';
import { InstrumentationHost, unpatchModule } from '../../../src/collect/instrumentations/lifecycle.js';
import type { Instrumentation } from '../../../src/collect/instrumentations/types.js';

export { unpatchModule };

/** Patches `exports` as the first module `inst` declares, at `version`. */
export function patch(inst: Instrumentation, exports: unknown, signals: () => Signals | undefined, version: string): void {
  new InstrumentationHost([inst], signals).moduleLoaded(inst.modules[0]!.package, exports, version);
}
