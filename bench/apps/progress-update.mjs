// progress().update cost: ns per call of `run.update(step, { loss })` in a tight loop of cheap
// steps (median of 7 batches of N calls, after a warm-up), next to the same loop without the
// call. Run with the agent on (`--import telemetry-agent`, consent granted) and off.
import { progress } from 'telemetry-agent/api';

const N = Number(process.env.BENCH_PROGRESS_N ?? 2_000_000);
const run = progress({ total: 8 * N, unit: 'step', name: 'bench' });
let sink = 0;
let step = 0;
const values = { loss: 0 };

function batchNs(withUpdate) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    step++;
    values.loss = 1 / step;
    sink += values.loss;
    if (withUpdate) run.update(step, values);
  }
  return ((performance.now() - t0) * 1e6) / N;
}
const median = (withUpdate) => {
  batchNs(withUpdate); // warm-up
  const b = Array.from({ length: 7 }, () => batchNs(withUpdate)).sort((x, y) => x - y);
  return b[3];
};
const bare = median(false);
const withUpdate = median(true);
run.end();
process.stdout.write(`BENCH ${JSON.stringify({ app: 'progress', n: N, loopNs: bare, updateLoopNs: withUpdate, updateNs: withUpdate - bare, sink: sink > 0 })}\n`);
