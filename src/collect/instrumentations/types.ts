import type { Attributes, Signals, SpanHandle } from '../signals.js';

// The shape every library instrumentation fills (like an `InstrumentationBase` subclass of
// opentelemetry-js-contrib): which modules it patches, for which versions, and the patch table for
// a loaded module. Hooking, version gating, patching once, unpatching and never throwing into the
// app are done for every library by ./lifecycle.ts. docs/instrumentations.md says how to add one.

export type AnyFunction = (this: unknown, ...args: any[]) => any;

export interface ModuleSpec {
  /** npm package name, e.g. `@tensorflow/tfjs-layers`. */
  readonly package: string;
  /** Supported versions, e.g. `>=4.0.0 <5` (see `satisfies`); other versions are left unpatched. */
  readonly versions: string;
  /** Which loader delivers its exports: CommonJS (also CJS packages imported from ESM) or ESM. */
  readonly format: 'cjs' | 'esm';
}

/** One row of a patch table: replace `target[method]` by `wrapper(original)`. */
export interface Patch {
  /** What debug lines call it, e.g. `LayersModel.prototype.fit`. */
  readonly label: string;
  /** The object owning the method (exports, a class, a prototype); undefined when the build lacks it. */
  readonly target: object | undefined;
  readonly method: string;
  readonly wrapper: (original: AnyFunction) => AnyFunction;
  /** Missing in some builds or versions: no debug line when it cannot be patched. */
  readonly optional?: boolean;
}

/**
 * The recording side as an instrumentation sees it: every method is safe to call from a wrapper
 * (never throws, does nothing while the agent has no pipeline). One per instrumentation instance.
 */
export interface Telemetry {
  /** The facade itself, for code that needs it whole (training runs); undefined when unavailable. */
  signals(): Signals | undefined;
  startSpan(name: string, attributes?: Attributes, parent?: SpanHandle): SpanHandle | undefined;
  /** Records `error` on the span when `failed`, then ends it. */
  endSpan(span: SpanHandle | undefined, error?: unknown, failed?: boolean): void;
  record(metric: string, value: number, attributes?: Attributes): void;
  /** The inference hot path (see Signals.inference). */
  inference(seconds: number, attributes: Attributes, error?: unknown, startTimeMs?: number): void;
  /** A model id or path as it may be sent (public id or salted hash); undefined for non-strings. */
  modelName(idOrPath: unknown): string | undefined;
  debug(message: string): void;
  /** Calls `collect` right before every metrics export (e.g. to sample a library's memory). */
  onCollect(collect: () => void): void;
}

export interface Instrumentation<State = unknown> {
  /** Stable id, used in debug lines. */
  readonly id: string;
  /** The modules whose exports are patched when loaded. */
  readonly modules: readonly ModuleSpec[];
  /**
   * State shared by the wrappers of all this instrumentation's modules (e.g. tfjs' layers and
   * core), made once per agent. Without it, `patches` gets undefined.
   */
  createState?(): State;
  /**
   * The patch table for one loaded module's exports, or a string saying why there is nothing to
   * patch. Called once per loaded module (and by unpatching, to find the targets again): state
   * the wrappers share lives in this call's closure or in `state`, never in module globals. May
   * throw; the lifecycle then leaves the module untouched with one debug line.
   */
  patches(exports: Record<string, unknown>, telemetry: Telemetry, state: State): readonly Patch[] | string;
}
