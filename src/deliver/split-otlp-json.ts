import type { Encoded } from './encoded.js';

/**
 * Halves an OTLP JSON request body (spans or metric data points), for a collector that answered
 * 413 (too large): also works on what the disk queue stored. Undefined when it holds one item.
 */
export function splitOtlpJson(json: Uint8Array): [Encoded, Encoded] | undefined {
  let doc: any;
  try {
    doc = JSON.parse(Buffer.from(json).toString('utf8'));
  } catch {
    return undefined;
  }
  const kind = Array.isArray(doc?.resourceSpans) ? 'spans' : Array.isArray(doc?.resourceMetrics) ? 'metrics' : undefined;
  if (!kind) return undefined;
  // Leaves: [resource, scope, metric-or-undefined, the items array's owner key] in order.
  const top: any[] = kind === 'spans' ? doc.resourceSpans : doc.resourceMetrics;
  const leaves: { r: any; s: any; m?: any; points: any[]; field?: string }[] = [];
  for (const r of top) {
    for (const s of (kind === 'spans' ? r.scopeSpans : r.scopeMetrics) ?? []) {
      if (kind === 'spans') leaves.push({ r, s, points: s.spans ?? [] });
      else for (const m of s.metrics ?? []) {
        const field = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'].find((f) => m[f]);
        if (field) leaves.push({ r, s, m, field, points: m[field].dataPoints ?? [] });
      }
    }
  }
  const total = leaves.reduce((a, l) => a + l.points.length, 0);
  if (total < 2) return undefined;
  const build = (from: number, to: number): Encoded => {
    const out: any[] = [];
    let i = 0;
    let cur: any;
    let curScope: any;
    for (const l of leaves) {
      const lo = Math.max(from - i, 0);
      const hi = Math.min(to - i, l.points.length);
      i += l.points.length;
      if (hi <= lo) continue;
      if (!cur || cur.src !== l.r) { cur = { src: l.r, value: { ...l.r, [kind === 'spans' ? 'scopeSpans' : 'scopeMetrics']: [] } }; out.push(cur); curScope = undefined; }
      const scopes = cur.value[kind === 'spans' ? 'scopeSpans' : 'scopeMetrics'];
      if (!curScope || curScope.src !== l.s) { curScope = { src: l.s, value: kind === 'spans' ? { ...l.s, spans: [] } : { ...l.s, metrics: [] } }; scopes.push(curScope.value); }
      const slice = l.points.slice(lo, hi);
      if (kind === 'spans') curScope.value.spans.push(...slice);
      else curScope.value.metrics.push({ ...l.m, [l.field!]: { ...l.m[l.field!], dataPoints: slice } });
    }
    const body = { [kind === 'spans' ? 'resourceSpans' : 'resourceMetrics']: out.map((x) => x.value) };
    return { json: Buffer.from(JSON.stringify(body)), items: to - from };
  };
  const half = Math.ceil(total / 2);
  return [build(0, half), build(half, total)];
}
