// ONNX Runtime inference loop: the tiny model of examples/models/tiny-onnx.mjs (MatMul + Add),
// WARMUP untimed calls, then CALLS timed `session.run` calls (default 20 000) in blocks.
// Start-up is excluded: only the loop is timed, with performance.now() inside this process.
// Prints `BENCH {"usPerCall": …}` (mean over all timed calls) and the median block.
const firstLineMs = performance.now();
const { mkdtemp, rm } = await import('node:fs/promises');
const { tmpdir } = await import('node:os');
const { join } = await import('node:path');
const { default: ort } = await import('onnxruntime-node');
const { TINY_ONNX_EXPECTED, TINY_ONNX_INPUT, writeTinyOnnxModel } = await import('../../examples/models/tiny-onnx.mjs');

const CALLS = Number(process.env.BENCH_ONNX_CALLS ?? 20_000);
const WARMUP = Number(process.env.BENCH_ONNX_WARMUP ?? 2_000);
const BLOCK = 1_000;

const dir = await mkdtemp(join(tmpdir(), 'bench-onnx-'));
try {
  const modelPath = await writeTinyOnnxModel(join(dir, 'tiny.onnx'));
  const session = await ort.InferenceSession.create(modelPath);
  const x = new ort.Tensor('float32', Float32Array.from(TINY_ONNX_INPUT), [1, 4]);
  let output;
  for (let i = 0; i < WARMUP; i++) output = await session.run({ x });

  const blocks = [];
  const started = performance.now();
  for (let done = 0; done < CALLS; ) {
    const n = Math.min(BLOCK, CALLS - done);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) output = await session.run({ x });
    blocks.push(((performance.now() - t0) * 1000) / n);
    done += n;
  }
  const totalMs = performance.now() - started;
  await session.release();

  const y = Array.from(output.y.data);
  const ok = y.length === TINY_ONNX_EXPECTED.length && y.every((v, i) => v === TINY_ONNX_EXPECTED[i]);
  blocks.sort((a, b) => a - b);
  process.stdout.write(`BENCH ${JSON.stringify({
    app: 'onnx', firstLineMs, calls: CALLS, totalMs, usPerCall: (totalMs * 1000) / CALLS,
    usPerCallMedianBlock: blocks[Math.floor(blocks.length / 2)], ok,
  })}\n`);
  if (!ok) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
process.on('exit', () => {
  process.stdout.write(`BENCH ${JSON.stringify({ exitMaxRssKB: process.resourceUsage().maxRSS })}\n`);
});
