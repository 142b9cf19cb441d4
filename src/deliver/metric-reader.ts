import { AggregationTemporality, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

/** Collects on an interval whose timer never keeps the process alive, and on demand. */
export class AgentMetricReader extends MetricReader {
  private timer: NodeJS.Timeout | undefined;
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly intervalMs: number, private readonly exportMetrics: (rm: ResourceMetrics) => Promise<void>) {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }

  protected override onInitialized(): void {
    this.timer = setInterval(() => void this.collectAndExport(), this.intervalMs);
    this.timer.unref();
  }

  /**
   * Collections run one at a time; exports do not wait for each other, so an export hanging on a
   * slow collector cannot hold back the exit flush's final collection (cumulative values: a later
   * snapshot supersedes an earlier one).
   */
  collectAndExport(): Promise<void> {
    const collected = this.last.then(() => this.collect({ timeoutMillis: 500 }));
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
