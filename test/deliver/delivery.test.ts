import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Delivery } from '../../src/deliver/delivery.js';
import { DiskQueue } from '../../src/deliver/disk-queue.js';
import type { Encoded } from '../../src/deliver/encode.js';
import { createHttpTransport, type Transport } from '../../src/deliver/transport.js';
import { MemoryStore } from './memory-store.js';
import { readExportConfig } from '../../src/decide/export-config.js';
import { FaultReceiver, OK, instanceIdOf, refusedEndpoint, type Script } from '../helpers/fault-receiver.js';

const DEST = 'd'.repeat(32);
const DESTINATIONS = new Map([['traces', DEST], ['metrics', DEST]] as const);
const json = (id: string) => Buffer.from(JSON.stringify({ resourceMetrics: [{ resource: { attributes: [{ key: 'service.instance.id', value: { stringValue: id } }] }, scopeMetrics: [] }] }));
const payload = (id: string): Encoded => ({ json: json(id), items: 1 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let rx: FaultReceiver | undefined;
afterEach(async () => { await rx?.close(); rx = undefined; });

function setup(endpoint: string, o: { send?: boolean; timeoutMs?: number; maxFiles?: number; dir?: string } = {}) {
  const dir = o.dir ?? join(mkdtempSync(join(tmpdir(), 'ta-delivery-')), 'queue');
  const config = readExportConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_TIMEOUT: String(o.timeoutMs ?? 2000) }, []);
  const queue = new DiskQueue({ dir, product: 'p', maxBytes: 1e9, maxFiles: o.maxFiles ?? 1000, debug: () => {} });
  const inspected: string[] = [];
  const dropped: number[] = [];
  const delivery = new Delivery({
    transport: createHttpTransport(config), targets: config, send: o.send ?? true,
    store: queue, destinations: DESTINATIONS, inspect: (h) => inspected.push(h), debug: () => {}, countDropped: (n) => dropped.push(n),
  });
  return { dir, queue, delivery, inspected, dropped };
}

async function receiver(script: Script = () => OK) {
  rx = await FaultReceiver.start(script);
  return rx;
}

async function fillQueue(queue: DiskQueue, ids: string[]) {
  for (const id of ids) { queue.put('metrics', DEST, json(id)); await sleep(2); }
}

describe('Delivery', () => {
  it('delivers; nothing is queued', async () => {
    const r = await receiver();
    const { delivery, queue } = setup(r.endpoint);
    await delivery.deliver('metrics', payload('a'));
    expect(r.instanceIds()).toEqual(['a']);
    expect(queue.pending()).toEqual([]);
    expect(delivery.hasStored()).toBe(false);
  });

  it('collector down: the payload is queued once', async () => {
    const { delivery, queue } = setup(await refusedEndpoint());
    await delivery.deliver('traces', payload('a'));
    expect(queue.pending()).toHaveLength(1);
    expect(delivery.hasStored()).toBe(true);
  });

  it('413: dropped, not queued', async () => {
    const r = await receiver(() => ({ status: 413 }));
    const { delivery, queue } = setup(r.endpoint);
    await delivery.deliver('traces', payload('a'));
    expect(r.requests).toHaveLength(1);
    expect(queue.pending()).toEqual([]);
  });

  it('without consent: shown to inspect, never sent nor queued', async () => {
    const r = await receiver();
    const { delivery, queue, inspected } = setup(r.endpoint, { send: false });
    await delivery.deliver('metrics', payload('a'));
    delivery.queueSync('traces', payload('b'));
    await delivery.drainQueue();
    expect(r.requests).toEqual([]);
    expect(queue.pending()).toEqual([]);
    expect(inspected).toHaveLength(2);
  });

  it('exit while a send hangs: queueInFlightSync queues it once, the later abort does not queue it again', async () => {
    const r = await receiver(() => 'hang');
    const { delivery, queue } = setup(r.endpoint, { timeoutMs: 10_000 });
    const sending = delivery.deliver('metrics', payload('a'));
    await r.waitFor(() => r.requests.length === 1);
    const abort = delivery.beginExit(Date.now() + 100);
    delivery.queueInFlightSync();
    expect(queue.pending()).toHaveLength(1);
    abort.abort();
    await sending;
    expect(queue.pending()).toHaveLength(1);
  });

  it('after beginExit, sends are cut at the exit deadline and queued', async () => {
    const r = await receiver(() => 'hang');
    // The request timeout (10 min) is beyond the test's: returning at all means the exit deadline cut it.
    const { delivery, queue } = setup(r.endpoint, { timeoutMs: 600_000 });
    delivery.beginExit(Date.now() + 300);
    await delivery.deliver('metrics', payload('a'));
    expect(r.requests).toHaveLength(1);
    expect(queue.pending()).toHaveLength(1);
  });

  it('drains the queue oldest first, exactly once', async () => {
    const r = await receiver();
    const { delivery, queue } = setup(r.endpoint);
    await fillQueue(queue, ['q0', 'q1', 'q2', 'q3']);
    await Promise.all([delivery.drainQueue(), delivery.drainQueue()]); // a second call joins the first
    expect(r.instanceIds()).toEqual(['q0', 'q1', 'q2', 'q3']);
    expect(queue.pending()).toEqual([]);
    await delivery.drainQueue();
    expect(r.requests).toHaveLength(4);
  });

  it('stops draining at the first failure and keeps the rest (in order) for later', async () => {
    const r = await receiver(({ index }) => (index === 1 ? { status: 503, retryAfter: '60' } : OK));
    const { delivery, queue, dir } = setup(r.endpoint);
    await fillQueue(queue, ['q0', 'q1', 'q2']);
    await delivery.drainQueue();
    expect(r.instanceIds()).toEqual(['q0']);
    expect(queue.pending()).toHaveLength(2);
    expect(readdirSync(dir).some((n) => n.includes('.claimed-'))).toBe(false);
    await delivery.drainQueue();
    expect(r.instanceIds()).toEqual(['q0', 'q1', 'q2']);
  });

  it('a payload the collector rejects for good (400) is removed from the queue', async () => {
    const r = await receiver(({ body }) => (body.includes('bad') ? { status: 400 } : OK));
    const { delivery, queue } = setup(r.endpoint);
    await fillQueue(queue, ['bad', 'good']);
    await delivery.drainQueue();
    expect(r.instanceIds()).toEqual(['good']);
    expect(queue.pending()).toEqual([]);
  });

  it('exit during a drain: the payload being sent goes back to the queue', async () => {
    const r = await receiver(() => 'hang');
    const { delivery, queue, dir } = setup(r.endpoint, { timeoutMs: 10_000 });
    await fillQueue(queue, ['q0', 'q1']);
    const draining = delivery.drainQueue();
    await r.waitFor(() => r.requests.length === 1);
    expect(queue.pending()).toHaveLength(1);
    delivery.queueInFlightSync();
    expect(queue.pending()).toHaveLength(2);
    delivery.beginExit(Date.now()).abort();
    await draining;
    expect(queue.pending()).toHaveLength(2);
    expect(readdirSync(dir).every((n) => !n.includes('.claimed-'))).toBe(true);
  });

  it('in exit mode the drain goes on until the exit bound cuts it, and leaves the rest queued', async () => {
    // Two payloads are answered, the third hangs until the exit bound (the abort) cuts it.
    const r = await receiver(({ index }) => (index < 2 ? OK : 'hang'));
    const { delivery, queue } = setup(r.endpoint, { timeoutMs: 600_000 });
    await fillQueue(queue, Array.from({ length: 10 }, (_, i) => `q${i}`));
    const abort = delivery.beginExit(Date.now() + 600_000);
    const draining = delivery.drainQueue();
    await r.waitFor(() => r.requests.length === 3);
    abort.abort();
    await draining;
    expect(r.instanceIds()).toEqual(['q0', 'q1']);
    // The payload in flight when the bound cut it reached the receiver but its answer did not reach
    // us: it stays queued (at-least-once; OTLP has no idempotency key).
    expect(queue.pending()).toHaveLength(8);
  });

  it('in exit mode no payload is claimed once the exit deadline has passed', async () => {
    const r = await receiver();
    const { delivery, queue } = setup(r.endpoint);
    await fillQueue(queue, ['q0', 'q1']);
    delivery.beginExit(Date.now() - 1);
    await delivery.drainQueue();
    expect(r.requests).toEqual([]);
    expect(queue.pending()).toHaveLength(2);
  });

  it('reportDropped reports what a full queue dropped, once, and only with consent', async () => {
    const { delivery, queue, dir, dropped } = setup(await refusedEndpoint(), { maxFiles: 2 });
    await fillQueue(queue, ['q0', 'q1', 'q2', 'q3', 'q4']);
    const off = setup('http://127.0.0.1:9', { send: false, dir });
    off.delivery.reportDropped();
    expect(off.dropped).toEqual([]);
    delivery.reportDropped();
    delivery.reportDropped();
    expect(dropped).toEqual([3]);
  });

  it('two deliveries (two processes sharing a cache dir) drain one queue without duplicates', async () => {
    const r = await receiver(() => ({ ...OK, delayMs: Math.floor(Math.random() * 4) }));
    const a = setup(r.endpoint);
    const b = setup(r.endpoint, { dir: a.dir });
    const ids = Array.from({ length: 60 }, (_, i) => `q${i}`);
    for (const id of ids) a.queue.put('metrics', DEST, json(id));
    await Promise.all([a.delivery.drainQueue(), b.delivery.drainQueue()]);
    const got = r.delivered().map((x) => instanceIdOf(x.json));
    expect(got.sort()).toEqual([...ids].sort());
    expect(a.queue.pending()).toEqual([]);
  });
});

describe('Delivery.stopDrain (exit with the detached sender taking over)', () => {
  it('lets the payload being sent finish but claims no further one', async () => {
    // The first answer waits until stopDrain was called: the send in flight then completes.
    let release!: () => void;
    const stopped = new Promise<void>((res) => { release = res; });
    const r = await receiver(() => ({ ...OK, until: stopped }));
    const { delivery, queue } = setup(r.endpoint);
    await fillQueue(queue, ['q0', 'q1', 'q2']);
    const draining = delivery.drainQueue();
    await r.waitFor(() => r.requests.length === 1);
    const stopping = delivery.stopDrain();
    release();
    await stopping;
    await draining;
    expect(r.instanceIds()).toEqual(['q0']);
    expect(queue.pending()).toHaveLength(2);
    await delivery.drainQueue();
    expect(r.requests).toHaveLength(1);
  });
});

describe('Delivery over any offline store (in-memory store, in-process transport)', () => {
  const targets = { traces: { protocol: 'http/json', timeoutMs: 1000, otlp: true, console: false }, metrics: { protocol: 'http/json', timeoutMs: 1000, otlp: true, console: false } } as const;
  function offline(answer: (body: any) => { status?: number; error?: string }) {
    const store = new MemoryStore();
    const sent: any[] = [];
    const dropped: number[] = [];
    const warned: string[] = [];
    const transport: Transport = {
      async send(_signal, body) { const json = JSON.parse(Buffer.from(body).toString()); sent.push(json); return answer(json); },
      describe: (s) => `memory/${s}`,
      flush: async () => true,
    };
    const delivery = new Delivery({ transport, targets, send: true, store, destinations: DESTINATIONS, inspect: undefined, debug: () => {}, countDropped: (n) => dropped.push(n), warn: (l) => warned.push(l) });
    return { store, sent, dropped, warned, delivery };
  }
  const points = (n: number): Encoded => {
    const json = Buffer.from(JSON.stringify({ resourceMetrics: [{ resource: {}, scopeMetrics: [{ scope: { name: 's' }, metrics: [{ name: 'm', gauge: { dataPoints: Array.from({ length: n }, (_, i) => ({ asDouble: i })) } }] }] }] }));
    return { json, items: n };
  };
  const count = (json: any) => json.resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints.length;

  it('keeps what the transport cannot deliver, bound to the destination, and sends it on the next drain', async () => {
    let up = false;
    const o = offline(() => (up ? { status: 200 } : { error: 'ECONNREFUSED' }));
    await o.delivery.deliver('metrics', payload('a'));
    expect(o.store.entries.map((e) => e.destination)).toEqual([DEST]);
    o.store.put('metrics', 'e'.repeat(32), json('elsewhere'));
    up = true;
    await o.delivery.drainQueue();
    expect(o.sent.map(instanceIdOf)).toEqual(['a', 'a']);
    expect(o.store.ids()).toEqual(['elsewhere']);
  });

  it('a 413 halves the payload until it fits; what does not fit even alone is dropped, counted, said once', async () => {
    const o = offline((body) => (count(body) > 3 ? { status: 413 } : { status: 200 }));
    await o.delivery.deliver('metrics', points(10));
    const accepted = o.sent.filter((b) => count(b) <= 3);
    expect(accepted.reduce((n, b) => n + count(b), 0)).toBe(10);
    expect(o.dropped).toEqual([]);

    const never = offline(() => ({ status: 413 }));
    await never.delivery.deliver('metrics', points(4));
    await never.delivery.deliver('metrics', points(2));
    expect(never.dropped.reduce((a, b) => a + b, 0)).toBe(6);
    expect(never.warned).toHaveLength(1);
    expect(never.store.entries).toEqual([]);
  });

  it('a queued payload that is too large is split into two entries before the original goes', async () => {
    const o = offline((body) => (count(body) > 2 ? { status: 413 } : { status: 200 }));
    o.store.put('metrics', DEST, points(4).json);
    await o.delivery.drainQueue();
    expect(o.sent.map(count)).toEqual([4, 2, 2]);
    expect(o.store.entries).toEqual([]);
  });

  it('a send cut by the exit bound is recorded as such (the exit flush reports it)', async () => {
    const o = offline(() => ({ error: 'aborted' }));
    expect(o.delivery.wasCutAtExit()).toBe(false);
    o.delivery.beginExit(Date.now() + 60_000).abort();
    await o.delivery.deliver('metrics', payload('a'));
    expect(o.delivery.wasCutAtExit()).toBe(true);
    expect(o.store.ids()).toEqual(['a']);
  });
});

describe('the HTTP transport', () => {
  it('flush waits for requests in flight, within its time', async () => {
    const r = await receiver(() => ({ ...OK, delayMs: 200 }));
    const t = createHttpTransport(readExportConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: r.endpoint }, []));
    expect(await t.flush(10)).toBe(true); // nothing in flight
    const sending = t.send('traces', json('a'), 'application/json', { timeoutMs: 60_000 });
    expect(await t.flush(1)).toBe(false);
    expect(await t.flush(60_000)).toBe(true);
    expect((await sending).status).toBe(200);
    expect(t.describe('traces')).toBe(`${r.endpoint}/v1/traces`);
  });

  it('never shows the credentials of an endpoint URL', () => {
    const t = createHttpTransport(readExportConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://user:s3cret@collector.example:4318' }, []));
    expect(t.describe('metrics')).not.toContain('s3cret');
  });
});
