// Reads every *.jsonl file of a directory: what `telemetry-agent collect` writes (traces.jsonl,
// metrics.jsonl and their rotated traces.N.jsonl) and what the Collector's file exporter writes,
// whatever the file names. Each line is classified by its content, not by the file it is in.

import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface TelemetryInput {
  readonly traceRequests: unknown[];
  readonly metricRequests: unknown[];
  readonly files: string[];
  /** Lines that were not JSON, or not a trace or metrics request. */
  readonly skippedLines: number;
}

export async function listTelemetryFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.jsonl')).map((e) => e.name);
  return names.sort(byAge).map((name) => join(dir, name));
}

/** Oldest first: traces.3.jsonl, traces.2.jsonl, traces.1.jsonl, traces.jsonl. */
function byAge(a: string, b: string): number {
  const pa = rotation(a);
  const pb = rotation(b);
  if (pa.base !== pb.base) return pa.base < pb.base ? -1 : 1;
  return pb.index - pa.index;
}

function rotation(name: string): { base: string; index: number } {
  const m = /^(.*)\.(\d+)\.jsonl$/.exec(name);
  return m ? { base: m[1], index: Number(m[2]) } : { base: name.slice(0, -'.jsonl'.length), index: 0 };
}

export function classifyLine(line: string): { kind: 'traces' | 'metrics' | 'other' | 'invalid'; value?: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'invalid' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { kind: 'invalid' };
  if (Array.isArray((value as Record<string, unknown>).resourceSpans)) return { kind: 'traces', value };
  if (Array.isArray((value as Record<string, unknown>).resourceMetrics)) return { kind: 'metrics', value };
  // Logs from a Collector pipeline are legitimate lines, just not shown.
  if (Array.isArray((value as Record<string, unknown>).resourceLogs)) return { kind: 'other' };
  return { kind: 'invalid' };
}

export async function readTelemetryDir(dir: string): Promise<TelemetryInput> {
  const files = await listTelemetryFiles(dir);
  const traceRequests: unknown[] = [];
  const metricRequests: unknown[] = [];
  let skippedLines = 0;
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      const { kind, value } = classifyLine(line);
      if (kind === 'traces') traceRequests.push(value);
      else if (kind === 'metrics') metricRequests.push(value);
      else if (kind === 'invalid') skippedLines++;
    }
  }
  return { traceRequests, metricRequests, files, skippedLines };
}
