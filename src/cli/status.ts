import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_VERSION, FORBIDDEN_RESOURCE_KEYS, METRICS, RESOURCE_ATTRIBUTES, SIGNAL_ATTRIBUTES, SPANS } from '../catalog.js';
import { decide } from '../decide/decision.js';
import { agentPaths } from '../decide/paths.js';
import { installIdFile } from '../collect/install-id.js';
import { AGENT_VERSION } from '../version.js';

export interface StatusReport {
  readonly version: string;
  readonly enabled: boolean;
  readonly rule: number;
  readonly reason: string;
  readonly inspect: boolean;
  readonly endpoint: string;
  readonly protocol: string;
  readonly installId: string | null;
  readonly installIdFile: string;
  readonly configDir: string;
  readonly queueDir: string;
  readonly problems: readonly string[];
  readonly dataVersion: number;
}

export function statusReport(env: NodeJS.ProcessEnv = process.env): StatusReport {
  // The CLI is never the exporting process; ask what an app started from here would do.
  const d = decide(env, {}, undefined, { main: true, reason: 'status' });
  const paths = agentPaths();
  let installId: string | null = null;
  try { installId = readFileSync(installIdFile(paths.configDir), 'utf8').trim() || null; } catch { /* not created yet */ }
  return {
    version: AGENT_VERSION,
    enabled: d.send,
    rule: d.consent.rule,
    reason: d.consent.reason,
    inspect: d.config.inspect,
    endpoint: d.config.endpoint,
    protocol: d.config.protocol,
    installId,
    installIdFile: installIdFile(paths.configDir),
    configDir: paths.configDir,
    queueDir: join(paths.cacheDir, 'queue'),
    problems: d.problems,
    dataVersion: DATA_VERSION,
  };
}

/** The human-readable status, including the full list of what is collected, straight from the catalog. */
export function formatStatus(r: StatusReport): string {
  const lines = [
    `telemetry-agent ${r.version}`,
    `telemetry: ${r.enabled ? 'on' : 'off'}: ${r.reason} (consent rule ${r.rule})`,
    `endpoint: ${r.endpoint} (${r.protocol})${r.inspect ? ', inspect mode on' : ''}`,
    `install id: ${r.installId ?? 'none yet (created the first time telemetry is sent)'}  [${r.installIdFile}]`,
    `service.instance.id: random for every process run`,
    `queue: ${r.queueDir}`,
    ...r.problems.map((p) => `problem: ${p}`),
    '',
    `What is collected (data list version ${r.dataVersion}):`,
    'resource attributes:',
    ...RESOURCE_ATTRIBUTES.map((a) => `  ${a.key}: ${a.description}`),
    'spans:',
    ...SPANS.map((s) => `  ${s.name}: ${s.description}`),
    'metrics:',
    ...METRICS.map((m) => `  ${m.name} (${m.kind}, ${m.unit}): ${m.description}`),
    'span and metric attributes:',
    ...SIGNAL_ATTRIBUTES.map((a) => `  ${a.key}: ${a.description}`),
    `never collected: ${FORBIDDEN_RESOURCE_KEYS.join(', ')}, IP addresses, user names, paths, environment values`,
    '',
    'turn off: DO_NOT_TRACK=1 or `telemetry-agent disable`; see payloads: TELEMETRY_AGENT_INSPECT=1',
  ];
  return lines.join('\n') + '\n';
}
