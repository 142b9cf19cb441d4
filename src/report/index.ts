import { parseArgs } from 'node:util';
import { readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { groupRuns } from './group-runs.js';
import { otherTelemetry } from './other-telemetry.js';
import { readTelemetryDir, type TelemetryInput } from './read-telemetry-dir.js';
import { renderReport } from './render-report.js';

export interface ReportIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Ends `--watch` (the CLI: SIGINT or SIGTERM). */
  readonly stop?: AbortSignal;
}

/** `--watch`: how often the directory is looked at, and how often the page reloads itself. */
export const WATCH_POLL_MS = 1000;
export const WATCH_REFRESH_SECONDS = 3;

export const REPORT_USAGE = `Usage: telemetry-agent report <dir> [-o report.html] [--watch]

Writes one self-contained HTML file (no scripts, nothing loaded from the network) showing each
run found in <dir>: hardware, a timeline of model loading, training and epochs, training
progress and loss, memory, inference latency and errors; then every other span and metric name
and the log records, by service, with counts. <dir> holds OTLP JSON lines files
(*.jsonl), as written by \`telemetry-agent collect\` or the Collector's file exporter.

  -o, --output <file>   where to write (default <dir>/report.html)
  -w, --watch           keep running: rewrite the report whenever new data arrives in <dir>
                        (e.g. from \`telemetry-agent collect\` while you train); the page reloads
                        itself every ${WATCH_REFRESH_SECONDS} s in the browser. Ctrl-C writes it a last time and stops.`;

type ParsedReportArgs = { kind: 'run'; dir: string; output?: string; watch: boolean } | { kind: 'help' } | { kind: 'error'; message: string };

export function parseReportArgs(argv: readonly string[]): ParsedReportArgs {
  const error = (message: string): ParsedReportArgs => ({ kind: 'error', message: `telemetry-agent report: ${message} (see --help)` });
  let values: { output?: string | boolean; help?: string | boolean; watch?: string | boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], options: { output: { type: 'string', short: 'o' }, watch: { type: 'boolean', short: 'w' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true }));
  } catch (e) {
    return error(String((e as Error).message).split('\n')[0]!);
  }
  if (values.help) return { kind: 'help' };
  if (values.output === '') return error('--output needs a file name');
  if (positionals.length > 1) return error(`unexpected argument ${JSON.stringify(positionals[1])}; give one directory`);
  const dir = positionals[0];
  if (!dir) return error('which directory? e.g. telemetry-agent report ./telemetry-data');
  return { kind: 'run', dir, output: values.output as string | undefined, watch: values.watch === true };
}

/** `telemetry-agent report`: 0 when written, 1 when there is nothing to report or it cannot write, 2 on bad arguments. */
export async function runReport(argv: string[], io: ReportIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const parsed = parseReportArgs(argv);
  if (parsed.kind === 'help') {
    io.stdout.write(`${REPORT_USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    io.stderr.write(`${parsed.message}\n`);
    return 2;
  }
  const dir = resolve(parsed.dir);
  const output = resolve(parsed.output ?? join(dir, 'report.html'));
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    io.stderr.write(`telemetry-agent report: ${dir} is not a directory\n`);
    return 1;
  }
  if (parsed.watch) return watchReport(dir, output, parsed.dir, io);
  const input = await readTelemetryDir(dir);
  if (input.files.length === 0) {
    io.stderr.write(`telemetry-agent report: no *.jsonl files in ${dir} (write some with \`telemetry-agent collect --out ${parsed.dir}\`)\n`);
    return 1;
  }
  const summary = await writeReport(dir, output, io, undefined, input);
  if (summary === undefined) return 1;
  io.stdout.write(`telemetry-agent report: wrote ${output} (${summary})\n`);
  return 0;
}

/** Renders the directory into `output` (write then rename: a reloading browser never sees half a file). The summary, or undefined when it cannot write. */
async function writeReport(dir: string, output: string, io: ReportIo, refreshSeconds?: number, read?: TelemetryInput): Promise<string | undefined> {
  const input = read ?? (await readTelemetryDir(dir));
  const runs = groupRuns(input.traceRequests, input.metricRequests);
  const other = otherTelemetry(input.traceRequests, input.metricRequests, input.logRequests);
  const page = renderReport(runs, { sourceDir: dir, generatedAt: new Date(), files: input.files, skippedLines: input.skippedLines, other, refreshSeconds });
  const partial = `${output}.${process.pid}.partial`;
  try {
    await writeFile(partial, page, 'utf8');
    await rename(partial, output);
  } catch (error) {
    await unlink(partial).catch(() => undefined);
    io.stderr.write(`telemetry-agent report: cannot write ${output}: ${(error as Error).message}\n`);
    return undefined;
  }
  const spans = runs.reduce((a, r) => a + r.spans.length, 0);
  const points = runs.reduce((a, r) => a + r.points.length, 0);
  const skipped = input.skippedLines ? `; skipped ${input.skippedLines} unreadable line${input.skippedLines === 1 ? '' : 's'}` : '';
  const otherSpans = other.spans.reduce((a, s) => a + s.count, 0);
  const otherNames = other.spans.length + other.metrics.length;
  const others = otherNames ? `; ${otherNames} other span and metric name${otherNames === 1 ? '' : 's'} (${otherSpans} spans) listed` : '';
  const logs = other.logRecords ? `, ${other.logRecords} log record${other.logRecords === 1 ? '' : 's'}` : '';
  return `${runs.length} run${runs.length === 1 ? '' : 's'}, ${spans} spans, ${points} metric points${logs}${others}${skipped}`;
}

/** What changes when data arrives: the names, sizes and times of the *.jsonl files. */
async function dirSignature(dir: string): Promise<string> {
  try {
    const names = (await readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort();
    const parts = await Promise.all(names.map(async (n) => {
      const s = await stat(join(dir, n)).catch(() => undefined);
      return s ? `${n}:${s.size}:${s.mtimeMs}` : n;
    }));
    return parts.join('|');
  } catch {
    return '';
  }
}

/**
 * `--watch`: rewrites the report whenever the directory changes, with a page that reloads itself,
 * until stopped; then writes it once more without the reload. Nothing but the local file is read.
 */
async function watchReport(dir: string, output: string, given: string, io: ReportIo): Promise<number> {
  let stop = io.stop;
  let detach = () => {};
  if (!stop) {
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    detach = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    stop = controller.signal;
  }
  io.stdout.write(`telemetry-agent report: watching ${dir} (write data there with \`telemetry-agent collect --out ${given}\`); ${output} is rewritten as data arrives and reloads itself every ${WATCH_REFRESH_SECONDS} s. Ctrl-C to stop.\n`);
  let last: string | undefined;
  try {
    while (!stop.aborted) {
      const signature = await dirSignature(dir);
      if (signature !== last) {
        last = signature;
        const summary = await writeReport(dir, output, io, WATCH_REFRESH_SECONDS);
        if (summary === undefined) return 1;
        io.stdout.write(`telemetry-agent report: updated ${output} (${summary})\n`);
      }
      await new Promise<void>((resolvePromise) => {
        const timer = setTimeout(resolvePromise, WATCH_POLL_MS);
        stop!.addEventListener('abort', () => { clearTimeout(timer); resolvePromise(); }, { once: true });
      });
    }
    const summary = await writeReport(dir, output, io);
    if (summary === undefined) return 1;
    io.stdout.write(`telemetry-agent report: stopped watching; wrote ${output} (${summary})\n`);
    return 0;
  } finally {
    detach();
  }
}
