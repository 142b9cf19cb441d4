import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ProtobufMetricsSerializer, ProtobufTraceSerializer, JsonMetricsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { runCollect } from '../../src/receiver/index.js';
import { parseCollectArgs } from '../../src/receiver/collect-args.js';
import { decodeMetricsRequest, decodeTraceRequest } from '../../src/receiver/otlp-proto-schema.js';
import { decodeMessage, type Schema } from '../../src/receiver/protobuf-schema-decoder.js';
import { ProtobufDecodeError, WireReader } from '../../src/receiver/protobuf-wire-reader.js';
import { formatBatchLine, summarizeMetrics, summarizeTraces } from '../../src/receiver/batch-summary.js';
import { inferenceRunMetrics, inferenceRunSpans, trainingRunMetrics, trainingRunSpans } from '../fixtures/otlp/sample-telemetry.js';

const text = new TextDecoder();

// ---------- generic wire format ----------

/** Hand-assembles protobuf bytes: numbers are raw bytes, strings are UTF-8. */
function bytes(...parts: Array<number | string | number[]>): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') out.push(...Buffer.from(p, 'utf8'));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}

function varint(n: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function le64(n: bigint): number[] {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, n));
  return [...b];
}

function leDouble(n: number): number[] {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(n);
  return [...b];
}

const TEST_SCHEMA: Schema = {
  All: {
    1: ['i32', 'int32'],
    2: ['u32', 'uint32'],
    3: ['s32', 'sint32'],
    4: ['i64', 'int64'],
    5: ['u64', 'uint64'],
    6: ['f64', 'fixed64'],
    7: ['sf64', 'sfixed64'],
    8: ['d', 'double'],
    9: ['b', 'bool'],
    10: ['s', 'string'],
    11: ['id', 'hex'],
    12: ['raw', 'base64'],
    13: ['nums', 'fixed64', 'repeated'],
    14: ['vals', 'uint64', 'repeated'],
    15: ['child', 'All'],
    16: ['children', 'All', 'repeated'],
    17: ['f32', 'fixed32'],
  },
};

describe('protobuf wire reader', () => {
  it('reads every scalar type into its proto3 JSON form', () => {
    const full = bytes(
      0x08, ...varint(-5n), // int32 -5 is a 10-byte varint
      0x10, ...varint(4294967295n),
      0x18, ...varint(3n), // sint32: zigzag 3 is -2
      0x20, ...varint(-9007199254740993n),
      0x28, ...varint(18446744073709551615n),
      0x31, ...le64(1748856600123456789n),
      0x39, ...le64(-42n),
      0x41, ...leDouble(0.1),
      0x48, 0x01,
      0x52, Buffer.byteLength('héllo ✓'), 'héllo ✓',
      0x5a, 2, 0xab, 0x01,
      0x62, 3, 0x00, 0xff, 0x10,
      0x8d, 0x01, 0x78, 0x56, 0x34, 0x12, // field 17 fixed32: tag needs two bytes
    );
    expect(decodeMessage(TEST_SCHEMA, 'All', full)).toEqual({
      i32: -5,
      u32: 4294967295,
      s32: -2,
      i64: '-9007199254740993',
      u64: '18446744073709551615',
      f64: '1748856600123456789',
      sf64: '-42',
      d: 0.1,
      b: true,
      s: 'héllo ✓',
      id: 'ab01',
      raw: 'AP8Q',
      f32: 0x12345678,
    });
  });

  it('accepts repeated numbers both packed and unpacked, and repeated messages', () => {
    const packed = [...le64(1n), ...le64(2n)];
    const packedVarints = [...varint(300n), ...varint(0n)];
    const msg = bytes(0x6a, packed.length, ...packed, 0x69, ...le64(3n), 0x72, packedVarints.length, ...packedVarints, 0x70, ...varint(7n), 0x82, 0x01, 2, 0x48, 0x01, 0x82, 0x01, 0);
    expect(decodeMessage(TEST_SCHEMA, 'All', msg)).toEqual({ nums: ['1', '2', '3'], vals: ['300', '0', '7'], children: [{ b: true }, {}] });
  });

  it('skips unknown fields of every wire type, including groups', () => {
    const msg = bytes(
      0xf8, 0x07, ...varint(123456789n), // field 127 varint
      0xf9, 0x07, ...le64(1n), // field 127 i64
      0xfa, 0x07, 3, 1, 2, 3, // field 127 len
      0xfd, 0x07, 1, 2, 3, 4, // field 127 i32
      0xfb, 0x07, 0x08, 0x01, 0xfc, 0x07, // field 127 group containing a varint
      0x48, 0x01,
    );
    expect(decodeMessage(TEST_SCHEMA, 'All', msg)).toEqual({ b: true });
  });

  it('maps non-finite doubles to the strings proto3 JSON uses', () => {
    expect(decodeMessage(TEST_SCHEMA, 'All', bytes(0x41, ...leDouble(Number.NaN)))).toEqual({ d: 'NaN' });
    expect(decodeMessage(TEST_SCHEMA, 'All', bytes(0x41, ...leDouble(-Infinity)))).toEqual({ d: '-Infinity' });
  });

  it.each([
    ['a truncated varint', bytes(0x08, 0xff)],
    ['a truncated fixed64', bytes(0x31, 1, 2, 3)],
    ['a length past the end', bytes(0x52, 10, 0x41)],
    ['a wire type that does not match the field', bytes(0x0a, 1, 0)],
    ['an invalid wire type', bytes(0x0e)],
    ['field number zero', bytes(0x00, 0x01)],
    ['an 11-byte varint', bytes(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)],
    ['an unterminated group', bytes(0xfb, 0x07, 0x08, 0x01)],
  ])('rejects %s with ProtobufDecodeError', (_name, msg) => {
    expect(() => decodeMessage(TEST_SCHEMA, 'All', msg)).toThrow(ProtobufDecodeError);
  });

  it('refuses messages nested deeper than the limit instead of overflowing the stack', () => {
    let msg: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < 100; i++) msg = bytes(0x7a, ...varint(BigInt(msg.length)), [...msg]);
    expect(() => decodeMessage(TEST_SCHEMA, 'All', msg)).toThrow(/nested deeper/);
  });

  it('reads sub-messages without copying and stays within their bounds', () => {
    const reader = new WireReader(bytes(0x0a, 2, 0x08, 0x01, 0x10, 0x05));
    expect(reader.tag()).toEqual({ field: 1, wireType: 2 });
    const sub = reader.sub();
    expect(sub.tag()).toEqual({ field: 1, wireType: 0 });
    expect(sub.varint32()).toBe(1);
    expect(sub.atEnd()).toBe(true);
    expect(reader.tag()).toEqual({ field: 2, wireType: 0 });
  });
});

// ---------- OTLP round trip against the real serializers ----------

/** Both encodings are valid OTLP JSON but differ in form (int64 as number or string, zeros written or not). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const c = canonical(v);
      const empty = c === '0' || c === '' || c === false || c === undefined || (Array.isArray(c) && c.length === 0) || (c !== null && typeof c === 'object' && Object.keys(c).length === 0);
      if (!empty) out[key] = c;
    }
    return out;
  }
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return value;
}

class ManualReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

async function sdkMetrics(): Promise<ResourceMetrics> {
  const reader = new ManualReader();
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'round-trip', 'host.cpu.logical_count': 8, 'host.gpu.model.names': ['A', 'B'] }),
    readers: [reader],
    views: [{ instrumentName: 'latency.exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter('round-trip', '1.2.3');
  meter.createCounter('ml.errors', { unit: '{error}' }).add(3, { 'error.type': 'TypeError' });
  meter.createCounter('ints', { valueType: ValueType.INT }).add(9007199254740000);
  meter.createUpDownCounter('updown').add(-4.5);
  meter.createGauge('ml.training.loss').record(0.25);
  meter.createGauge('zero').record(0);
  const histogram = meter.createHistogram('ml.inference.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.01, 0.1, 1] } });
  for (const v of [0.005, 0.05, 0.5, 5]) histogram.record(v, { 'ml.framework': 'onnxruntime' });
  const exp = meter.createHistogram('latency.exp');
  for (const v of [1, 2, 4, 8, 0, 0.001]) exp.record(v);
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  await provider.shutdown();
  return resourceMetrics;
}

describe('OTLP protobuf decoding', () => {
  it('turns ProtobufTraceSerializer output into the JSON the JSON serializer produces', async () => {
    const spans = [...(await trainingRunSpans()), ...(await inferenceRunSpans())];
    const decoded = decodeTraceRequest(ProtobufTraceSerializer.serializeRequest(spans)!);
    const json: unknown = JSON.parse(text.decode(JsonTraceSerializer.serializeRequest(spans)));
    expect(canonical(decoded)).toEqual(canonical(json));

    // Exact forms, not just equivalence: hex ids, nanosecond strings, int64 strings, enum numbers.
    const crash = spans.find((s) => s.name === 'uncaught_exception')!;
    const all = (decoded.resourceSpans as any[]).flatMap((r) => r.scopeSpans.flatMap((s: any) => s.spans));
    const decodedCrash = all.find((s: any) => s.name === 'uncaught_exception');
    expect(decodedCrash.traceId).toBe(crash.spanContext().traceId);
    expect(decodedCrash.spanId).toBe(crash.spanContext().spanId);
    expect(decodedCrash.startTimeUnixNano).toBe(`${crash.startTime[0]}${String(crash.startTime[1]).padStart(9, '0')}`);
    expect(decodedCrash.status).toEqual({ code: 2 });
    const epoch = all.find((s: any) => s.name === 'ml.train.epoch');
    expect(epoch.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
    expect(epoch.attributes).toContainEqual({ key: 'ml.training.epoch', value: { intValue: '0' } });
  });

  it('turns ProtobufMetricsSerializer output into the JSON the JSON serializer produces', async () => {
    const sdk = await sdkMetrics();
    for (const resourceMetrics of [sdk, ...trainingRunMetrics(), ...inferenceRunMetrics()]) {
      const decoded = decodeMetricsRequest(ProtobufMetricsSerializer.serializeRequest(resourceMetrics)!);
      const json: unknown = JSON.parse(text.decode(JsonMetricsSerializer.serializeRequest(resourceMetrics)));
      expect(canonical(decoded)).toEqual(canonical(json));
    }
    const decoded = decodeMetricsRequest(ProtobufMetricsSerializer.serializeRequest(sdk)!) as any;
    const metrics = decoded.resourceMetrics[0].scopeMetrics[0].metrics as any[];
    const byName = (n: string) => metrics.find((m) => m.name === n);
    expect(byName('ints').sum.dataPoints[0].asInt).toBe('9007199254740000');
    expect(byName('zero').gauge.dataPoints[0].asDouble).toBe(0);
    expect(byName('ml.inference.duration').histogram.dataPoints[0]).toMatchObject({ count: '4', bucketCounts: ['1', '1', '1', '1'], explicitBounds: [0.01, 0.1, 1], min: 0.005, max: 5 });
    expect(byName('ml.errors').sum).toMatchObject({ aggregationTemporality: 2, isMonotonic: true });
    const exp = byName('latency.exp').exponentialHistogram.dataPoints[0];
    expect(exp).toMatchObject({ count: '6', zeroCount: '1', min: 0, max: 8 });
    expect(exp.positive.bucketCounts.length).toBeGreaterThan(0);
  });

  it('stops at the first malformed byte', () => {
    const good = ProtobufMetricsSerializer.serializeRequest(trainingRunMetrics()[0])!;
    expect(() => decodeMetricsRequest(good.subarray(0, good.length - 3))).toThrow(ProtobufDecodeError);
  });
});

// ---------- batch summary ----------

describe('batch summary line', () => {
  it('names the service and counts spans, errors and points', async () => {
    const spans = await trainingRunSpans();
    const traces = summarizeTraces(JSON.parse(text.decode(JsonTraceSerializer.serializeRequest(spans))));
    expect(traces).toMatchObject({ services: ['mnist-trainer'], spans: 9, errorSpans: 2 });
    const line = formatBatchLine('traces', traces, new Date(2025, 0, 1, 12, 3, 4));
    expect(line).toBe('12:03:04 traces  mnist-trainer: 9 spans, 2 errors');
    const metrics = summarizeMetrics(JSON.parse(text.decode(JsonMetricsSerializer.serializeRequest(trainingRunMetrics()[0]))));
    expect(formatBatchLine('metrics', metrics, new Date(2025, 0, 1, 12, 3, 4))).toBe('12:03:04 metrics mnist-trainer: 8 metric points');
  });

  it('survives bodies of any shape', () => {
    for (const body of [null, 1, 'x', [], { resourceSpans: 'no' }, { resourceSpans: [null, { scopeSpans: [{ spans: 'x' }] }] }]) {
      expect(summarizeTraces(body).spans).toBe(0);
      expect(summarizeMetrics(body).points).toBe(0);
    }
  });
});

// ---------- arguments ----------

describe('collect arguments', () => {
  it('has defaults and accepts both --flag value and --flag=value', () => {
    expect(parseCollectArgs([])).toEqual({ kind: 'run', args: { port: 4318, outDir: './telemetry-data', maxFileBytes: 50 * 1024 * 1024, keep: 3 } });
    expect(parseCollectArgs(['--port=0', '--out', 'x', '--keep', '0'])).toMatchObject({ kind: 'run', args: { port: 0, outDir: 'x', keep: 0 } });
  });

  it.each([[['--port']], [['--port', 'abc']], [['--port', '70000']], [['--port', '-1']], [['--bogus']], [['stray']], [['--out']], [['--max-file-mb', '0']]])(
    'returns 2 with one stderr line for %j',
    async (argv) => {
      const io = capture();
      expect(await runCollect(argv, io)).toBe(2);
      expect(io.err().trim().split('\n')).toHaveLength(1);
      expect(io.err()).toMatch(/^telemetry-agent collect: /);
    },
  );

  it('prints usage for --help', async () => {
    const io = capture();
    expect(await runCollect(['--help'], io)).toBe(0);
    expect(io.out()).toMatch(/Usage: telemetry-agent collect/);
  });
});

// ---------- the running receiver ----------

function capture(signal?: AbortSignal) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { stdout, stderr, signal, out: () => out, err: () => err };
}

interface Running {
  url: string;
  dir: string;
  io: ReturnType<typeof capture>;
  stop(): Promise<number>;
  done: Promise<number>;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function startCollect(extra: string[] = []): Promise<Running> {
  const dir = await mkdtemp(join(tmpdir(), 'collect-test-'));
  const controller = new AbortController();
  const io = capture(controller.signal);
  const done = runCollect(['--port', '0', '--out', dir, ...extra], io);
  let url: string | undefined;
  for (let i = 0; i < 200 && !url; i++) {
    url = /listening on (http:\/\/127\.0\.0\.1:\d+), writing to /.exec(io.out())?.[1];
    if (!url) await new Promise((r) => setTimeout(r, 10));
  }
  if (!url) throw new Error(`collector did not start: ${io.out()} ${io.err()}`);
  const stop = async () => {
    controller.abort();
    return done;
  };
  cleanups.push(async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  });
  return { url, dir, io, stop, done };
}

function post(url: string, body: Uint8Array | string, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body: typeof body === 'string' ? body : Buffer.from(body), headers });
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const PROTO_HEADERS = { 'content-type': 'application/x-protobuf' };

async function lines(path: string): Promise<any[]> {
  const content = await readFile(path, 'utf8').catch(() => '');
  return content
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l));
}

describe('telemetry-agent collect', () => {
  it('prints where it listens first, and stops cleanly with 0 when aborted', async () => {
    const running = await startCollect();
    expect(running.io.out().split('\n')[0]).toBe(`telemetry-agent collect: listening on ${running.url}, writing to ${running.dir}`);
    expect(await running.stop()).toBe(0);
    expect(running.io.out()).toMatch(/stopped after 0 trace and 0 metric batches/);
    await expect(fetch(`${running.url}/v1/traces`, { method: 'POST' })).rejects.toThrow();
  });

  it('stops on SIGTERM and SIGINT and removes its handlers', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const before = process.listeners(signal);
      const running = await startCollect();
      const added = process.listeners(signal).filter((l) => !before.includes(l));
      expect(added).toHaveLength(1);
      (added[0] as (s: string) => void)(signal);
      expect(await running.done).toBe(0);
      expect(process.listeners(signal)).toEqual(before);
    }
  });

  it('stores JSON and protobuf traces and metrics, plain and gzip, as OTLP JSON lines', async () => {
    const { url, dir, io } = await startCollect();
    const spans = await trainingRunSpans();
    const metrics = trainingRunMetrics();

    const jsonTraces = await post(`${url}/v1/traces`, JsonTraceSerializer.serializeRequest(spans)!, JSON_HEADERS);
    expect(jsonTraces.status).toBe(200);
    expect(jsonTraces.headers.get('content-type')).toBe('application/json');
    expect(await jsonTraces.json()).toEqual({});

    const protoTraces = await post(`${url}/v1/traces`, gzipSync(ProtobufTraceSerializer.serializeRequest(spans)!), { ...PROTO_HEADERS, 'content-encoding': 'gzip' });
    expect(protoTraces.status).toBe(200);
    expect(protoTraces.headers.get('content-type')).toBe('application/x-protobuf');
    expect((await protoTraces.arrayBuffer()).byteLength).toBe(0);

    expect((await post(`${url}/v1/metrics`, ProtobufMetricsSerializer.serializeRequest(metrics[0])!, PROTO_HEADERS)).status).toBe(200);
    expect((await post(`${url}/v1/metrics`, gzipSync(JsonMetricsSerializer.serializeRequest(metrics[1])!), { ...JSON_HEADERS, 'content-encoding': 'gzip' })).status).toBe(200);
    expect((await post(`${url}/v1/metrics`, JsonMetricsSerializer.serializeRequest(metrics[2])!, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);

    const traceLines = await lines(join(dir, 'traces.jsonl'));
    expect(traceLines).toHaveLength(2);
    // The protobuf line is the JSON serializer's request, up to the allowed differences of form.
    expect(canonical(traceLines[1])).toEqual(canonical(traceLines[0]));
    expect(traceLines[1].resourceSpans[0].scopeSpans[0].spans[0].traceId).toMatch(/^[0-9a-f]{32}$/);

    const metricLines = await lines(join(dir, 'metrics.jsonl'));
    expect(metricLines).toHaveLength(3);
    expect(canonical(metricLines[0])).toEqual(canonical(JSON.parse(text.decode(JsonMetricsSerializer.serializeRequest(metrics[0])!))));
    for (const line of metricLines) expect(Array.isArray(line.resourceMetrics)).toBe(true);

    const out = io.out().split('\n');
    expect(out.filter((l) => / traces  mnist-trainer: 9 spans, 2 errors$/.test(l))).toHaveLength(2);
    expect(out.filter((l) => / metrics mnist-trainer: \d+ metric points$/.test(l))).toHaveLength(3);
  });

  it('keeps int64 numbers of JSON bodies exactly as sent', async () => {
    const { url, dir } = await startCollect();
    const body = '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"x","startTimeUnixNano":1748856600123456789,\n"endTimeUnixNano":"1748856600123456790"}]}]}]}';
    expect((await post(`${url}/v1/traces`, body, JSON_HEADERS)).status).toBe(200);
    const raw = await readFile(join(dir, 'traces.jsonl'), 'utf8');
    expect(raw).toContain('1748856600123456789');
    expect(raw.trimEnd().split('\n')).toHaveLength(1);
  });

  it('answers bad requests with the right 4xx and keeps serving', async () => {
    const { url, dir, io } = await startCollect();
    const proto = ProtobufTraceSerializer.serializeRequest(await trainingRunSpans())!;
    const cases: Array<[string, Promise<Response>, number]> = [
      ['invalid JSON', post(`${url}/v1/traces`, '{"resourceSpans": [', JSON_HEADERS), 400],
      ['JSON that is not an object', post(`${url}/v1/traces`, '[1,2]', JSON_HEADERS), 400],
      ['resourceSpans not an array', post(`${url}/v1/traces`, '{"resourceSpans": 3}', JSON_HEADERS), 400],
      ['truncated protobuf', post(`${url}/v1/traces`, proto.subarray(0, proto.length - 5), PROTO_HEADERS), 400],
      ['protobuf garbage', post(`${url}/v1/metrics`, Uint8Array.from([0xff, 0xff, 0xff]), PROTO_HEADERS), 400],
      ['bad gzip', post(`${url}/v1/traces`, 'not gzip', { ...JSON_HEADERS, 'content-encoding': 'gzip' }), 400],
      ['unknown path', post(`${url}/v2/traces`, '{}', JSON_HEADERS), 404],
      ['GET', fetch(`${url}/v1/traces`), 405],
      ['text/plain', post(`${url}/v1/traces`, '{}', { 'content-type': 'text/plain' }), 415],
      ['no content type', fetch(`${url}/v1/traces`, { method: 'POST', body: new Uint8Array([1]) }), 415],
      ['brotli', post(`${url}/v1/traces`, '{}', { ...JSON_HEADERS, 'content-encoding': 'br' }), 415],
    ];
    for (const [name, response, status] of cases) {
      const res = await response;
      expect({ name, status: res.status }).toEqual({ name, status });
      await res.arrayBuffer();
    }
    const res405 = await fetch(`${url}/v1/metrics`, { method: 'PUT', body: '{}', headers: JSON_HEADERS });
    expect(res405.headers.get('allow')).toBe('POST');
    const error = await (await post(`${url}/v1/traces`, '{', JSON_HEADERS)).json();
    expect(error).toMatchObject({ code: 3, message: expect.stringMatching(/malformed json body/) });

    // Still alive, and nothing was written for the bad ones.
    expect((await post(`${url}/v1/traces`, proto, PROTO_HEADERS)).status).toBe(200);
    expect(await lines(join(dir, 'traces.jsonl'))).toHaveLength(1);
    expect(io.err()).toBe('');
  });

  it('answers 413 to a body over 8 MB and to a gzip bomb, then keeps serving', async () => {
    const { url } = await startCollect();
    const big = `{"resourceSpans":[],"pad":"${'x'.repeat(9 * 1024 * 1024)}"}`;
    const res = await post(`${url}/v1/traces`, big, JSON_HEADERS);
    expect(res.status).toBe(413);
    await res.arrayBuffer();
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(100_000);
    const bombRes = await post(`${url}/v1/metrics`, bomb, { ...JSON_HEADERS, 'content-encoding': 'gzip' });
    expect(bombRes.status).toBe(413);
    await bombRes.arrayBuffer();
    expect((await post(`${url}/v1/traces`, '{}', JSON_HEADERS)).status).toBe(200);
  });

  it('stores nothing for empty requests of any signal', async () => {
    const { url, dir } = await startCollect();
    expect((await post(`${url}/v1/logs`, '{"resourceLogs":[]}', JSON_HEADERS)).status).toBe(200);
    expect((await post(`${url}/v1/traces`, '{}', JSON_HEADERS)).status).toBe(200);
    expect((await post(`${url}/v1/metrics`, new Uint8Array(0), PROTO_HEADERS)).status).toBe(200);
    expect((await readdir(dir)).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
  });

  it('writes one whole line per batch under 20 concurrent clients', async () => {
    const { url, dir } = await startCollect();
    const spans = await inferenceRunSpans();
    const metrics = inferenceRunMetrics();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? post(`${url}/v1/traces`, i % 4 === 0 ? ProtobufTraceSerializer.serializeRequest(spans)! : JsonTraceSerializer.serializeRequest(spans)!, i % 4 === 0 ? PROTO_HEADERS : JSON_HEADERS)
          : post(`${url}/v1/metrics`, ProtobufMetricsSerializer.serializeRequest(metrics[i % metrics.length])!, PROTO_HEADERS),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(new Array(20).fill(200));
    const traceLines = await lines(join(dir, 'traces.jsonl'));
    const metricLines = await lines(join(dir, 'metrics.jsonl'));
    expect(traceLines).toHaveLength(10);
    expect(metricLines).toHaveLength(10);
    for (const line of traceLines) expect(line.resourceSpans[0].scopeSpans[0].spans).toHaveLength(spans.length);
    for (const line of metricLines) expect(line.resourceMetrics[0].scopeMetrics[0].metrics.length).toBeGreaterThan(0);
  });

  it('rotates a file past --max-file-mb and keeps only --keep old ones', async () => {
    const { url, dir } = await startCollect(['--max-file-mb', '1', '--keep', '2']);
    const padded = (i: number) => `{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"span-${i}","pad":"${'y'.repeat(400 * 1024)}"}]}]}]}`;
    for (let i = 0; i < 12; i++) expect((await post(`${url}/v1/traces`, padded(i), JSON_HEADERS)).status).toBe(200);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['traces.1.jsonl', 'traces.2.jsonl', 'traces.jsonl']);
    const names = async (f: string) => (await lines(join(dir, f))).map((l) => l.resourceSpans[0].scopeSpans[0].spans[0].name);
    // 400 KB lines, 1 MB files: two lines per file, newest in traces.jsonl.
    expect(await names('traces.jsonl')).toEqual(['span-10', 'span-11']);
    expect(await names('traces.1.jsonl')).toEqual(['span-8', 'span-9']);
    expect(await names('traces.2.jsonl')).toEqual(['span-6', 'span-7']);
  });

  it('reports a port in use on one stderr line and returns 1', async () => {
    const first = await startCollect();
    const port = new URL(first.url).port;
    const io = capture();
    expect(await runCollect(['--port', port, '--out', first.dir], io)).toBe(1);
    expect(io.err()).toMatch(new RegExp(`^telemetry-agent collect: cannot start: port ${port} is already in use`));
  });
});
