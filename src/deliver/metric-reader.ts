import { AggregationTemporality, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

/** Collects on an interval whose timer never keeps the process alive, and on demand. */
export class AgentMetricReader extends MetricReader {
  private timer: NodeJS.Timeout | undefined;
  private last: Promise<void> = Promise.resolve();
  private periodicInFlight = false;

  /** `beforeCollect` runs right before each collection (hot paths record what they kept then). */
  constructor(
    private readonly intervalMs: number,
    private readonly exportMetrics: (rm: ResourceMetrics) => Promise<void>,
    private readonly beforeCollect: () => void = () => {},
  ) {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
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
   * snapshot supersedes an earlier one).
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
