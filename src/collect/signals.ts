// What instrumentations and the public API record through. The implementation lives in
// deliver/ and is loaded only when telemetry is on; everything here is types, so importing
// this file costs nothing on the start-up path.

export type AttributeValue = string | number | boolean | string[] | number[];
export type Attributes = Record<string, AttributeValue | undefined>;

export interface SpanHandle {
  setAttributes(attributes: Attributes): void;
  /** Sets status ERROR and adds a redacted `exception` event. Never throws. */
  recordError(error: unknown): void;
  /** Adds an event (a catalog SPAN_EVENTS name) with allow-listed, redacted attributes, now. Never throws. */
  addEvent(name: string, attributes?: Attributes): void;
  end(): void;
}

export interface Signals {
  /** Starts a span. `parent` defaults to the span made current with `withSpan`, if any. */
  startSpan(name: string, attributes?: Attributes, parent?: SpanHandle): SpanHandle;
  /** Runs `fn` with `span` as the current parent for spans started inside it (sync or async). */
  withSpan<T>(span: SpanHandle, fn: () => T): T;
  /**
   * Records a value on a metric from the catalog (gauge: last value, counter: add, histogram:
   * record). `timeMs` (epoch milliseconds) is when a `timed` gauge's value was observed: each such
   * value is its own data point.
   */
  record(metric: string, value: number, attributes?: Attributes, timeMs?: number): void;
  /**
   * Calls `collect` right before every metrics export (and the exit snapshot): hot paths keep
   * plain numbers, and record them only then. Returns what unregisters it.
   */
  onCollect(collect: () => void): () => void;
  /** Records an inference call: always the histogram; a span only when sampled. Hot path. */
  inference(seconds: number, attributes: Attributes, error?: unknown, startTimeMs?: number): void;
  /** Counts an error in `ml.errors` (rate-limited per type). */
  countError(error: unknown): void;
  /** Turns a model path or id into what may be sent: public id, or a salted hash. */
  modelName(idOrPath: unknown): string | undefined;
  /** Debug line to stderr when TELEMETRY_AGENT_DEBUG is set. */
  debug(message: string): void;
}
