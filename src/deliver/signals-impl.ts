import { AsyncLocalStorage } from 'node:async_hooks';
import type { MetricSnapshot } from './metric-snapshot.js';
import { Histograms, type Series } from './histograms.js';
import { TimedGauges } from './timed-gauges.js';
import { ROOT_CONTEXT, SpanStatusCode, trace, type Attributes as OtelAttributes, type Counter, type Gauge, type Meter, type Span, type Tracer } from '@opentelemetry/api';
import { METRICS, type MetricSpec } from '../catalog.js';
import type { Attributes, Signals, SpanHandle } from '../collect/signals.js';
import { allowedAttributes } from '../protect/allow-list.js';
import { errorAttributes, errorType } from '../protect/error-attributes.js';

/** Every call is a histogram value; spans only for the first calls and then about one per second. */
const SAMPLE_FIRST = 10;
const SAMPLE_INTERVAL_MS = 1000;
/** Error events per error type per minute: a crash loop cannot flood the collector. */
const ERROR_EVENTS_PER_MINUTE = 10;

const NO_ATTRIBUTES: Attributes = Object.freeze({}) as Attributes;

/**
 * Now, in epoch milliseconds with sub-millisecond precision. Every span start and end is taken
 * from this one clock: the SDK would truncate a start time it picks itself to whole
 * milliseconds (Date.now) but not the end, so a child could end after its parent.
 */
const nowMs = (): number => performance.timeOrigin + performance.now();

class Handle implements SpanHandle {
  constructor(readonly span: Span, private readonly owner: SignalsImpl) {}
  setAttributes(attributes: Attributes): void {
    try { this.span.setAttributes(this.owner.safe(attributes)); } catch { /* never into the app */ }
  }
  recordError(error: unknown): void {
    try { this.owner.markError(this.span, error); } catch { /* never into the app */ }
  }
  addEvent(name: string, attributes?: Attributes): void {
    try { this.span.addEvent(name, this.owner.safeFresh(attributes), nowMs()); } catch { /* never into the app */ }
  }
  end(): void {
    try { this.span.end(nowMs()); } catch { /* never into the app */ }
  }
}

type Instrument = { kind: 'gauge'; i: Gauge } | { kind: 'counter'; i: Counter };

export interface SignalsDeps {
  readonly tracer: Tracer;
  readonly meter: Meter;
  readonly modelName: (idOrPath: unknown) => string | undefined;
  readonly debug: (m: string) => void;
  /** Mirrors gauges and counters for exits where the SDK cannot collect. */
  readonly snapshot?: MetricSnapshot;
  /** Where histogram values go (kept by hand: the hot path). */
  readonly histograms: Histograms;
  /** Where `timed` gauge points go (each value with its own time); one is made when not given. */
  readonly timed?: TimedGauges;
}

export class SignalsImpl implements Signals {
  private readonly current = new AsyncLocalStorage<Handle>();
  private readonly instruments = new Map<string, Instrument>();
  private readonly specs = new Map<string, MetricSpec>(METRICS.map((m) => [m.name, m]));
  private readonly safeCache = new WeakMap<object, OtelAttributes>();
  /** Per attributes object of an inference call site: its histogram series and sampling state. */
  private readonly hot = new WeakMap<object, { series: Series; total: number; since: number; lastSpanAt: number }>();
  private readonly inferenceSpec = METRICS.find((m) => m.name === 'ml.inference.duration')!;
  private readonly errorEvents = new Map<string, { windowStart: number; count: number }>();
  private readonly collectors = new Set<() => void>();
  /** Points of `timed` gauges, taken by each export (and the exit path). */
  readonly timed: TimedGauges;

  constructor(private readonly d: SignalsDeps) {
    this.timed = d.timed ?? new TimedGauges();
  }

  /**
   * Allow-listed attributes (values unchanged: strings are redacted once, by the protect gate at
   * export); cached per attributes object because hot paths reuse theirs.
   */
  safe(attributes: Attributes | undefined): OtelAttributes {
    if (!attributes) return {};
    let s = this.safeCache.get(attributes);
    if (!s) {
      s = allowedAttributes(attributes) as OtelAttributes;
      this.safeCache.set(attributes, s);
    }
    return s;
  }

  /** `safe` without the per-object cache, for attributes built once per use (span starts, events). */
  safeFresh(attributes: Attributes | undefined): OtelAttributes | undefined {
    return attributes ? (allowedAttributes(attributes) as OtelAttributes) : undefined;
  }

  startSpan(name: string, attributes?: Attributes, parent?: SpanHandle, startTime?: number): SpanHandle {
    const p = (parent as Handle | undefined) ?? this.current.getStore();
    const ctx = p ? trace.setSpan(ROOT_CONTEXT, p.span) : ROOT_CONTEXT;
    // Span attributes are not cached: they are usually built once per span.
    const attrs = this.safeFresh(attributes);
    return new Handle(this.d.tracer.startSpan(name, { attributes: attrs, startTime: startTime ?? nowMs() }, ctx), this);
  }

  withSpan<T>(span: SpanHandle, fn: () => T): T {
    return span instanceof Handle ? this.current.run(span, fn) : fn();
  }

  record(metric: string, value: number, attributes?: Attributes, timeMs?: number): void {
    try {
      if (!Number.isFinite(value)) return;
      const spec = this.specs.get(metric);
      if (spec?.timed) {
        this.timed.add(spec, value, this.safe(attributes ?? NO_ATTRIBUTES), timeMs !== undefined && Number.isFinite(timeMs) ? timeMs : nowMs());
        return;
      }
      if (spec?.kind === 'histogram') {
        const key = attributes ?? NO_ATTRIBUTES;
        this.d.histograms.record(spec, value, key, () => this.safe(attributes));
        return;
      }
      const inst = this.instrument(metric);
      if (!inst) return;
      const attrs = this.safe(attributes);
      this.d.snapshot?.note(spec!, value, attrs);
      if (inst.kind === 'gauge') inst.i.record(value, attrs);
      else inst.i.add(value, attrs);
    } catch (e) {
      this.d.debug(`cannot record ${metric}: ${e}`);
    }
  }

  /** The hot path: one WeakMap lookup, a bucket search, and a span only when sampled. */
  inference(seconds: number, attributes: Attributes, error?: unknown, startTimeMs?: number): void {
    try {
      let h = this.hot.get(attributes);
      if (!h) {
        h = { series: this.d.histograms.seriesFor(this.inferenceSpec, this.safe(attributes)), total: 0, since: 0, lastSpanAt: -Infinity };
        this.hot.set(attributes, h);
      }
      if (Number.isFinite(seconds)) Histograms.add(h.series, seconds);
      h.total++;
      h.since++;
      const end = startTimeMs !== undefined ? startTimeMs + seconds * 1000 : performance.now();
      if (error === undefined && h.total > SAMPLE_FIRST && end - h.lastSpanAt < SAMPLE_INTERVAL_MS) return;
      const every = h.since; // calls this span stands for
      h.since = 0;
      h.lastSpanAt = end;
      const start = performance.timeOrigin + end - seconds * 1000;
      const span = this.startSpan('ml.inference', { ...attributes, 'ml.inference.sampled_every': every }, undefined, start) as Handle;
      if (error !== undefined) this.markError(span.span, error);
      span.span.end(start + seconds * 1000);
    } catch (e) {
      this.d.debug(`cannot record an inference: ${e}`);
    }
  }

  onCollect(collect: () => void): () => void {
    const fn = () => collect();
    this.collectors.add(fn);
    return () => void this.collectors.delete(fn);
  }

  /** Runs the `onCollect` functions: right before each metrics collection and the exit snapshot. Never throws. */
  collect(): void {
    for (const fn of this.collectors) {
      try { fn(); } catch (e) { this.d.debug(`a metrics collector failed: ${e}`); }
    }
  }

  countError(error: unknown): void {
    this.record('ml.errors', 1, { 'error.type': errorType(error) });
  }

  modelName(idOrPath: unknown): string | undefined {
    try {
      return this.d.modelName(idOrPath);
    } catch {
      return undefined;
    }
  }

  debug(message: string): void {
    this.d.debug(message);
  }

  /** The `uncaught_exception` span of a crash: always with its exception event. */
  recordFatal(error: unknown, origin: string): void {
    const span = this.startSpan('uncaught_exception', { 'exception.origin': origin }) as Handle;
    this.markError(span.span, error, true);
    span.end();
  }

  /** Status ERROR always; the exception event only within the per-type budget. */
  markError(span: Span, error: unknown, force = false): void {
    const attrs = errorAttributes(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: attrs['exception.message'] });
    this.countError(error);
    if (force || this.withinErrorBudget(attrs['exception.type'])) span.addEvent('exception', attrs as unknown as OtelAttributes, nowMs());
  }

  private withinErrorBudget(type: string): boolean {
    const now = Date.now();
    let b = this.errorEvents.get(type);
    if (!b || now - b.windowStart > 60_000) this.errorEvents.set(type, (b = { windowStart: now, count: 0 }));
    return ++b.count <= ERROR_EVENTS_PER_MINUTE;
  }

  private instrument(name: string): Instrument | undefined {
    let inst = this.instruments.get(name);
    if (inst) return inst;
    const spec = this.specs.get(name);
    if (!spec) {
      this.d.debug(`metric ${name} is not in the catalog; not recorded`);
      return undefined;
    }
    const o = { unit: spec.unit, description: spec.description };
    if (spec.kind === 'gauge') inst = { kind: 'gauge', i: this.d.meter.createGauge(name, o) };
    else if (spec.kind === 'counter') inst = { kind: 'counter', i: this.d.meter.createCounter(name, o) };
    else return undefined; // histograms go to deps.histograms
    this.instruments.set(name, inst);
    return inst;
  }
}
