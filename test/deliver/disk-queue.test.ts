import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskQueue } from '../../src/deliver/disk-queue.js';
import { REPO } from '../helpers/run-node.js';
import { FaultReceiver, OK, instanceIdOf } from '../helpers/fault-receiver.js';
import { bundleForNode } from '../helpers/fault-bundle.js';

const PAYLOAD = /^\d{13}-\d+-[0-9a-f]+\.(traces|metrics)\.json$/;
const newDir = () => join(mkdtempSync(join(tmpdir(), 'ta-queue-')), 'queue');
const body = (id: string, pad = 0) => Buffer.from(JSON.stringify({ resourceMetrics: [{ resource: { attributes: [{ key: 'service.instance.id', value: { stringValue: id } }] }, scopeMetrics: [] }], pad: 'x'.repeat(pad) }));
const idOf = (b: Uint8Array) => instanceIdOf(JSON.parse(Buffer.from(b).toString('utf8')));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const big = { maxBytes: 1e9, maxFiles: 1e6 };

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim());
}

/** Fills a queue with `n` payloads whose names sort in the order written. */
async function fill(q: DiskQueue, n: number, prefix = 'p'): Promise<void> {
  for (let i = 0; i < n; i++) {
    expect(q.enqueueSync('metrics', body(`${prefix}${i}`))).toBe(true);
    await sleep(2); // distinct millisecond timestamps: the name is the order
  }
}

describe('DiskQueue', () => {
  it('writes each payload atomically as one file, oldest first, no temp file left', async () => {
    const dir = newDir();
    const q = new DiskQueue(dir, big, () => {});
    await fill(q, 3);
    expect(readdirSync(dir).every((n) => PAYLOAD.test(n))).toBe(true);
    expect(q.pending()).toHaveLength(3);
    const ids = q.pending().map((n) => idOf(readFileSync(join(dir, n))));
    expect(ids).toEqual(['p0', 'p1', 'p2']);
  });

  it('enforces the file bound: the oldest are dropped and counted once', async () => {
    const dir = newDir();
    const q = new DiskQueue(dir, { maxBytes: 1e9, maxFiles: 3 }, () => {});
    await fill(q, 5);
    expect(q.pending().map((n) => idOf(readFileSync(join(dir, n))))).toEqual(['p2', 'p3', 'p4']);
    // Repeated overflows fold into one count file instead of piling up.
    expect(readdirSync(dir).filter((n) => n.endsWith('.count'))).toHaveLength(1);
    expect(q.takeDropped()).toBe(2);
    expect(q.takeDropped()).toBe(0);
    expect(readdirSync(dir).filter((n) => !PAYLOAD.test(n))).toEqual([]);
  });

  it('enforces the byte bound, the new payload included', async () => {
    const dir = newDir();
    const size = body('p0', 400).length;
    const q = new DiskQueue(dir, { maxBytes: size * 2 + 10, maxFiles: 1000 }, () => {});
    for (let i = 0; i < 4; i++) { q.enqueueSync('traces', body(`p${i}`, 400)); await sleep(2); }
    expect(q.pending()).toHaveLength(2);
    expect(q.takeDropped()).toBe(2);
    // A single payload larger than the bound is not kept either (and counted).
    const tiny = new DiskQueue(newDir(), { maxBytes: 10, maxFiles: 1000 }, () => {});
    tiny.enqueueSync('traces', body('huge', 100));
    expect(tiny.pending()).toHaveLength(0);
    expect(tiny.takeDropped()).toBe(1);
  });

  it('claims by rename: done removes, release puts back, a second claimer gets the next one', async () => {
    const dir = newDir();
    const a = new DiskQueue(dir, big, () => {});
    const b = new DiskQueue(dir, big, () => {});
    await fill(a, 3);
    const first = a.claimOldest()!;
    expect(idOf(first.body)).toBe('p0');
    expect(a.pending()).toHaveLength(2);
    const second = b.claimOldest()!;
    expect(idOf(second.body)).toBe('p1');
    first.release();
    expect(a.pending()).toHaveLength(2);
    second.done();
    second.release(); // settled: no effect
    expect(a.pending().map((n) => idOf(readFileSync(join(dir, n))))).toEqual(['p0', 'p2']);
  });

  it('skips and removes corrupt payloads (never throws)', async () => {
    const dir = newDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '1000000000000-1-aa.metrics.json'), '{not json');
    writeFileSync(join(dir, '1000000000001-1-bb.traces.json'), '');
    writeFileSync(join(dir, '1000000000002-1-cc.metrics.json'), '\u0000\u0001binary');
    writeFileSync(join(dir, 'unrelated.txt'), 'left alone');
    const lines: string[] = [];
    const q = new DiskQueue(dir, big, (m) => lines.push(m));
    q.enqueueSync('metrics', body('good'));
    const item = q.claimOldest()!;
    expect(idOf(item.body)).toBe('good');
    item.done();
    expect(q.claimOldest()).toBeUndefined();
    expect(readdirSync(dir)).toEqual(['unrelated.txt']);
    expect(lines.filter((l) => l.includes('corrupt'))).toHaveLength(3);
  });

  it('recovers claims of dead processes (also a dead run that had this very pid) but not of live ones', async () => {
    const dir = newDir();
    const q = new DiskQueue(dir, big, () => {});
    await fill(q, 3);
    const [n0, n1, n2] = q.pending() as [string, string, string];
    const { renameSync } = await import('node:fs');
    renameSync(join(dir, n0), join(dir, `${n0}.claimed-${deadPid()}`)); // old format, dead pid
    renameSync(join(dir, n1), join(dir, `${n1}.claimed-${process.pid}-deadbeef`)); // same pid, other run (a container restart)
    renameSync(join(dir, n2), join(dir, `${n2}.claimed-1-cafe`)); // pid 1 is alive
    writeFileSync(join(dir, `${n0}.${deadPid()}.abcd1234.tmp`), 'half a payl');
    const got: string[] = [];
    for (let item = q.claimOldest(); item; item = q.claimOldest()) { got.push(idOf(item.body)); item.done(); }
    expect(got).toEqual(['p0', 'p1']);
    expect(readdirSync(dir)).toEqual([`${n2}.claimed-1-cafe`]);
  });

  it('an unwritable queue dir: enqueue returns false, one debug line, never throws', () => {
    const base = mkdtempSync(join(tmpdir(), 'ta-queue-'));
    writeFileSync(join(base, 'file'), 'x');
    const lines: string[] = [];
    const q = new DiskQueue(join(base, 'file', 'queue'), { maxBytes: 100, maxFiles: 1 }, (m) => lines.push(m)); // ENOTDIR, also as root
    for (let i = 0; i < 5; i++) expect(q.enqueueSync('metrics', body(`p${i}`))).toBe(false);
    expect(q.pending()).toEqual([]);
    expect(q.claimOldest()).toBeUndefined();
    expect(q.takeDropped()).toBe(0);
    q.clear();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/cannot queue metrics on disk .*ENOTDIR/);
  });

  it('clear() deletes everything queued', async () => {
    const dir = newDir();
    const q = new DiskQueue(dir, { maxBytes: 1e9, maxFiles: 1 }, () => {});
    await fill(q, 2);
    q.clear();
    expect(() => readdirSync(dir)).toThrow();
    expect(q.pending()).toEqual([]);
  });
});

describe('two processes draining one queue concurrently', () => {
  let rx: FaultReceiver;
  let child: string;
  beforeAll(async () => {
    rx = await FaultReceiver.start(() => ({ ...OK, delayMs: 2 + Math.floor(Math.random() * 4) })); // ≥ 0.3 s of draining: time to race
    child = await bundleForNode(join(REPO, 'test', 'helpers', 'fault-drain-child.ts'));
  });
  afterAll(async () => { await rx.close(); });

  it('sends every payload exactly once and leaves the queue empty', async () => {
    const dir = newDir();
    const q = new DiskQueue(dir, big, () => {});
    const n = 150;
    for (let i = 0; i < n; i++) q.enqueueSync(i % 3 === 0 ? 'traces' : 'metrics', body(`c${i}`));
    // Each child says 'ready', then all get the go at once (however slowly each was spawned).
    const children = [0, 1, 2].map(() => {
      const p = spawn(process.execPath, [child], { env: { PATH: process.env.PATH, QUEUE_DIR: dir, ENDPOINT: rx.endpoint }, stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      const ready = new Promise<void>((resolve) => p.stdout.on('data', (d) => { out += d; if (out.includes('ready\n')) resolve(); }));
      const done = new Promise<{ sent: number }>((resolve, reject) => {
        p.on('error', reject);
        p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.split('\n').filter(Boolean).at(-1)!)) : reject(new Error(`child exited ${code}`))));
      });
      return { p, ready, done };
    });
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.p.stdin.end('go\n');
    const [a, b, c] = await Promise.all(children.map((x) => x.done));
    const ids = rx.instanceIds().filter((id) => id.startsWith('c'));
    expect(ids).toHaveLength(n);
    expect(new Set(ids).size).toBe(n);
    expect(a.sent + b.sent + c.sent).toBe(n);
    expect([a.sent, b.sent, c.sent].filter((s) => s > 0).length).toBeGreaterThanOrEqual(2); // they really raced
    expect(readdirSync(dir)).toEqual([]);
  });
});
