// The example payload on a tool's telemetry page is not written by hand: a real process starts
// the agent with the tool's description, records one of each declared event (and command) and
// prints what it would send (TELEMETRY_AGENT_INSPECT), with consent denied, so nothing leaves
// and nothing is written outside a temporary directory. Then IDs, times and this machine's
// values become placeholders, so the page is the same wherever it is generated.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TelemetryDescription, UsageAttribute } from '../api/description.js';

/** Resource values that are the same for every user of a tool: shown as they are. */
const KEPT_RESOURCE_KEYS = new Set(['service.name', 'service.version', 'telemetry.sdk.name', 'telemetry.sdk.language', 'telemetry.distro.name', 'process.runtime.name']);

export function exampleValue(a: UsageAttribute): string | number | boolean {
  if (a.type === 'string') return a.values[0]!;
  if (a.type === 'number') return 1;
  return true;
}

const CHILD = `
const api = require(process.env.TA_DOCS_API);
const d = JSON.parse(process.env.TA_DOCS_DESCRIPTION);
const examples = JSON.parse(process.env.TA_DOCS_EXAMPLES);
api.start(d);
const record = () => { for (const [event, attrs] of Object.entries(examples)) api.recordUsage(event, attrs); };
const command = (d.commands || [])[0];
if (command) api.recordCommand(command, record); else record();
api.shutdown().then(() => process.exit(0));
`;

/**
 * The OTLP JSON traces request the agent builds for one of each declared event, with
 * placeholders for what differs between runs and machines. `apiFile` is dist/api.cjs.
 */
export function examplePayload(d: TelemetryDescription, apiFile: string, node: string = process.execPath): unknown {
  const examples: Record<string, Record<string, string | number | boolean>> = {};
  for (const [event, attrs] of Object.entries(d.events ?? {})) {
    examples[event] = Object.fromEntries(Object.entries(attrs).map(([name, a]) => [name, exampleValue(a)]));
  }
  const dir = mkdtempSync(join(tmpdir(), 'telemetry-agent-docs-'));
  try {
    const inspectFile = join(dir, 'inspect.txt');
    const r = spawnSync(node, ['-e', CHILD], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 30_000,
      // A clean environment: no CI markers, no user settings; consent denied (DO_NOT_TRACK), so
      // the payload is printed and never sent; config and cache in the temporary directory.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        XDG_CONFIG_HOME: join(dir, 'config'),
        XDG_CACHE_HOME: join(dir, 'cache'),
        DO_NOT_TRACK: '1',
        TELEMETRY_AGENT_INSPECT: '1',
        TELEMETRY_AGENT_INSPECT_FILE: inspectFile,
        TELEMETRY_AGENT_EXIT_SENDER: '0',
        TA_DOCS_API: apiFile,
        TA_DOCS_DESCRIPTION: JSON.stringify(d),
        TA_DOCS_EXAMPLES: JSON.stringify(examples),
      },
    });
    let text = '';
    try { text = readFileSync(inspectFile, 'utf8'); } catch { /* nothing printed */ }
    const traces = text.split('\n').filter((l) => l.startsWith('{"resourceSpans"')).map((l) => JSON.parse(l) as { resourceSpans: unknown[] });
    if (traces.length === 0) throw new Error(`the agent printed no traces payload (exit ${r.status}${r.stderr ? `: ${r.stderr.trim().split('\n')[0]}` : ''})`);
    return withPlaceholders({ resourceSpans: traces.flatMap((t) => t.resourceSpans) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function withPlaceholders(payload: unknown): Json {
  const ids = new Map<string, string>();
  const id = (kind: string, v: string) => {
    if (!ids.has(v)) ids.set(v, `<${kind}-${[...ids.values()].filter((x) => x.startsWith(`<${kind}-`)).length + 1}>`);
    return ids.get(v)!;
  };
  const walk = (node: Json, key?: string): Json => {
    if (Array.isArray(node)) return node.map((x) => walk(x));
    if (node === null || typeof node !== 'object') return node;
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'traceId' || k === 'spanId' || k === 'parentSpanId') && typeof v === 'string' && v !== '') out[k] = id(k === 'traceId' ? 'trace-id' : 'span-id', v);
      else if ((k === 'startTimeUnixNano' || k === 'endTimeUnixNano' || k === 'timeUnixNano') && v !== null) out[k] = `<${k === 'endTimeUnixNano' ? 'end' : 'start'} time, ns since 1970>`;
      else if (k === 'version' && key === 'scope') out[k] = '<telemetry.distro.version>';
      else out[k] = walk(v as Json, k);
    }
    return out;
  };
  const p = walk(payload as Json) as { resourceSpans: { resource: { attributes: { key: string; value: Record<string, Json> }[] } }[] };
  for (const rs of p.resourceSpans) {
    for (const a of rs.resource.attributes) {
      if (KEPT_RESOURCE_KEYS.has(a.key)) continue;
      const [type] = Object.keys(a.value);
      a.value = { [type!]: `<${a.key}>` };
    }
  }
  return p as unknown as Json;
}
