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
  /** Open spans, to end them at exit; capped like `ended` (a span the app never ends is not kept forever). */
  private readonly open = new Set<Span>();
  /** Batches waiting for the export before them: not yet handed to `exportSpans`. */
  private readonly waiting = new Set<ReadableSpan[]>();
  private timer: NodeJS.Timeout | undefined;
  private exporting: Promise<void> = Promise.resolve();
  private takingAll = false;

  constructor(private readonly o: SpanBufferOptions) {}

  onStart(span: Span, _ctx: Context): void {
    if (this.open.size < this.o.maxQueue) this.open.add(span);
  }

  onEnd(span: ReadableSpan): void {
    this.open.delete(span as Span);
    if (this.takingAll) {
      this.ended.push(span); // ended by takeAllSync: the exit path takes it right away
      return;
    }
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
    if (batch.length > 0) {
      this.waiting.add(batch);
      this.exporting = this.exporting.then(() => (this.waiting.delete(batch) ? this.o.exportSpans(batch) : undefined)).catch(() => {});
    }
    return this.exporting;
  }

  forceFlush(): Promise<void> {
    return this.flushNow();
  }

  shutdown(): Promise<void> {
    return this.flushNow();
  }

  /**
   * Ends every open span now and returns all spans not yet handed to the exporter (batches still
   * waiting for an earlier export included). For the exit path.
   */
  takeAllSync(): ReadableSpan[] {
    this.takingAll = true;
    try {
      // One precise end time for all, from the clock span starts are taken from (SignalsImpl): a
      // child never ends after its parent.
      const now = performance.timeOrigin + performance.now();
      for (const span of [...this.open].reverse()) {
        try { span.end(now); } catch { /* ended concurrently */ }
      }
    } finally {
      this.takingAll = false;
    }
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    const all = [...this.waiting].flat().concat(this.ended);
    this.waiting.clear();
    this.ended = [];
    return all;
  }
}
