// The report's "Generation" panel, computed from a run's GenAI metrics: pure functions, no HTML.
// Per model and operation: calls, input/output tokens (exact, as the libraries counted them), time
// to first token and tokens per second (1 / time per output token) percentiles from the buckets.

import { METRIC_NAMES } from '../catalog.js';
import { GENAI_ATTR, GENAI_METRIC, GENAI_TOKEN_TYPE } from '../genai-conventions.js';
import type { MetricPoint } from './group-runs.js';
import { histogramQuantile, totalHistogram } from './histogram-stats.js';
import { attrText, type Attrs } from './otlp-json-values.js';

for (const name of Object.values(GENAI_METRIC)) {
  if (!METRIC_NAMES.includes(name)) throw new Error(`report uses metric ${name}, which is not in catalog.ts`);
}

export interface GenerationSummary {
  /** `provider · operation · model`. */
  readonly label: string;
  readonly calls: number;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  /** Seconds. */
  readonly ttftP50?: number;
  readonly ttftP95?: number;
  /** Tokens per second at the median and at the slow end (the 95th percentile of time per token). */
  readonly tokensPerSecondP50?: number;
  readonly tokensPerSecondP5?: number;
}

function keyOf(a: Attrs): string {
  return [GENAI_ATTR.providerName, GENAI_ATTR.operationName, GENAI_ATTR.requestModel]
    .map((k) => (a[k] !== undefined ? attrText(a[k]) : '')).filter(Boolean).join(' · ');
}

export function generationSummaries(points: readonly MetricPoint[]): GenerationSummary[] {
  const groups = new Map<string, Map<string, MetricPoint[]>>();
  for (const p of points) {
    if (!p.histogram || !(Object.values(GENAI_METRIC) as string[]).includes(p.metric)) continue;
    const key = keyOf(p.attributes);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = new Map()));
    const sub = p.metric === GENAI_METRIC.tokenUsage ? `${p.metric}/${attrText(p.attributes[GENAI_ATTR.tokenType])}` : p.metric;
    const list = g.get(sub) ?? [];
    list.push(p);
    g.set(sub, list);
  }
  const out: GenerationSummary[] = [];
  for (const [label, g] of groups) {
    const total = (name: string) => {
      const list = g.get(name);
      return list ? totalHistogram(list) : undefined;
    };
    const duration = total(GENAI_METRIC.operationDuration);
    if (!duration || duration.count <= 0) continue;
    const input = total(`${GENAI_METRIC.tokenUsage}/${GENAI_TOKEN_TYPE.input}`);
    const output = total(`${GENAI_METRIC.tokenUsage}/${GENAI_TOKEN_TYPE.output}`);
    const ttft = total(GENAI_METRIC.timeToFirstToken);
    const tpot = total(GENAI_METRIC.timePerOutputToken);
    const rate = (q: number) => {
      const v = tpot && tpot.count > 0 ? histogramQuantile(q, tpot) : undefined;
      return v !== undefined && v > 0 ? 1 / v : undefined;
    };
    out.push({
      label,
      calls: duration.count,
      inputTokens: input?.sum,
      outputTokens: output?.sum,
      ttftP50: ttft && ttft.count > 0 ? histogramQuantile(0.5, ttft) : undefined,
      ttftP95: ttft && ttft.count > 0 ? histogramQuantile(0.95, ttft) : undefined,
      tokensPerSecondP50: rate(0.5),
      tokensPerSecondP5: rate(0.95),
    });
  }
  return out.sort((a, b) => b.calls - a.calls);
}
