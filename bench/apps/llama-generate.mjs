// node-llama-cpp generation loop: the tiny random GGUF of examples/models/tiny-gguf.mjs on the CPU
// (one thread), WARMUP untimed completions, then CALLS timed completions of TOKENS tokens each.
// Start-up and model load are excluded: only the generation is timed, inside this process.
// Prints `BENCH {"tokensPerSecond": …}` over all timed calls (tokens as the library's meter counts
// them) and the median per-call rate.
const firstLineMs = performance.now();
const { mkdtemp, rm } = await import('node:fs/promises');
const { tmpdir } = await import('node:os');
const { join } = await import('node:path');
const L = await import('node-llama-cpp');
const { writeTinyGguf } = await import('../../examples/models/tiny-gguf.mjs');

const CALLS = Number(process.env.BENCH_LLAMA_CALLS ?? 40);
const WARMUP = Number(process.env.BENCH_LLAMA_WARMUP ?? 5);
const TOKENS = Number(process.env.BENCH_LLAMA_TOKENS ?? 100);

const dir = await mkdtemp(join(tmpdir(), 'bench-llama-'));
try {
  const llama = await L.getLlama({ gpu: false, build: 'never' });
  const model = await llama.loadModel({ modelPath: await writeTinyGguf(join(dir, 'tiny.gguf')) });
  const context = await model.createContext({ contextSize: 512, threads: 1 });
  const sequence = context.getSequence();
  const completion = new L.LlamaCompletion({ contextSequence: sequence });
  for (let i = 0; i < WARMUP; i++) await completion.generateCompletion('hello world', { maxTokens: TOKENS });
  const rates = [];
  let tokens = 0;
  const before = sequence.tokenMeter.getState().usedOutputTokens;
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const m0 = sequence.tokenMeter.getState().usedOutputTokens;
    const t0 = performance.now();
    await completion.generateCompletion('hello world', { maxTokens: TOKENS });
    const ms = performance.now() - t0;
    rates.push(((sequence.tokenMeter.getState().usedOutputTokens - m0) * 1000) / ms);
  }
  const totalMs = performance.now() - started;
  tokens = sequence.tokenMeter.getState().usedOutputTokens - before;
  await context.dispose();
  await model.dispose();
  rates.sort((a, b) => a - b);
  process.stdout.write(`BENCH ${JSON.stringify({
    app: 'llama', firstLineMs, calls: CALLS, tokens, totalMs,
    tokensPerSecond: (tokens * 1000) / totalMs,
    usPerToken: (totalMs * 1000) / tokens,
    medianCallTokensPerSecond: rates[Math.floor(rates.length / 2)],
  })}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
