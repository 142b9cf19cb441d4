// docs/configuration.md names every environment variable the agent reads.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/run-node.js';

/** Every .ts file under src/. */
function sources(dir = join(REPO, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

// The agent's own variables, the OpenTelemetry ones and the opt-out convention. A name that only
// prefixes others (`OTEL_EXPORTER_OTLP_` + signal) is not a variable of its own.
const VARIABLE = /\b(TELEMETRY_AGENT_[A-Z0-9_]*[A-Z0-9]|OTEL_[A-Z0-9_]*[A-Z0-9]|DO_NOT_TRACK)\b(?!_)/g;

describe('docs/configuration.md', () => {
  const page = readFileSync(join(REPO, 'docs', 'configuration.md'), 'utf8');
  const read = new Set(sources().flatMap((f) => [...readFileSync(f, 'utf8').matchAll(VARIABLE)].map((m) => m[1]!)));

  it('the scan finds the variables the agent is known to read', () => {
    for (const v of ['TELEMETRY_AGENT_ENABLED', 'DO_NOT_TRACK', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'TELEMETRY_AGENT_FLUSH_TIMEOUT_MS']) expect(read).toContain(v);
  });

  it('names every variable the code reads', () => {
    const missing = [...read].filter((v) => !page.includes(`\`${v}\``)).sort();
    expect(missing, 'add a row for each to docs/configuration.md').toEqual([]);
  });
});
