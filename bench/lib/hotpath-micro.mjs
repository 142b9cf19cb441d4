// Micro-benchmark of the pieces of the inference hot path, run as a child by the profile
// (`node bench/lib/hotpath-micro.mjs` prints one `BENCH {json}` line). ns per operation, median
// of 7 batches of N calls each, after a warm-up:
//
// - otelRecord3: an @opentelemetry/sdk-metrics 3.x histogram (the agent's explicit buckets)
//   `.record(v, attrs)` with a frozen 3-attribute object reused on every call (as the ONNX
//   instrumentation does) — what the agent calls per `session.run`.
// - otelRecord0: the same without attributes.
// - handRolled: a per-attribute-object histogram kept by hand (WeakMap lookup, bucket search,
//   count/sum/min/max), i.e. what a pre-aggregating hot path would cost per call.
// - clocks: two performance.now() and one Date.now(), as the wrapper and the sampler read.
// - awaitAsync / awaitAsyncThen: `await f()` of an async function, plain and with one `.then`
//   added by a wrapper (the extra promise and microtask of a wrapped async `run`).
import { MeterProvider, MetricReader, AggregationTemporality } from '@opentelemetry/sdk-metrics';

const N = Number(process.env.BENCH_MICRO_N ?? 200_000);
const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

class Reader extends MetricReader {
  constructor() { super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE }); }
  async onForceFlush() {}
  async onShutdown() {}
}
const provider = new MeterProvider({ readers: [new Reader()] });
const meter = provider.getMeter('bench');
const h = meter.createHistogram('ml.inference.duration', { unit: 's', advice: { explicitBucketBoundaries: BUCKETS } });
const attrs = Object.freeze({ 'ml.framework': 'onnxruntime', 'ml.operation': 'run', 'ml.model.name': 'sha256:0123456789abcdef' });

const hand = new WeakMap();
function handRecord(v, a) {
  let s = hand.get(a);
  if (!s) hand.set(a, (s = { counts: new Float64Array(BUCKETS.length + 1), count: 0, sum: 0, min: Infinity, max: -Infinity }));
  let lo = 0;
  let hi = BUCKETS.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (v <= BUCKETS[mid]) hi = mid; else lo = mid + 1; }
  s.counts[lo]++;
  s.count++;
  s.sum += v;
  if (v < s.min) s.min = v;
  if (v > s.max) s.max = v;
}
let sink = 0;
const cases = {
  otelRecord3: (i) => h.record(0.00001 * (i % 97), attrs),
  otelRecord0: (i) => h.record(0.00001 * (i % 97)),
  handRolled: (i) => handRecord(0.00001 * (i % 97), attrs),
  clocks: () => { sink += performance.now() + performance.now() + Date.now(); },
  empty: (i) => { sink += i; },
};
const out = {};
for (const [name, fn] of Object.entries(cases)) {
  for (let i = 0; i < N; i++) fn(i); // warm-up
  const batches = [];
  for (let b = 0; b < 7; b++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) fn(i);
    batches.push(((performance.now() - t0) * 1e6) / N);
  }
  batches.sort((x, y) => x - y);
  out[name] = batches[3];
}
// The wrapper returns `original(...).then(record)`: one more promise and microtask per call.
async function original(i) { return i; }
const wrapped = (i) => original(i).then((v) => { sink += 0; return v; });
for (const [name, fn] of [['awaitAsync', original], ['awaitAsyncThen', wrapped]]) {
  for (let i = 0; i < N; i++) await fn(i);
  const batches = [];
  for (let b = 0; b < 7; b++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await fn(i);
    batches.push(((performance.now() - t0) * 1e6) / N);
  }
  batches.sort((x, y) => x - y);
  out[name] = batches[3];
}
process.stdout.write(`BENCH ${JSON.stringify({ nsPerOp: out, n: N, sink: sink > 0 })}\n`);
