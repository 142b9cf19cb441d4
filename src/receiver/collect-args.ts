import { parseArgs } from 'node:util';

export const COLLECT_USAGE = `Usage: telemetry-agent collect [--port 4318] [--out ./telemetry-data]

Receives OTLP/HTTP on 127.0.0.1 only and appends what arrives, as OTLP JSON lines (the format
of the OpenTelemetry Collector's file exporter), to <out>/traces.jsonl, metrics.jsonl and logs.jsonl.

  --port <n>          port to listen on (default 4318; 0 picks a free one)
  --out <dir>         where to write (default ./telemetry-data)
  --max-file-mb <n>   rotate a file past this size: traces.jsonl -> traces.1.jsonl (default 50)
  --keep <n>          rotated files kept per signal (default 3)

Accepts POST /v1/traces, /v1/metrics and /v1/logs as application/json or application/x-protobuf,
optionally Content-Encoding: gzip, up to 8 MB per request. When too much data is in flight it
answers 503 with Retry-After (exporters retry). Stop with Ctrl+C, then: telemetry-agent report <out>`;

export interface CollectArgs {
  readonly port: number;
  readonly outDir: string;
  readonly maxFileBytes: number;
  readonly keep: number;
}

export type ParsedCollectArgs = { kind: 'run'; args: CollectArgs } | { kind: 'help' } | { kind: 'error'; message: string };

const MB = 1024 * 1024;

export function parseCollectArgs(argv: readonly string[]): ParsedCollectArgs {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: { port: { type: 'string' }, out: { type: 'string' }, 'max-file-mb': { type: 'string' }, keep: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    return error(String((e as Error).message).split('\n')[0]!);
  }
  if (values.help) return { kind: 'help' };
  if (positionals.length > 0) return error(`unexpected argument ${show(positionals[0])}`);
  const port = values.port === undefined ? 4318 : parseInteger(values.port as string);
  if (port === undefined || port > 65535) return error(`--port needs a number from 0 to 65535, got ${show(values.port as string)}`);
  const outDir = values.out === undefined ? './telemetry-data' : (values.out as string);
  if (!outDir) return error('--out needs a directory');
  const maxFileMb = values['max-file-mb'] === undefined ? 50 : parseInteger(values['max-file-mb'] as string);
  if (maxFileMb === undefined || maxFileMb < 1) return error(`--max-file-mb needs a whole number of megabytes (1 or more), got ${show(values['max-file-mb'] as string)}`);
  const keep = values.keep === undefined ? 3 : parseInteger(values.keep as string);
  if (keep === undefined || keep > 100) return error(`--keep needs a number from 0 to 100, got ${show(values.keep as string)}`);
  return { kind: 'run', args: { port, outDir, maxFileBytes: maxFileMb * MB, keep } };
}

function parseInteger(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,9}$/.test(value)) return undefined;
  return Number(value);
}

function show(value: string | undefined): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function error(message: string): ParsedCollectArgs {
  return { kind: 'error', message: `telemetry-agent collect: ${message} (see --help)` };
}
