// The decision: whose consent, what it says, the export settings and the process role.
import { readExportConfig } from './export-config.js';
import { decideWith, type Decision, type StartOptions } from './lazy-decision.js';
import type { Env } from './env-flags.js';
import type { ProcessRole } from './process-role.js';

export { consentRevoked, type ConfigReader, type Decision, type StartOptions } from './lazy-decision.js';

/** The decision, with the export settings read by export-config.ts when first asked for. */
export function decide(env: Env, options: StartOptions = {}, ownCli?: () => string | undefined, knownRole?: ProcessRole): Decision {
  return decideWith(readExportConfig, env, options, ownCli, knownRole);
}
