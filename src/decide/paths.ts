import envPaths from 'env-paths';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';

export interface AgentPaths {
  /** User config dir: consent, install ID, salt. `$XDG_CONFIG_HOME/telemetry-agent/` on Linux. */
  readonly configDir: string;
  /** User cache dir: hardware probe cache, on-disk queue. `$XDG_CACHE_HOME/telemetry-agent/` on Linux. */
  readonly cacheDir: string;
}

let cached: AgentPaths | undefined;

export function agentPaths(): AgentPaths {
  if (cached) return cached;
  const p = envPaths('telemetry-agent', { suffix: '' });
  cached = { configDir: p.config, cacheDir: p.cache };
  return cached;
}

export const USER_CONSENT_FILE = 'consent.json';
export const PROJECT_CONSENT_FILE = '.telemetry-agent.json';

/** The root of the nearest package.json above `from`, where a project's committed consent lives. */
export function findProjectRoot(from: string = process.cwd()): string | undefined {
  let dir = from;
  for (let i = 0; i < 64; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}
