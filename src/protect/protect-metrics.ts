import type { Resource } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { METRIC_NAMES } from '../catalog.js';
import { ALLOWED_SIGNAL_KEYS } from './allow-list.js';
import { redactAttributes } from './redact.js';

const ALLOWED_METRICS: ReadonlySet<string> = new Set(METRIC_NAMES);

/** Metrics with the agent's resource, catalog names only, and point attributes allow-listed and redacted. */
export function protectMetrics(rm: ResourceMetrics, resource: Resource): ResourceMetrics {
  return {
    resource,
    scopeMetrics: rm.scopeMetrics.map((sm) => ({
      scope: sm.scope,
      metrics: sm.metrics
        .filter((m) => ALLOWED_METRICS.has(m.descriptor.name))
        .map((m) => ({
          ...m,
          dataPoints: m.dataPoints.map((p) => ({ ...p, attributes: redactAttributes(p.attributes, ALLOWED_SIGNAL_KEYS) })),
        })) as ResourceMetrics['scopeMetrics'][number]['metrics'],
    })),
  };
}
