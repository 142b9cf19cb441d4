// Entry of dist/probe.cjs: the hardware probe, run detached by the agent when the cache is missing,
// so systeminformation's child processes never hold the app open. Writes the cache and exits.
import { agentPaths } from '../decide/paths.js';
import { hardwareKey, probeHardware } from '../collect/hardware.js';

setTimeout(() => process.exit(0), 15_000).unref();
probeHardware(agentPaths().cacheDir, hardwareKey(), () => {}).finally(() => process.exit(0));
