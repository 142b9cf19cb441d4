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

  collectAndExport(): Promise<void> {
    this.last = this.last.then(async () => {
      const { resourceMetrics } = await this.collect({ timeoutMillis: 500 });
      if (resourceMetrics.scopeMetrics.some((s) => s.metrics.length > 0)) await this.exportMetrics(resourceMetrics);
    }).catch(() => {});
    return this.last;
  }

  protected override async onForceFlush(): Promise<void> {
    await this.collectAndExport();
  }

  protected override async onShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
  }
}
