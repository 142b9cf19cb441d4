import type { Meter } from '@opentelemetry/api';
import { METRICS } from '../catalog.js';

const spec = (name: string) => METRICS.find((m) => m.name === name)!;

/** Process memory, read only when metrics are collected (on each export). */
export function observeRuntimeMetrics(meter: Meter): void {
  const rss = spec('process.memory.usage');
  const heap = spec('v8js.memory.heap.used');
  meter.createObservableGauge(rss.name, { unit: rss.unit, description: rss.description }).addCallback((r) => r.observe(process.memoryUsage.rss()));
  meter.createObservableGauge(heap.name, { unit: heap.unit, description: heap.description }).addCallback((r) => r.observe(process.memoryUsage().heapUsed));
}
