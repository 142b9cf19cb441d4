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
  let port = 4318;
  let outDir = './telemetry-data';
  let maxFileMb = 50;
  let keep = 3;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const takeValue = (): string | undefined => (eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    switch (name) {
      case '--port': {
        const value = takeValue();
        const n = parseInteger(value);
        if (n === undefined || n > 65535) return error(`--port needs a number from 0 to 65535, got ${show(value)}`);
        port = n;
        break;
      }
      case '--out': {
        const value = takeValue();
        if (!value) return error('--out needs a directory');
        outDir = value;
        break;
      }
      case '--max-file-mb': {
        const value = takeValue();
        const n = parseInteger(value);
        if (n === undefined || n < 1) return error(`--max-file-mb needs a whole number of megabytes (1 or more), got ${show(value)}`);
        maxFileMb = n;
        break;
      }
      case '--keep': {
        const value = takeValue();
        const n = parseInteger(value);
        if (n === undefined || n > 100) return error(`--keep needs a number from 0 to 100, got ${show(value)}`);
        keep = n;
        break;
      }
      default:
        return error(arg.startsWith('-') ? `unknown option ${arg}` : `unexpected argument ${show(arg)}`);
    }
  }
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
