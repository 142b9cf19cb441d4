#!/usr/bin/env node
// A training loop written by hand (no ML library): linear regression by stochastic gradient
// descent in plain JavaScript, reporting its progress through the public API.
//
//   TELEMETRY_AGENT_ENABLED=1 node examples/custom-loop.mjs
//   TELEMETRY_AGENT_ENABLED=1 node --import telemetry-agent examples/custom-loop.mjs
//
// `progress()` opens an `ml.train` span (ml.framework=custom) and `run.update(done, { loss })`
// records ml.training.progress (done/total), ml.training.batches.completed and ml.training.loss.
// While telemetry is off, every call is a cheap no-op.

import { progress } from 'telemetry-agent/api';

const STEPS = 200;
const BATCH = 16;
const LEARNING_RATE = 0.1;

// y = 2·x − 1 + noise, from a fixed pseudo-random sequence.
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
const data = Array.from({ length: 1024 }, () => {
  const x = rand();
  return { x, y: 2 * x - 1 + rand() * 0.05 };
});

let w = 0;
let b = 0;
const run = progress({ total: STEPS, unit: 'step', name: 'custom-sgd-demo' });
for (let step = 1; step <= STEPS; step++) {
  let gw = 0;
  let gb = 0;
  let loss = 0;
  for (let i = 0; i < BATCH; i++) {
    const { x, y } = data[(step * BATCH + i) % data.length];
    const err = w * x + b - y;
    loss += err * err;
    gw += 2 * err * x;
    gb += 2 * err;
  }
  w -= (LEARNING_RATE * gw) / BATCH;
  b -= (LEARNING_RATE * gb) / BATCH;
  loss /= BATCH;
  run.update(step, { loss });
  if (step % 50 === 0) console.log(`step ${step}/${STEPS}  loss=${loss.toFixed(5)}  w=${w.toFixed(3)} b=${b.toFixed(3)}`);
}
run.end();
console.log(`fitted y = ${w.toFixed(3)}·x ${b < 0 ? '−' : '+'} ${Math.abs(b).toFixed(3)} (expected 2·x − 1)`);
