// The receiver behind `telemetry-agent collect` under faults: links planted at its output
// files, a disk that fills up mid-line, and logs stored like the other signals.
import { mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type ReceiverOptions, type RunningReceiver } from '../../src/receiver/otlp-receiver.js';
import type { OpenFile, WritableFile } from '../../src/receiver/rotating-jsonl-writer.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'otlp-receiver-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function start(dir: string, extra: Partial<ReceiverOptions> = {}): Promise<RunningReceiver & { problems: string[] }> {
  const problems: string[] = [];
  const receiver = await startReceiver({
    port: 0,
    outDir: dir,
    maxBodyBytes: 8 * 1024 * 1024,
    rotation: { maxBytes: 50 * 1024 * 1024, keep: 3 },
    onBatch: () => undefined,
    onProblem: (line) => problems.push(line),
    ...extra,
  });
  cleanups.push(() => receiver.close());
  return Object.assign(receiver, { problems });
}

const batch = (name: string) => JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name }] }] }] });

async function postTraces(url: string, body: string): Promise<Response> {
  const res = await fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  await res.arrayBuffer();
  return res;
}

async function spanNames(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  // Every line must be whole JSON: a glued or cut line would throw here.
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line).resourceSpans[0].scopeSpans[0].spans[0].name);
}

describe('output files and links', () => {
  it('refuses to start when a symbolic link is planted at an output file', async () => {
    const dir = await tempDir();
    const victim = join(await tempDir(), 'victim.txt');
    await writeFile(victim, 'untouched\n');
    await symlink(victim, join(dir, 'traces.jsonl'));
    await expect(start(dir)).rejects.toThrow(/symbolic link/);
    expect(await readFile(victim, 'utf8')).toBe('untouched\n');
  });

  it('never writes through a link planted while it runs: the batch is answered 503, not 200', async () => {
    const dir = await tempDir();
    const victim = join(await tempDir(), 'victim.txt');
    await writeFile(victim, 'untouched\n');
    const receiver = await start(dir);
    await symlink(victim, join(dir, 'traces.jsonl'));
    const res = await postTraces(receiver.url, batch('secret-request-text'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await readFile(victim, 'utf8')).toBe('untouched\n');
    expect(receiver.problems.join('\n')).toMatch(/symbolic link/);
    expect(receiver.batches.traces).toBe(0);
  });
});

/** Opens real files whose writes fail as told: after `after` bytes of the next write, ENOSPC. */
function failingDisk(plan: { failWrites: number; writeBytesBeforeFailing: number; truncateFails?: boolean }): OpenFile {
  let failures = 0;
  return async (path, flags, mode) => {
    const handle: FileHandle = await open(path, flags, mode);
    const file: WritableFile = {
      read: handle.read.bind(handle) as WritableFile['read'],
      stat: handle.stat.bind(handle) as WritableFile['stat'],
      close: handle.close.bind(handle),
      truncate: async (len?: number) => {
        if (plan.truncateFails && failures > 0) throw Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' });
        return handle.truncate(len);
      },
      write: (async (buffer: Buffer, offset = 0, length = buffer.length - offset) => {
        if (failures < plan.failWrites) {
          failures++;
          if (plan.writeBytesBeforeFailing > 0) await handle.write(buffer, offset, Math.min(length, plan.writeBytesBeforeFailing));
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        }
        return handle.write(buffer, offset, length);
      }) as WritableFile['write'],
    };
    return file;
  };
}

describe('a disk that fills up mid-line', () => {
  it('answers 503 for the batch it could not write, cuts the partial line off, and stores the next batch whole', async () => {
    const dir = await tempDir();
    let failNext = false;
    const disk = failingDisk({ failWrites: 1, writeBytesBeforeFailing: 17 });
    const receiver = await start(dir, { openFile: (p, f, m) => (failNext ? disk(p, f, m) : open(p, f, m)) });
    expect((await postTraces(receiver.url, batch('first'))).status).toBe(200);
    failNext = true;
    const failed = await postTraces(receiver.url, batch('lost-to-a-full-disk'));
    expect(failed.status).toBe(503);
    expect((await postTraces(receiver.url, batch('after'))).status).toBe(200);
    expect(await spanNames(receiver.tracesPath)).toEqual(['first', 'after']);
    expect(receiver.problems).toHaveLength(1);
    expect(receiver.problems[0]).toMatch(/could not store a traces batch .*503.*ENOSPC/);
  });

  it('starts a new file when the partial line cannot be cut off', async () => {
    const dir = await tempDir();
    let failNext = false;
    const disk = failingDisk({ failWrites: 1, writeBytesBeforeFailing: 17, truncateFails: true });
    const receiver = await start(dir, { openFile: (p, f, m) => (failNext ? disk(p, f, m) : open(p, f, m)) });
    expect((await postTraces(receiver.url, batch('first'))).status).toBe(200);
    failNext = true;
    expect((await postTraces(receiver.url, batch('lost'))).status).toBe(503);
    expect((await postTraces(receiver.url, batch('after'))).status).toBe(200);
    // The damaged file was set aside; the current one holds only whole lines.
    expect(await spanNames(receiver.tracesPath)).toEqual(['after']);
    const old = await readFile(join(dir, 'traces.1.jsonl'), 'utf8');
    expect(old.startsWith(`${batch('first')}\n`)).toBe(true);
  });

  it('puts a line after a partial one left by a crash on a line of its own', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'traces.jsonl'), `${batch('before-crash')}\n{"resourceSpans":[{"sco`);
    const receiver = await start(dir);
    expect((await postTraces(receiver.url, batch('after-restart'))).status).toBe(200);
    const lines = (await readFile(receiver.tracesPath, 'utf8')).split('\n');
    expect(lines.map((l) => (l.startsWith('{"resourceSpans":[{"sco"') ? 'partial' : l))).toHaveLength(4);
    expect(JSON.parse(lines[2]).resourceSpans[0].scopeSpans[0].spans[0].name).toBe('after-restart');
  });
});

describe('logs', () => {
  it('stores logs, JSON and protobuf, in logs.jsonl like the other signals', async () => {
    const dir = await tempDir();
    const receiver = await start(dir);
    const json = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeLogs: [{ logRecords: [{ severityText: 'INFO', body: { stringValue: 'hello' } }] }] }] };
    const res = await fetch(`${receiver.url}/v1/logs`, { method: 'POST', body: JSON.stringify(json), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    // ExportLogsServiceRequest { resource_logs { scope_logs { log_records {
    //   severity_text: "WARN", body { string_value }, attributes { key: "n", value { int_value: 3 } } } } } }
    const anyString = (s: string) => field(1, Buffer.from(s));
    const logRecord = Buffer.concat([field(3, Buffer.from('WARN')), field(5, anyString('from protobuf')), field(6, Buffer.concat([field(1, Buffer.from('n')), field(2, Buffer.from([0x18, 3]))]))]);
    const proto = field(1, field(2, field(2, logRecord)));
    const protoRes = await fetch(`${receiver.url}/v1/logs`, { method: 'POST', body: Buffer.from(proto), headers: { 'content-type': 'application/x-protobuf' } });
    expect(protoRes.status).toBe(200);
    const lines = (await readFile(receiver.logsPath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual(json);
    const record = lines[1].resourceLogs[0].scopeLogs[0].logRecords[0];
    expect(record).toMatchObject({ severityText: 'WARN', body: { stringValue: 'from protobuf' }, attributes: [{ key: 'n', value: { intValue: '3' } }] });
    expect(receiver.batches.logs).toBe(2);
    expect((await readdir(dir)).sort()).toEqual(['logs.jsonl']);
  });
});

/** A length-delimited protobuf field (wire type 2) of up to 127 bytes or more. */
function field(number: number, payload: Buffer): Buffer {
  const length: number[] = [];
  let n = payload.length;
  while (n >= 0x80) {
    length.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  length.push(n);
  return Buffer.concat([Buffer.from([(number << 3) | 2, ...length]), payload]);
}
