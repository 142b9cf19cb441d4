import { parseArgs } from 'node:util';
import { rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { groupRuns } from './group-runs.js';
import { otherTelemetry } from './other-telemetry.js';
import { readTelemetryDir } from './read-telemetry-dir.js';
import { renderReport } from './render-report.js';

export interface ReportIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export const REPORT_USAGE = `Usage: telemetry-agent report <dir> [-o report.html]

Writes one self-contained HTML file (no scripts, nothing loaded from the network) showing each
run found in <dir>: hardware, a timeline of model loading, training and epochs, training
progress and loss, memory, inference latency and errors; then every other span and metric name
and the log records, by service, with counts. <dir> holds OTLP JSON lines files
(*.jsonl), as written by \`telemetry-agent collect\` or the Collector's file exporter.

  -o, --output <file>   where to write (default <dir>/report.html)`;

type ParsedReportArgs = { kind: 'run'; dir: string; output?: string } | { kind: 'help' } | { kind: 'error'; message: string };

export function parseReportArgs(argv: readonly string[]): ParsedReportArgs {
  const error = (message: string): ParsedReportArgs => ({ kind: 'error', message: `telemetry-agent report: ${message} (see --help)` });
  let values: { output?: string | boolean; help?: string | boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], options: { output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true }));
  } catch (e) {
    return error(String((e as Error).message).split('\n')[0]!);
  }
  if (values.help) return { kind: 'help' };
  if (values.output === '') return error('--output needs a file name');
  if (positionals.length > 1) return error(`unexpected argument ${JSON.stringify(positionals[1])}; give one directory`);
  const dir = positionals[0];
  if (!dir) return error('which directory? e.g. telemetry-agent report ./telemetry-data');
  return { kind: 'run', dir, output: values.output as string | undefined };
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
  const input = await readTelemetryDir(dir);
  if (input.files.length === 0) {
    io.stderr.write(`telemetry-agent report: no *.jsonl files in ${dir} (write some with \`telemetry-agent collect --out ${parsed.dir}\`)\n`);
    return 1;
  }
  const runs = groupRuns(input.traceRequests, input.metricRequests);
  const other = otherTelemetry(input.traceRequests, input.metricRequests, input.logRequests);
  const page = renderReport(runs, { sourceDir: dir, generatedAt: new Date(), files: input.files, skippedLines: input.skippedLines, other });
  // Write then rename, so a browser reloading the report never sees half a file.
  const partial = `${output}.${process.pid}.partial`;
  try {
    await writeFile(partial, page, 'utf8');
    await rename(partial, output);
  } catch (error) {
    await unlink(partial).catch(() => undefined);
    io.stderr.write(`telemetry-agent report: cannot write ${output}: ${(error as Error).message}\n`);
    return 1;
  }
  const spans = runs.reduce((a, r) => a + r.spans.length, 0);
  const points = runs.reduce((a, r) => a + r.points.length, 0);
  const skipped = input.skippedLines ? `; skipped ${input.skippedLines} unreadable line${input.skippedLines === 1 ? '' : 's'}` : '';
  const otherSpans = other.spans.reduce((a, s) => a + s.count, 0);
  const otherNames = other.spans.length + other.metrics.length;
  const others = otherNames ? `; ${otherNames} other span and metric name${otherNames === 1 ? '' : 's'} (${otherSpans} spans) listed` : '';
  const logs = other.logRecords ? `, ${other.logRecords} log record${other.logRecords === 1 ? '' : 's'}` : '';
  io.stdout.write(`telemetry-agent report: wrote ${output} (${runs.length} run${runs.length === 1 ? '' : 's'}, ${spans} spans, ${points} metric points${logs}${others}${skipped})\n`);
  return 0;
}
