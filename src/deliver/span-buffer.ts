import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

export interface SpanBufferOptions {
  readonly maxQueue: number;
  readonly batchSize: number;
  readonly delayMs: number;
  readonly exportSpans: (spans: ReadableSpan[]) => Promise<void>;
  readonly onDrop: (n: number) => void;
}

/**
 * A bounded batching processor that, unlike BatchSpanProcessor, can hand over everything it holds
 * synchronously — ended spans and the ones still open — when the process is about to exit.
 */
export class SpanBuffer implements SpanProcessor {
  private ended: ReadableSpan[] = [];
  private readonly open = new Set<Span>();
  private timer: NodeJS.Timeout | undefined;
  private exporting: Promise<void> = Promise.resolve();

  constructor(private readonly o: SpanBufferOptions) {}

  onStart(span: Span, _ctx: Context): void {
    this.open.add(span);
  }

  onEnd(span: ReadableSpan): void {
    this.open.delete(span as Span);
    if (this.ended.length >= this.o.maxQueue) {
      this.o.onDrop(1);
      return;
    }
    this.ended.push(span);
    if (this.ended.length >= this.o.batchSize) void this.flushNow();
    else if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = undefined; void this.flushNow(); }, this.o.delayMs);
      this.timer.unref();
    }
  }

  /** Exports what has ended so far. */
  flushNow(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    const batch = this.ended;
    this.ended = [];
    if (batch.length > 0) this.exporting = this.exporting.then(() => this.o.exportSpans(batch)).catch(() => {});
    return this.exporting;
  }

  forceFlush(): Promise<void> {
    return this.flushNow();
  }

  shutdown(): Promise<void> {
    return this.flushNow();
  }

  /** Ends every open span now and returns all spans not yet handed to the exporter. For the exit path. */
  takeAllSync(): ReadableSpan[] {
    for (const span of [...this.open]) {
      try { span.end(); } catch { /* ended concurrently */ }
    }
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    const all = this.ended;
    this.ended = [];
    return all;
  }
}
