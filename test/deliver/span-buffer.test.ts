import { describe, expect, it } from 'vitest';
import { emptyResource } from '@opentelemetry/resources';
import { TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { SpanBuffer, type SpanBufferOptions } from '../../src/deliver/span-buffer.js';

function setup(o: Partial<SpanBufferOptions> = {}) {
  const exported: ReadableSpan[][] = [];
  let dropped = 0;
  const buffer = new SpanBuffer({
    maxQueue: 100, batchSize: 10, delayMs: 60_000,
    exportSpans: async (s) => { exported.push(s); },
    onDrop: (n) => { dropped += n; },
    ...o,
  });
  const tracer = new TracerProvider({ resource: emptyResource(), spanProcessors: [buffer] }).getTracer('t');
  return { buffer, tracer, exported, dropped: () => dropped };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('SpanBuffer', () => {
  it('exports a full batch, and the rest on flushNow', async () => {
    const { buffer, tracer, exported } = setup();
    for (let i = 0; i < 13; i++) tracer.startSpan(`s${i}`).end();
    await tick();
    expect(exported.map((b) => b.length)).toEqual([10]);
    await buffer.flushNow();
    expect(exported.map((b) => b.length)).toEqual([10, 3]);
  });

  it('is bounded: spans beyond maxQueue are dropped and counted', () => {
    const { buffer, tracer, dropped } = setup({ maxQueue: 5, batchSize: 1000 });
    for (let i = 0; i < 8; i++) tracer.startSpan(`s${i}`).end();
    expect(dropped()).toBe(3);
    expect(buffer.takeAllSync()).toHaveLength(5);
  });

  it('takeAllSync ends open spans (the run in progress) and hands them over synchronously', () => {
    const { buffer, tracer, exported } = setup();
    const train = tracer.startSpan('ml.train');
    tracer.startSpan('done').end();
    const all = buffer.takeAllSync();
    expect(all.map((s) => s.name).sort()).toEqual(['done', 'ml.train']);
    expect(train.isRecording()).toBe(false);
    expect(buffer.takeAllSync()).toEqual([]);
    expect(exported).toEqual([]);
  });

  it('open spans ended by takeAllSync never start an async export, even past batchSize or maxQueue', async () => {
    const { buffer, tracer, exported, dropped } = setup({ batchSize: 3, maxQueue: 5 });
    for (let i = 0; i < 2; i++) tracer.startSpan(`ended${i}`).end();
    for (let i = 0; i < 5; i++) tracer.startSpan(`open${i}`);
    const all = buffer.takeAllSync();
    expect(all).toHaveLength(7);
    await tick();
    expect(exported).toEqual([]);
    expect(dropped()).toBe(0);
  });

  it('takeAllSync also returns batches still waiting behind a slow export', async () => {
    let release!: () => void;
    const exported: string[][] = [];
    const { buffer, tracer } = setup({
      batchSize: 2,
      exportSpans: (s) => { exported.push(s.map((x) => x.name)); return new Promise<void>((r) => { release = r; }); },
    });
    tracer.startSpan('a').end();
    tracer.startSpan('b').end(); // batch 1: handed to the (hanging) exporter
    await tick();
    tracer.startSpan('c').end();
    tracer.startSpan('d').end(); // batch 2: waits for batch 1
    tracer.startSpan('e').end();
    await tick();
    expect(exported).toEqual([['a', 'b']]);
    expect(buffer.takeAllSync().map((s) => s.name)).toEqual(['c', 'd', 'e']);
    release();
    await tick();
    await tick();
    expect(exported).toEqual([['a', 'b']]); // batch 2 is not exported twice
  });

  it('does not keep spans the app never ends beyond the bound', () => {
    const { buffer, tracer } = setup({ maxQueue: 5 });
    for (let i = 0; i < 20; i++) tracer.startSpan(`leak${i}`);
    expect(buffer.takeAllSync()).toHaveLength(5);
  });
});
