import { mayHaveNvidiaGpu } from './nvidia-driver.js';
import type { Signals } from './signals.js';
import type { GpuSample } from './gpu.js';

const SAMPLE_EVERY_MS = 10_000; // MLflow samples system metrics every 10 s, W&B every 15 s

export function recordGpuSamples(signals: Signals, samples: readonly GpuSample[]): void {
  for (const g of samples) {
    const attrs = gpuAttributes(g.index);
    if (Number.isFinite(g.memoryUsedBytes)) signals.record('hw.gpu.memory.usage', g.memoryUsedBytes, attrs);
    if (Number.isFinite(g.memoryTotalBytes)) signals.record('hw.gpu.memory.limit', g.memoryTotalBytes, attrs);
    if (Number.isFinite(g.utilization)) signals.record('hw.gpu.utilization', g.utilization, attrs);
  }
}

// One attributes object per GPU, so the facade's per-object cache applies.
const attrCache = new Map<string, { 'hw.id': string; 'hw.type': string }>();
function gpuAttributes(index: string) {
  let a = attrCache.get(index);
  if (!a) attrCache.set(index, (a = { 'hw.id': index, 'hw.type': 'gpu' }));
  return a;
}

/** Samples nvidia-smi in the background; stops for good when the probe gives up. */
export function startGpuSampling(signals: Signals, mayHaveGpu: () => boolean = mayHaveNvidiaGpu): void {
  if (!mayHaveGpu()) return;
  // Loaded only here, so child_process stays off the start-up path of machines without a GPU.
  void import('./gpu.js').then(({ createGpuProbe }) => sample(signals, createGpuProbe()), () => {});
}

function sample(signals: Signals, probe: import('./gpu.js').GpuProbe): void {
  const tick = async () => {
    const samples = await probe.sample();
    recordGpuSamples(signals, samples);
    if (probe.disabled) clearInterval(timer);
  };
  const timer = setInterval(() => void tick(), SAMPLE_EVERY_MS);
  timer.unref();
  void tick();
}
