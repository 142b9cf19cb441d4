// Writes queue entries the way the agent does (header line with product and destination
// fingerprint, then the OTLP JSON body), for tests that plant a backlog or an attacker's file.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { destinationsOf } from '../../src/deliver/destination.js';
import { readExportConfig } from '../../src/decide/export-config.js';
import { queueDir } from './fault-receiver.js';

export const AGENT_PRODUCT = 'telemetry-agent';

/** The salt the agent keys destination fingerprints with, in a home prepared by cleanEnv (created if missing). */
export function saltOf(home: string): string {
  const root = join(home, '.config', 'telemetry-agent');
  for (const file of [join(root, 'products', AGENT_PRODUCT, 'salt'), join(root, 'salt')]) {
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  }
  const salt = 'ab'.repeat(32);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  writeFileSync(join(root, 'salt'), salt + '\n');
  return salt;
}

/** The fingerprint an agent with `env` (endpoint, headers) binds its `signal` entries to. */
export function fingerprintFor(home: string, env: Record<string, string | undefined>, signal: 'traces' | 'metrics' = 'metrics', product = AGENT_PRODUCT): string {
  return destinationsOf(saltOf(home), product, readExportConfig(env, []))!.get(signal)!;
}

/** A synthetic OTLP metrics request body carrying `id` as its service.instance.id. */
export function syntheticPayload(id: string): string {
  return JSON.stringify({ resourceMetrics: [{ resource: { attributes: [{ key: 'service.instance.id', value: { stringValue: id } }] }, scopeMetrics: [{ scope: { name: 'fault-test' }, metrics: [{ name: 'process.memory.usage', unit: 'By', gauge: { dataPoints: [{ asInt: '1', timeUnixNano: '1700000000000000000' }] } }] }] }] });
}

/** One entry's file name and content, bound to `destination`. */
export function entry(destination: string, body: string, o: { at?: number; index?: number; product?: string; signal?: 'traces' | 'metrics' } = {}): { name: string; content: string } {
  const signal = o.signal ?? 'metrics';
  const name = `${String(o.at ?? 1_700_000_000_000 + (o.index ?? 0))}-1-${((o.index ?? 0) + 1).toString(16).padStart(8, '0')}.${destination}.${signal}.json`;
  return { name, content: `${JSON.stringify({ v: 2, product: o.product ?? AGENT_PRODUCT, signal, destination })}\n${body}` };
}

/** Plants payloads carrying `ids` (oldest first) for the agent of `home` sending to `endpoint`. */
export function plantQueue(home: string, endpoint: string, ids: string[], extraEnv: Record<string, string> = {}): void {
  const dir = queueDir(home);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const destination = fingerprintFor(home, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, ...extraEnv });
  ids.forEach((id, i) => {
    const e = entry(destination, syntheticPayload(id), { index: i });
    writeFileSync(join(dir, e.name), e.content);
  });
}
