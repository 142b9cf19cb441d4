// TensorFlow.js training: the model type of examples/train-tfjs.mjs (dense layers on synthetic
// y = 3·x0 − 2·x1 + 1 + noise, adam, MSE), sized so that training takes a few seconds on the
// CPU backend — long enough that a 1 % difference in wall time is measurable:
// SAMPLES × EPOCHS with batch 32 and a 2→32→32→1 network. Prints the training time measured
// around `model.fit` (wall, and CPU time of this process from process.cpuUsage()) and the number
// of batches.
const firstLineMs = performance.now();
const { default: tf } = await import('@tensorflow/tfjs');

const SAMPLES = Number(process.env.BENCH_TFJS_SAMPLES ?? 2048);
const EPOCHS = Number(process.env.BENCH_TFJS_EPOCHS ?? 24);
const BATCH = 32;

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
const xs = tf.tensor2d(xsData);
const ys = tf.tensor2d(ysData);

const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 32, inputShape: [2], activation: 'relu' }),
    tf.layers.dense({ units: 32, activation: 'relu' }),
    tf.layers.dense({ units: 1 }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });

let batches = 0;
let lastLoss;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await model.fit(xs, ys, {
  epochs: EPOCHS,
  batchSize: BATCH,
  verbose: 0,
  callbacks: {
    onBatchEnd: async () => { batches++; },
    onEpochEnd: async (_epoch, logs) => { lastLoss = logs.loss; },
  },
});
const trainMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const trainCpuMs = (cpu.user + cpu.system) / 1000;
tf.dispose([xs, ys]);
model.dispose();
process.stdout.write(`BENCH ${JSON.stringify({ app: 'tfjs', firstLineMs, trainMs, trainCpuMs, batches, epochs: EPOCHS, samples: SAMPLES, loss: lastLoss })}\n`);
process.on('exit', () => {
  process.stdout.write(`BENCH ${JSON.stringify({ exitMaxRssKB: process.resourceUsage().maxRSS })}\n`);
});
