// When the pipeline may wait. Building the OpenTelemetry pipeline costs a process about 15 ms
// (loading runtime.cjs, creating the providers) and its first export about 10 ms more; a process
// that ends within a second needs none of it to send the one request it has (resource and process
// memory), which deliver/short-run.ts builds by hand at exit. So, when this run's configuration
// allows that, the pipeline is created PIPELINE_DELAY_MS after start, or at once when something
// needs it: a watched library loads, the API is used, the app crashes, or the exit finds the
// short path does not apply (first run, queued data: see short-run.ts).
import type { Decision } from '../decide/decision.js';
import { mayHaveNvidiaGpu } from '../collect/nvidia-driver.js';

/** How long a run may go without the pipeline when nothing asks for it sooner. */
export const PIPELINE_DELAY_MS = 1000;

/**
 * The configuration lets a short run export without the pipeline: it sends (no inspect mode, no
 * console exporter) plain OTLP/HTTP JSON, and no GPU is sampled (the pipeline samples it at start).
 */
export function shortRunPossible(decision: Decision): boolean {
  if (!decision.send) return false;
  const c = decision.config;
  return !c.inspect && !c.traces.console && !c.metrics.console && c.metrics.protocol === 'http/json' && !mayHaveNvidiaGpu();
}
