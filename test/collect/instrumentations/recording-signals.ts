// A recording implementation of our own `Signals` facade (not a mock of any ML library): the
// instrumentation tests run the real libraries and look at what was recorded through it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { DEFAULT_PUBLIC_MODEL_ORGS, METRIC_NAMES, SIGNAL_ATTRIBUTE_KEYS, SPAN_EVENT_NAMES, SPAN_NAMES } from '../../../src/catalog.js';
import type { Attributes, Signals, SpanHandle } from '../../../src/collect/signals.js';
import { isGenAiSpanName } from '../../../src/genai-conventions.js';

export interface RecordedSpan extends SpanHandle {
  readonly id: number;
  readonly name: string;
  readonly attributes: Attributes;
  readonly parent: RecordedSpan | undefined;
  readonly errors: unknown[];
  readonly events: Array<{ name: string; attributes: Attributes }>;
  ended: boolean;
  endCount: number;
}

export interface RecordedMetric {
  metric: string;
  value: number;
  attributes: Attributes;
  /** The point's own time, for timed gauges. */
  timeMs: number | undefined;
}

export interface RecordedInference {
  seconds: number;
  attributes: Attributes;
  error: unknown;
  startTimeMs: number | undefined;
  /** The current span (withSpan) when the inference was recorded. */
  current: RecordedSpan | undefined;
}

export class RecordingSignals implements Signals {
  readonly spans: RecordedSpan[] = [];
  readonly metrics: RecordedMetric[] = [];
  readonly inferences: RecordedInference[] = [];
  readonly countedErrors: unknown[] = [];
  readonly debugLines: string[] = [];
  readonly collectors = new Set<() => void>();
  private readonly current = new AsyncLocalStorage<RecordedSpan>();
  private nextId = 1;

  startSpan(name: string, attributes?: Attributes, parent?: SpanHandle): SpanHandle {
    const owner = this;
    const span: RecordedSpan = {
      id: this.nextId++,
      name,
      attributes: { ...(attributes ?? {}) },
      parent: (parent as RecordedSpan | undefined) ?? this.current.getStore(),
      errors: [],
      events: [],
      ended: false,
      endCount: 0,
      setAttributes(a: Attributes) {
        Object.assign(this.attributes, a);
      },
      recordError(error: unknown) {
        this.errors.push(error);
        owner.countedErrors.push(error); // like the real facade: recordError also counts
      },
      addEvent(eventName: string, a?: Attributes) {
        this.events.push({ name: eventName, attributes: { ...(a ?? {}) } });
      },
      end() {
        this.ended = true;
        this.endCount++;
      },
    };
    this.spans.push(span);
    return span;
  }

  withSpan<T>(span: SpanHandle, fn: () => T): T {
    return this.current.run(span as RecordedSpan, fn);
  }

  record(metric: string, value: number, attributes?: Attributes, timeMs?: number): void {
    this.metrics.push({ metric, value, attributes: { ...(attributes ?? {}) }, timeMs });
  }

  onCollect(collect: () => void): () => void {
    const fn = () => collect();
    this.collectors.add(fn);
    return () => void this.collectors.delete(fn);
  }

  /** What the agent does right before each export: runs the onCollect functions. */
  collect(): void {
    for (const fn of this.collectors) fn();
  }

  inference(seconds: number, attributes: Attributes, error?: unknown, startTimeMs?: number): void {
    this.inferences.push({ seconds, attributes, error, startTimeMs, current: this.current.getStore() });
    if (error !== undefined) this.countedErrors.push(error);
  }

  countError(error: unknown): void {
    this.countedErrors.push(error);
  }

  modelName(idOrPath: unknown): string | undefined {
    if (typeof idOrPath !== 'string') return undefined;
    const org = idOrPath.split('/')[0]!;
    if (!idOrPath.includes(':') && !idOrPath.startsWith('/') && !idOrPath.startsWith('.') && idOrPath.split('/').length === 2 && DEFAULT_PUBLIC_MODEL_ORGS.includes(org)) {
      return idOrPath;
    }
    return `sha256:${createHash('sha256').update(`salt:${idOrPath}`).digest('hex').slice(0, 16)}`;
  }

  debug(message: string): void {
    this.debugLines.push(message);
  }

  // helpers -----------------------------------------------------------------------------------

  spansNamed(name: string): RecordedSpan[] {
    return this.spans.filter((s) => s.name === name);
  }

  metricValues(metric: string, filter?: Attributes): number[] {
    return this.metrics
      .filter((m) => m.metric === metric && Object.entries(filter ?? {}).every(([k, v]) => m.attributes[k] === v))
      .map((m) => m.value);
  }

  /** Every attribute key / span name / metric name used that the catalog does not list. */
  unknownNames(): string[] {
    const bad = new Set<string>();
    const keys = (a: Attributes) => Object.keys(a).filter((k) => a[k] !== undefined);
    for (const s of this.spans) {
      if (!SPAN_NAMES.includes(s.name) && !isGenAiSpanName(s.name, s.attributes)) bad.add(`span ${s.name}`);
      for (const k of keys(s.attributes)) if (!SIGNAL_ATTRIBUTE_KEYS.includes(k)) bad.add(`attribute ${k}`);
      for (const e of s.events) {
        if (!SPAN_EVENT_NAMES.includes(e.name)) bad.add(`event ${e.name}`);
        for (const k of keys(e.attributes)) if (!SIGNAL_ATTRIBUTE_KEYS.includes(k)) bad.add(`attribute ${k}`);
      }
    }
    for (const m of this.metrics) {
      if (!METRIC_NAMES.includes(m.metric)) bad.add(`metric ${m.metric}`);
      for (const k of keys(m.attributes)) if (!SIGNAL_ATTRIBUTE_KEYS.includes(k)) bad.add(`attribute ${k}`);
    }
    for (const i of this.inferences) for (const k of keys(i.attributes)) if (!SIGNAL_ATTRIBUTE_KEYS.includes(k)) bad.add(`attribute ${k}`);
    return [...bad];
  }

  /** All string values recorded anywhere (to check that no path leaks). */
  allStrings(): string[] {
    const out: string[] = [];
    const add = (a: Attributes) => {
      for (const v of Object.values(a)) {
        if (typeof v === 'string') out.push(v);
        else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') out.push(x);
      }
    };
    for (const s of this.spans) add(s.attributes);
    for (const m of this.metrics) add(m.attributes);
    for (const i of this.inferences) add(i.attributes);
    return out;
  }

  reset(): void {
    this.spans.length = 0;
    this.metrics.length = 0;
    this.inferences.length = 0;
    this.countedErrors.length = 0;
    this.debugLines.length = 0;
  }
}

/** A facade whose every method throws: instrumentations must keep the app working. */
export function throwingSignals(): Signals {
  const boom = (): never => {
    throw new Error('facade failure');
  };
  return {
    startSpan: boom,
    withSpan: boom,
    record: boom,
    onCollect: boom,
    inference: boom,
    countError: boom,
    modelName: boom,
    debug: boom,
  };
}
