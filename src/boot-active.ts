// What the preload does once telemetry may act in the main process (boot.ts decided): explain
// configuration problems, show the one-time notice, mark child processes, install the exit and
// crash hooks and the library hooks, and schedule the pipeline. Loaded by the preload from its own
// bundle (dist/active.cjs) only then; with it come the export settings' reader.
import type { Decision, StartOptions } from './decide/decision.js';
import { readExportConfig, readLogLevel } from './decide/export-config.js';
import { showNoticeOnce } from './decide/notice.js';
import { markChildren } from './decide/process-role.js';
import { debugWriter, say } from './decide/agent-log.js';
import { INSTRUMENTED_PACKAGES } from './collect/instrumentations/packages.js';
import { installHooks } from './collect/instrumentations/hooks.js';
import { installExitHooks } from './deliver/exit-hooks.js';
import { PIPELINE_DELAY_MS, shortRunPossible } from './deliver/short-run-policy.js';
import type { AgentState } from './state.js';

export interface Activation {
  readonly readExportConfig: typeof readExportConfig;
  activate(state: AgentState & { decision: Decision; startPipelineIn(ms: number): void }, options: StartOptions, notice: boolean): void;
}

export const activation: Activation = {
  readExportConfig,
  activate(state, options, notice) {
    const { decision } = state;
    // OTEL_LOG_LEVEL=none or error silences the agent's own warnings (configuration problems).
    const level = readLogLevel(process.env);
    if (level !== 'none' && level !== 'error') for (const p of decision.problems) say(p);
    if (notice) showNoticeOnce(decision, options);
    if (!decision.active) return;

    markChildren();
    // From the first line on: exit flush and signal handling (which must exist before the pipeline
    // is loaded, or an early SIGTERM would kill the process with nothing recorded)...
    installExitHooks({
      flush: () => state.exporter()?.flushForExit() ?? Promise.resolve(),
      flushWhileRunning: () => state.peek()?.flushWhileRunning() ?? Promise.resolve(),
      queueRemainingSync: () => state.exporter()?.queueRemainingSync(),
      debug: debugWriter(decision.config.debug),
    });
    // ...and crashes, observed without changing them: a monitor, not a handler.
    process.on('uncaughtExceptionMonitor', (error, origin) => {
      try { state.agent()?.recordFatal(error, origin); } catch { /* never into the app */ }
    });
    installHooks(INSTRUMENTED_PACKAGES, (pkg, exports, file) => {
      const agent = state.agent();
      if (agent) agent.instrument(pkg, exports, file);
    });
    // The pipeline loads after the app's first synchronous run, unless a library or the API needs it
    // sooner; when a short run can export without it, only once the run is no longer short.
    if (shortRunPossible(decision)) state.startPipelineIn(PIPELINE_DELAY_MS);
    else setImmediate(() => state.agent());
  },
};
