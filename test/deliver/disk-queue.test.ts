import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskQueue, ORPHAN_AFTER_MS, type DiskQueueOptions } from '../../src/deliver/disk-queue.js';
import type { Destinations } from '../../src/deliver/destination.js';
import { REPO } from '../helpers/run-node.js';
import { FaultReceiver, OK, instanceIdOf } from '../helpers/fault-receiver.js';
import { bundleForNode } from '../helpers/fault-bundle.js';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
/** This run's destinations: traces and metrics both go to A. */
const HERE: Destinations = new Map([['traces', A], ['metrics', A]]);
const PAYLOAD = /^\d{13}-\d+-[0-9a-f]+\.[0-9a-f]{32}\.(traces|metrics)\.json$/;
const newDir = () => join(mkdtempSync(join(tmpdir(), 'ta-queue-')), 'queue');
const body = (id: string, pad = 0) => Buffer.from(JSON.stringify({ resourceMetrics: [{ resource: { attributes: [{ key: 'service.instance.id', value: { stringValue: id } }] }, scopeMetrics: [] }], pad: 'x'.repeat(pad) }));
const idOf = (b: Uint8Array) => instanceIdOf(JSON.parse(Buffer.from(b).toString('utf8')));
/** The payload in an entry file (after its header line). */
const idInFile = (file: string) => { const t = readFileSync(file, 'utf8'); return instanceIdOf(JSON.parse(t.slice(t.indexOf('\n') + 1))); };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const big = { maxBytes: 1e9, maxFiles: 1e6 };
const queue = (dir: string, o: Partial<DiskQueueOptions> = {}) => new DiskQueue({ dir, product: 'p', ...big, debug: () => {}, ...o });

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim());
}

/** Fills a queue with `n` payloads whose names sort in the order written. */
async function fill(q: DiskQueue, n: number, prefix = 'p', destination = A): Promise<void> {
  for (let i = 0; i < n; i++) {
    expect(q.put('metrics', destination, body(`${prefix}${i}`))).toBe(true);
    await sleep(2); // distinct millisecond timestamps: the name is the order
  }
}

function drainAll(q: DiskQueue, destinations = HERE): string[] {
  const got: string[] = [];
  for (let item = q.claimOldest(destinations); item; item = q.claimOldest(destinations)) { got.push(idOf(item.body)); item.done(); }
  return got;
}

describe('DiskQueue', () => {
  it('writes each payload atomically as one file, oldest first, no temp file left', async () => {
    const dir = newDir();
    const q = queue(dir);
    await fill(q, 3);
    expect(readdirSync(dir).every((n) => PAYLOAD.test(n))).toBe(true);
    expect(q.pending()).toHaveLength(3);
    expect(q.pending().map((n) => idInFile(join(dir, n)))).toEqual(['p0', 'p1', 'p2']);
  });

  it('enforces the file bound: the oldest are dropped and counted once', async () => {
    const dir = newDir();
    const q = queue(dir, { maxFiles: 3 });
    await fill(q, 5);
    expect(q.pending().map((n) => idInFile(join(dir, n)))).toEqual(['p2', 'p3', 'p4']);
    // Repeated overflows fold into one count file instead of piling up.
    expect(readdirSync(dir).filter((n) => n.endsWith('.count'))).toHaveLength(1);
    expect(q.takeDropped()).toBe(2);
    expect(q.takeDropped()).toBe(0);
    expect(readdirSync(dir).filter((n) => !PAYLOAD.test(n))).toEqual([]);
  });

  it('enforces the byte bound, the new payload included', async () => {
    const dir = newDir();
    const q = queue(dir, { maxBytes: 2 * (body('p0', 400).length + 100), maxFiles: 1000 });
    for (let i = 0; i < 4; i++) { q.put('traces', A, body(`p${i}`, 400)); await sleep(2); }
    expect(q.pending()).toHaveLength(2);
    expect(q.takeDropped()).toBe(2);
    // A single payload larger than the bound is not kept either (and counted).
    const tiny = queue(newDir(), { maxBytes: 10, maxFiles: 1000 });
    expect(tiny.put('traces', A, body('huge', 100))).toBe(false);
    expect(tiny.pending()).toHaveLength(0);
    expect(tiny.takeDropped()).toBe(1);
  });

  it('claims by rename: done removes, release puts back, a second claimer gets the next one', async () => {
    const dir = newDir();
    const a = queue(dir);
    const b = queue(dir);
    await fill(a, 3);
    const first = a.claimOldest(HERE)!;
    expect(idOf(first.body)).toBe('p0');
    expect(a.pending()).toHaveLength(2);
    const second = b.claimOldest(HERE)!;
    expect(idOf(second.body)).toBe('p1');
    first.release();
    expect(a.pending()).toHaveLength(2);
    second.done();
    second.release(); // settled: no effect
    expect(a.pending().map((n) => idInFile(join(dir, n)))).toEqual(['p0', 'p2']);
  });

  it('skips and removes corrupt payloads and first-release entries (no destination), counting them (never throws)', async () => {
    const dir = newDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, '1000000000000-1-aa.metrics.json'), '{not json');
    writeFileSync(join(dir, '1000000000001-1-bb.traces.json'), body('legacy'));
    writeFileSync(join(dir, `1000000000002-1-cc.${A}.metrics.json`), '\u0000\u0001binary');
    writeFileSync(join(dir, `1000000000003-1-dd.${A}.metrics.json`), `${JSON.stringify({ v: 2, product: 'p', signal: 'metrics', destination: A })}\n{"resourceMetrics": [tru`);
    writeFileSync(join(dir, 'unrelated.txt'), 'left alone');
    const lines: string[] = [];
    const q = queue(dir, { debug: (m) => lines.push(m) });
    q.put('metrics', A, body('good'));
    expect(drainAll(q)).toEqual(['good']);
    expect(readdirSync(dir).filter((n) => !n.endsWith('.count'))).toEqual(['unrelated.txt']);
    expect(lines.filter((l) => l.includes('corrupt'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('first-release'))).toHaveLength(2);
    expect(q.takeDropped()).toBe(4);
  });

  it('recovers claims of dead processes (also a dead run that had this very pid) but not of live ones', async () => {
    const dir = newDir();
    const q = queue(dir);
    await fill(q, 3);
    const [n0, n1, n2] = q.pending() as [string, string, string];
    renameSync(join(dir, n0), join(dir, `${n0}.claimed-${deadPid()}`)); // old format, dead pid
    renameSync(join(dir, n1), join(dir, `${n1}.claimed-${process.pid}-deadbeef`)); // same pid, other run (a container restart)
    renameSync(join(dir, n2), join(dir, `${n2}.claimed-1-cafe`)); // pid 1 is alive
    writeFileSync(join(dir, `${n0}.${deadPid()}.abcd1234.tmp`), 'half a payl');
    expect(drainAll(q)).toEqual(['p0', 'p1']);
    expect(readdirSync(dir)).toEqual([`${n2}.claimed-1-cafe`]);
  });

  it('an unwritable queue dir: put returns false, one debug line, never throws', () => {
    const base = mkdtempSync(join(tmpdir(), 'ta-queue-'));
    writeFileSync(join(base, 'file'), 'x');
    const lines: string[] = [];
    const q = queue(join(base, 'file', 'queue'), { maxBytes: 100, maxFiles: 1, debug: (m) => lines.push(m) }); // ENOTDIR, also as root
    for (let i = 0; i < 5; i++) expect(q.put('metrics', A, body(`p${i}`))).toBe(false);
    expect(q.pending()).toEqual([]);
    expect(q.claimOldest(HERE)).toBeUndefined();
    expect(q.takeDropped()).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/cannot use the queue directory .*ENOTDIR/);
  });
});

describe('DiskQueue: an entry goes only where it was meant to', () => {
  it('sends an entry only to its own destination; another destination never sees it', async () => {
    const dir = newDir();
    const q = queue(dir);
    await fill(q, 2, 'for-a', A);
    await fill(q, 2, 'for-b', B);
    expect(q.hasPending(new Map([['metrics', B]]))).toBe(true);
    expect(drainAll(q, new Map([['traces', B], ['metrics', B]]))).toEqual(['for-b0', 'for-b1']);
    expect(q.hasPending(new Map([['metrics', B]]))).toBe(false);
    expect(drainAll(q, HERE)).toEqual(['for-a0', 'for-a1']);
    expect(q.takeDropped()).toBe(0);
  });

  it('a signal\'s entry is not sent to the other signal\'s destination', async () => {
    const q = queue(newDir());
    q.put('traces', A, body('t'));
    expect(drainAll(q, new Map([['metrics', A], ['traces', B]]))).toEqual([]);
    expect(drainAll(q, new Map([['traces', A]]))).toEqual(['t']);
  });

  it('an entry whose destination is gone is kept for a while, then dropped and counted', async () => {
    const dir = newDir();
    const lines: string[] = [];
    const q = queue(dir, { debug: (m) => lines.push(m) });
    q.put('metrics', B, body('fresh'));
    writeFileSync(join(dir, `${Date.now() - ORPHAN_AFTER_MS - 60_000}-1-ee.${B}.metrics.json`), `${JSON.stringify({ v: 2, product: 'p', signal: 'metrics', destination: B })}\n${body('old')}`);
    expect(drainAll(q, HERE)).toEqual([]);
    expect(q.pending()).toHaveLength(1);
    expect(q.takeDropped()).toBe(1);
    expect(lines.filter((l) => l.includes('destination'))).toHaveLength(1);
  });

  it('an entry written by another product (same destination fingerprint) is never sent', async () => {
    const dir = newDir();
    queue(dir, { product: 'other' }).put('metrics', A, body('theirs'));
    expect(drainAll(queue(dir), HERE)).toEqual([]);
  });

  it('an entry that is a link is never read through: the link is removed, its target left alone', async () => {
    const dir = newDir();
    const q = queue(dir);
    q.put('metrics', A, body('real'));
    const secret = join(mkdtempSync(join(tmpdir(), 'ta-secret-')), 'config.json');
    writeFileSync(secret, `${JSON.stringify({ v: 2, product: 'p', signal: 'metrics', destination: A })}\n${JSON.stringify({ resourceMetrics: [], auths: 'SECRET' })}`);
    symlinkSync(secret, join(dir, `1000000000000-1-ff.${A}.metrics.json`));
    const got: Uint8Array[] = [];
    for (let item = q.claimOldest(HERE); item; item = q.claimOldest(HERE)) { got.push(item.body); item.done(); }
    expect(got.map((b) => Buffer.from(b).toString())).not.toContainEqual(expect.stringContaining('SECRET'));
    expect(got.map(idOf)).toEqual(['real']);
    expect(existsSync(secret)).toBe(true);
    expect(readdirSync(dir).filter((n) => !n.endsWith('.count'))).toEqual([]);
  });

  it('an entry that is a FIFO or a directory is removed without blocking', async () => {
    const dir = newDir();
    const q = queue(dir);
    q.put('metrics', A, body('real'));
    mkdirSync(join(dir, `1000000000000-1-ab.${A}.metrics.json`));
    const fifo = spawnSync('mkfifo', [join(dir, `1000000000001-1-ac.${A}.metrics.json`)]);
    const got: string[] = [];
    for (let item = q.claimOldest(HERE); item; item = q.claimOldest(HERE)) { got.push(idOf(item.body)); item.done(); }
    expect(got).toEqual(['real']);
    if (fifo.status === 0) expect(readdirSync(dir).some((n) => n.includes('-ac.'))).toBe(false);
  });

  it('an entry larger than the bound is deleted unread and counted', async () => {
    const dir = newDir();
    const lines: string[] = [];
    const q = queue(dir, { maxBytes: 1024 * 1024, debug: (m) => lines.push(m) });
    q.put('metrics', A, body('real'));
    const huge = join(dir, `1000000000000-1-ad.${A}.metrics.json`);
    writeFileSync(huge, '');
    truncateSync(huge, 200 * 1024 * 1024); // sparse: 200 MB that were never written
    const heapBefore = process.memoryUsage().arrayBuffers;
    expect(drainAll(q)).toEqual(['real']);
    expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(50 * 1024 * 1024);
    expect(existsSync(huge)).toBe(false);
    expect(q.takeDropped()).toBe(1);
    expect(lines.filter((l) => l.includes('unread'))).toHaveLength(1);
  });
});

describe('DiskQueue: the directory must be private', () => {
  it('is created 0700', () => {
    const dir = newDir();
    queue(dir).put('metrics', A, body('x'));
    expect(readdirSync(dir)).toHaveLength(1);
    const { statSync } = require('node:fs') as typeof import('node:fs');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it.each([
    ['writable by others', (dir: string) => { mkdirSync(dir, { recursive: true }); chmodSync(dir, 0o777); }, /other users can write/],
    ['owned by another user', (dir: string) => { mkdirSync(dir, { recursive: true, mode: 0o700 }); chownSync(dir, 54321, 54321); }, /belongs to another user/],
    ['a symbolic link', (dir: string) => { const real = mkdtempSync(join(tmpdir(), 'ta-elsewhere-')); symlinkSync(real, dir); }, /symbolic link/],
    ['inside a directory anyone can write (not sticky)', (dir: string) => { const parent = join(dir, '..'); chmodSync(parent, 0o777); }, /written by every user/],
  ])('%s: refused with one debug line; nothing written, nothing read', async (_what, prepare, reason) => {
    const dir = newDir();
    const uid = process.geteuid!();
    const planter = queue(dir);
    prepare(dir);
    // A payload planted for this user's own destination.
    if (existsSync(dir)) writeFileSync(join(dir, `1000000000000-1-ae.${A}.metrics.json`), `${JSON.stringify({ v: 2, product: 'p', signal: 'metrics', destination: A })}\n${body('planted')}`);
    void planter;
    const lines: string[] = [];
    const q = queue(dir, { uid, debug: (m) => lines.push(m) });
    const before = existsSync(dir) ? readdirSync(dir).sort() : [];
    expect(q.put('metrics', A, body('mine'))).toBe(false);
    expect(q.claimOldest(HERE)).toBeUndefined();
    expect(q.hasPending(HERE)).toBe(false);
    expect(q.takeDropped()).toBe(0);
    expect(existsSync(dir) ? readdirSync(dir).sort() : []).toEqual(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(reason);
  });
});

describe('DiskQueue: concurrent writers', () => {
  it('count exactly what they drop (several processes enqueueing into one bounded queue)', async () => {
    const child = await bundleForNode(join(REPO, 'test', 'helpers', 'fault-enqueue-child.ts'));
    const dir = newDir();
    const perChild = 40;
    const children = [0, 1, 2, 3].map((i) => {
      const p = spawn(process.execPath, [child], { env: { PATH: process.env.PATH, QUEUE_DIR: dir, COUNT: String(perChild), PREFIX: `w${i}-`, MAX_FILES: '5' }, stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      const ready = new Promise<void>((resolve) => p.stdout.on('data', (d) => { out += d; if (out.includes('ready\n')) resolve(); }));
      const done = new Promise<void>((resolve, reject) => { p.on('error', reject); p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`child exited ${code}`)))); });
      return { p, ready, done };
    });
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.p.stdin.end('go\n');
    await Promise.all(children.map((c) => c.done));
    const q = queue(dir, { maxFiles: 5 });
    const left = q.pending().length;
    expect(left).toBeLessThanOrEqual(5);
    expect(q.takeDropped()).toBe(4 * perChild - left);
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
    const q = queue(dir);
    const n = 150;
    for (let i = 0; i < n; i++) q.put(i % 3 === 0 ? 'traces' : 'metrics', A, body(`c${i}`));
    // Each child says 'ready', then all get the go at once (however slowly each was spawned).
    const children = [0, 1, 2].map(() => {
      const p = spawn(process.execPath, [child], { env: { PATH: process.env.PATH, QUEUE_DIR: dir, ENDPOINT: rx.endpoint, DESTINATION: A }, stdio: ['pipe', 'pipe', 'inherit'] });
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
