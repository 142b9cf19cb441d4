import type { Signals } from '../signals.js';

/**
 * One library instrumentation, the same shape for every library (like the packages of
 * opentelemetry-js-contrib). Adding a library means adding one file that exports one of
 * these and listing it in ./index.ts.
 */
export interface Instrumentation {
  /** Stable id, used in debug lines. */
  readonly id: string;
  /** The package (and module files) whose exports are patched when loaded. */
  readonly modules: ReadonlyArray<{
    /** npm package name, e.g. `@tensorflow/tfjs-layers`. */
    readonly package: string;
    /** semver range of supported versions, e.g. `>=4.0.0 <5`. */
    readonly versions: string;
    /** Which loader delivers its exports: CommonJS `require` (also used for CJS packages imported from ESM) or ESM. */
    readonly format: 'cjs' | 'esm';
  }>;
  /** Patches the module's exports in place. Must be idempotent and never throw. */
  wrap(exports: unknown, signals: () => Signals, packageVersion: string): void;
  /** Restores the originals. */
  unwrap(exports: unknown): void;
}
