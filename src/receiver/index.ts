import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { COLLECT_USAGE, parseCollectArgs } from './collect-args.js';
import { startReceiver, type RunningReceiver } from './otlp-receiver.js';

export interface CollectIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Stops the receiver like SIGINT does (tests, embedding). */
  readonly signal?: AbortSignal;
}

export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** `telemetry-agent collect`: runs until SIGINT/SIGTERM or `io.signal`; 0 on a clean stop, 1 if it cannot start, 2 on bad arguments. */
export async function runCollect(argv: string[], io: CollectIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const parsed = parseCollectArgs(argv);
  if (parsed.kind === 'help') {
    io.stdout.write(`${COLLECT_USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    io.stderr.write(`${parsed.message}\n`);
    return 2;
  }
  const { port, maxFileBytes, keep } = parsed.args;
  const outDir = resolve(parsed.args.outDir);
  if (io.signal?.aborted) return 0;

  let receiver: RunningReceiver;
  try {
    await mkdir(outDir, { recursive: true });
    receiver = await startReceiver({
      port,
      outDir,
      maxBodyBytes: MAX_BODY_BYTES,
      rotation: { maxBytes: maxFileBytes, keep },
      onBatch: (line) => io.stdout.write(`${line}\n`),
      onProblem: (line) => io.stderr.write(`${line}\n`),
    });
  } catch (error) {
    io.stderr.write(`telemetry-agent collect: cannot start: ${describeStartError(error, port, outDir)}\n`);
    return 1;
  }

  io.stdout.write(`telemetry-agent collect: listening on ${receiver.url}, writing to ${outDir}\n`);
  io.stdout.write(
    `  send here: OTEL_EXPORTER_OTLP_ENDPOINT=${receiver.url} TELEMETRY_AGENT_ENABLED=1 node --import telemetry-agent app.mjs\n` +
      `  stop with Ctrl+C, then: telemetry-agent report ${outDir}\n`,
  );

  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    io.signal?.addEventListener('abort', stop, { once: true });
  });

  await receiver.close();
  const { traces, metrics, logs } = receiver.batches;
  io.stdout.write(`telemetry-agent collect: stopped after ${traces} trace and ${metrics} metric batches, ${logs} log batch${logs === 1 ? '' : 'es'}\n`);
  return 0;
}

function describeStartError(error: unknown, port: number, outDir: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `port ${port} is already in use (try --port 0, or stop the other collector)`;
  if (code === 'EACCES' && port < 1024) return `port ${port} needs privileges (use a port above 1023)`;
  if (code === 'EACCES' || code === 'EROFS' || code === 'ENOTDIR') return `cannot write to ${outDir} (${code})`;
  if (code === 'ELINK') return (error as Error).message;
  return (error as Error).message ?? String(error);
}
