// Percentiles from bucket counts, and the totals of a histogram stream over a run.

import type { HistogramValue, MetricPoint } from './group-runs.js';
import { TEMPORALITY_DELTA } from './otlp-json-values.js';

/**
 * Estimates the q-quantile (0..1) by linear interpolation inside the bucket holding the rank,
 * as Prometheus' histogram_quantile does. The first bucket starts at `min` (or 0), the overflow
 * bucket ends at `max` (or, unknown, the last bound); results are clamped to [min, max].
 */
export function histogramQuantile(q: number, h: Pick<HistogramValue, 'bounds' | 'counts' | 'min' | 'max'>): number | undefined {
  const total = h.counts.reduce((a, b) => a + b, 0);
  if (total <= 0 || h.counts.length !== h.bounds.length + 1) return undefined;
  const rank = Math.min(Math.max(q, 0), 1) * total;
  let before = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const inBucket = h.counts[i];
    if (inBucket > 0 && before + inBucket >= rank) {
      const last = h.bounds.length;
      let lower = i === 0 ? (h.min ?? Math.min(0, h.bounds[0] ?? 0)) : h.bounds[i - 1];
      let upper = i === last ? (h.max ?? h.bounds[last - 1] ?? lower) : h.bounds[i];
      if (h.min !== undefined) lower = Math.max(lower, h.min);
      if (h.max !== undefined) upper = Math.min(upper, h.max);
      if (upper < lower) upper = lower;
      const value = lower + ((upper - lower) * (rank - before)) / inBucket;
      return clamp(value, h.min, h.max);
    }
    before += inBucket;
  }
  return clamp(h.bounds[h.bounds.length - 1] ?? 0, h.min, h.max);
}

function clamp(value: number, min: number | undefined, max: number | undefined): number {
  let v = value;
  if (min !== undefined) v = Math.max(v, min);
  if (max !== undefined) v = Math.min(v, max);
  return v;
}

export function mergeHistograms(a: HistogramValue, b: HistogramValue): HistogramValue | undefined {
  if (a.bounds.length !== b.bounds.length || a.bounds.some((bound, i) => bound !== b.bounds[i])) return undefined;
  return {
    count: a.count + b.count,
    sum: a.sum !== undefined && b.sum !== undefined ? a.sum + b.sum : undefined,
    min: minOf(a.min, b.min),
    max: maxOf(a.max, b.max),
    bounds: a.bounds,
    counts: a.counts.map((c, i) => c + (b.counts[i] ?? 0)),
  };
}

function minOf(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function maxOf(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

/**
 * The latest state of points of one attribute set: cumulative points are running totals, so
 * the last point of each stream (a stream restarts with a new start time) counts; delta
 * points are added up.
 */
export function latestPerStream<T extends MetricPoint>(points: readonly T[]): T[] {
  const delta = points.filter((p) => p.temporality === TEMPORALITY_DELTA);
  const latest = new Map<number, T>();
  for (const p of points) {
    if (p.temporality === TEMPORALITY_DELTA) continue;
    const current = latest.get(p.startMs);
    if (!current || p.timeMs >= current.timeMs) latest.set(p.startMs, p);
  }
  return [...delta, ...latest.values()];
}

/** All histogram points of one attribute set, reduced to one histogram (points with other bounds are left out). */
export function totalHistogram(points: readonly MetricPoint[]): HistogramValue | undefined {
  let total: HistogramValue | undefined;
  for (const p of latestPerStream(points)) {
    if (!p.histogram) continue;
    total = total ? (mergeHistograms(total, p.histogram) ?? total) : p.histogram;
  }
  return total;
}

/** The total of a counter for one attribute set. */
export function totalSum(points: readonly MetricPoint[]): number {
  return latestPerStream(points).reduce((acc, p) => acc + (p.value ?? 0), 0);
}
