// Reads every *.jsonl file of a directory: what `telemetry-agent collect` writes (traces.jsonl,
// metrics.jsonl and their rotated traces.N.jsonl) and what the Collector's file exporter writes,
// whatever the file names. Each line is classified by its content, not by the file it is in.
// Lines end at \n only: JSON text may hold U+2028/U+2029 raw inside strings, and a reader
// that also breaks there (node:readline does) would cut a valid batch in pieces.

import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface TelemetryInput {
  readonly traceRequests: unknown[];
  readonly metricRequests: unknown[];
  readonly logRequests: unknown[];
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

export function classifyLine(line: string): { kind: 'traces' | 'metrics' | 'logs' | 'invalid'; value?: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'invalid' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { kind: 'invalid' };
  if (Array.isArray((value as Record<string, unknown>).resourceSpans)) return { kind: 'traces', value };
  if (Array.isArray((value as Record<string, unknown>).resourceMetrics)) return { kind: 'metrics', value };
  if (Array.isArray((value as Record<string, unknown>).resourceLogs)) return { kind: 'logs', value };
  return { kind: 'invalid' };
}

export async function readTelemetryDir(dir: string): Promise<TelemetryInput> {
  const files = await listTelemetryFiles(dir);
  const traceRequests: unknown[] = [];
  const metricRequests: unknown[] = [];
  const logRequests: unknown[] = [];
  let skippedLines = 0;
  for (const file of files) {
    for await (const line of jsonLines(file)) {
      if (line.trim() === '') continue;
      const { kind, value } = classifyLine(line);
      if (kind === 'traces') traceRequests.push(value);
      else if (kind === 'metrics') metricRequests.push(value);
      else if (kind === 'logs') logRequests.push(value);
      else skippedLines++;
    }
  }
  return { traceRequests, metricRequests, logRequests, files, skippedLines };
}

/** The lines of a file, split at \n only (a \r before it is dropped). */
async function* jsonLines(file: string): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of createReadStream(file, 'utf8')) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      yield text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
      start = end + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') yield rest;
}
