#!/usr/bin/env node
// The same tiny TensorFlow.js training run as train-tfjs.mjs, as a CommonJS script:
//
//   TELEMETRY_AGENT_ENABLED=1 node --require telemetry-agent examples/train-tfjs.cjs
//   TELEMETRY_AGENT_ENABLED=1 node --import telemetry-agent examples/train-tfjs.cjs
//
// 10 epochs of a linear model on synthetic data, 20 % held out for validation; one line per
// epoch from its own callback.
'use strict';

const tf = require('@tensorflow/tfjs');

const SAMPLES = 256;
const EPOCHS = 10;

let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
const xsData = [];
const ysData = [];
for (let i = 0; i < SAMPLES; i++) {
  const a = rand();
  const b = rand();
  xsData.push([a, b]);
  ysData.push([3 * a - 2 * b + 1 + rand() * 0.05]);
}

async function main() {
  const xs = tf.tensor2d(xsData);
  const ys = tf.tensor2d(ysData);
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  model.compile({ optimizer: tf.train.adam(0.1), loss: 'meanSquaredError', metrics: ['mae'] });

  const started = Date.now();
  await model.fit(xs, ys, {
    epochs: EPOCHS,
    validationSplit: 0.2,
    batchSize: 32,
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        console.log(`epoch ${epoch + 1}/${EPOCHS}  loss=${logs.loss.toFixed(4)}  val_loss=${logs.val_loss.toFixed(4)}  mae=${logs.mae.toFixed(4)}`);
      },
    },
  });

  const prediction = model.predict(tf.tensor2d([[0.5, -0.5]]));
  console.log(`done in ${Date.now() - started} ms; f(0.5, -0.5) = ${prediction.dataSync()[0].toFixed(3)} (expected ≈ 3.5)`);
  tf.dispose([xs, ys, prediction]);
  model.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
