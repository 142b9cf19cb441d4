import { CARDINALITY_LIMIT } from './cardinality.js';
import { AggregationTemporality, InstrumentType, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { TemporalityPreference } from '../decide/export-config.js';

/**
 * OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE per instrument kind, as the specification
 * ("Metrics Exporter - OTLP") defines it: `delta` makes counters (sync and asynchronous) and
 * histograms delta, `lowmemory` only the synchronous counters and histograms; up-down counters
 * stay cumulative in both. Gauges carry no temporality in OTLP; they stay cumulative so a gauge
 * keeps its last value between recordings.
 */
export function temporalityFor(preference: TemporalityPreference, kind: InstrumentType | 'histogram'): AggregationTemporality {
  const { DELTA, CUMULATIVE } = AggregationTemporality;
  if (preference === 'cumulative') return CUMULATIVE;
  switch (kind) {
    case InstrumentType.COUNTER:
    case InstrumentType.HISTOGRAM:
    case 'histogram':
      return DELTA;
    case InstrumentType.OBSERVABLE_COUNTER:
      return preference === 'delta' ? DELTA : CUMULATIVE;
    default:
      return CUMULATIVE;
  }
}

/** Collects on an interval whose timer never keeps the process alive, and on demand. */
export class AgentMetricReader extends MetricReader {
  private timer: NodeJS.Timeout | undefined;
  private last: Promise<void> = Promise.resolve();
  private periodicInFlight = false;

  /** `beforeCollect` runs right before each collection (hot paths record what they kept then). */
  constructor(
    private readonly intervalMs: number,
    private readonly exportMetrics: (rm: ResourceMetrics) => Promise<void>,
    preference: TemporalityPreference = 'cumulative',
    private readonly beforeCollect: () => void = () => {},
  ) {
    super({ aggregationTemporalitySelector: (kind) => temporalityFor(preference, kind), cardinalitySelector: () => CARDINALITY_LIMIT });
  }

  protected override onInitialized(): void {
    // A tick while the previous periodic export is still running is skipped: after blocking
    // work (a long synchronous training step) or a slow collector, exports happen at the next
    // opportunity, one at a time, instead of piling up.
    this.timer = setInterval(() => {
      if (this.periodicInFlight) return;
      this.periodicInFlight = true;
      void this.collectAndExport().finally(() => { this.periodicInFlight = false; });
    }, this.intervalMs);
    this.timer.unref();
  }

  /**
   * Collections run one at a time; exports do not wait for each other, so an export hanging on a
   * slow collector cannot hold back the exit flush's final collection (cumulative values: a later
   * snapshot supersedes an earlier one; delta values: each collection is its own interval).
   */
  collectAndExport(): Promise<void> {
    const collected = this.last.then(() => {
      try { this.beforeCollect(); } catch { /* a collector's failure never stops the export */ }
      return this.collect({ timeoutMillis: 500 });
    });
    this.last = collected.then(() => {}, () => {});
    return collected.then(async ({ resourceMetrics }) => {
      if (resourceMetrics.scopeMetrics.some((s) => s.metrics.length > 0)) await this.exportMetrics(resourceMetrics);
    }).catch(() => {});
  }

  protected override async onForceFlush(): Promise<void> {
    await this.collectAndExport();
  }

  protected override async onShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
  }
}
