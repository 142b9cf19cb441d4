import type { Meter } from '@opentelemetry/api';
import { METRICS, type MetricSpec } from '../catalog.js';

const spec = (name: string) => METRICS.find((m) => m.name === name)!;

/**
 * The process metrics every export carries, read when metrics are collected. One list for the
 * pipeline's observable gauges and for the short-run exit path (deliver/short-run.ts), so the two
 * never send different things.
 */
export const RUNTIME_GAUGES: readonly { readonly spec: MetricSpec; read(): number }[] = [
  { spec: spec('process.memory.usage'), read: () => process.memoryUsage.rss() },
  { spec: spec('v8js.memory.heap.used'), read: () => process.memoryUsage().heapUsed },
];

/** Process memory, read only when metrics are collected (on each export). */
export function observeRuntimeMetrics(meter: Meter): void {
  for (const g of RUNTIME_GAUGES) {
    meter.createObservableGauge(g.spec.name, { unit: g.spec.unit, description: g.spec.description }).addCallback((r) => r.observe(g.read()));
  }
}
