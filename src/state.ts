import type { Decision, StartOptions } from './decide/decision.js';
import type { Signals } from './collect/signals.js';

/** What the API needs from the running pipeline (implemented by deliver/agent.ts). */
export interface RunningAgent {
  readonly signals: Signals;
  setService(name: string | undefined, version: string | undefined): void;
  flush(timeoutMs?: number): Promise<void>;
  shutdown(): Promise<void>;
  /** Exit path: ends open spans and exports everything within the flush bound. */
  flushForExit(): Promise<void>;
  /** After a signal the app handles: exports without keeping the process alive. */
  flushWhileRunning(): Promise<void>;
  /** Exit path, synchronous: queues everything not delivered. */
  queueRemainingSync(): void;
  /** Records the `uncaught_exception` span; the exit path queues and sends it. */
  recordFatal(error: unknown, origin: string): void;
  /** Wraps a watched package's freshly loaded exports with its instrumentations. */
  instrument(pkg: string, exports: unknown, file: string | undefined): void;
}

/** What the exit hooks need: the pipeline, or the short-run exit path (deliver/short-run.ts). */
export type ExitExporter = Pick<RunningAgent, 'flushForExit' | 'queueRemainingSync'>;

/** Shared by every copy of the agent in the process (ESM preload, CJS preload, API): one per process. */
export interface AgentState {
  readonly decision: Decision;
  readonly options: StartOptions;
  /** Loads the pipeline on first use; undefined while telemetry is off or after a failure. */
  agent(): RunningAgent | undefined;
  /** The pipeline if it was started, without starting it. */
  peek(): RunningAgent | undefined;
  /**
   * At exit: the pipeline if it runs; else the short-run exit path when it applies; else the
   * pipeline, started now. Undefined while telemetry is off.
   */
  exporter(): ExitExporter | undefined;
}

const KEY = Symbol.for('telemetry-agent.state');

export function getState(): AgentState | undefined {
  return (globalThis as Record<symbol, AgentState | undefined>)[KEY];
}

export function setState(s: AgentState): void {
  (globalThis as Record<symbol, AgentState | undefined>)[KEY] = s;
}
