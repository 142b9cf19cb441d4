import { consentRevoked, decide, type Decision, type StartOptions } from './decide/decision.js';
import { noticeDue, showNoticeOnce } from './decide/notice.js';
import { AGENT_PRODUCT, legacyQueueDir } from './decide/paths.js';
import { deleteQueuedData } from './decide/delete-queue.js';
import { markChildren } from './decide/process-role.js';
import { unsupportedRuntimeReason } from './decide/runtime-support.js';
import { INSTRUMENTED_PACKAGES } from './collect/instrumentations/packages.js';
import { installHooks } from './collect/instrumentations/hooks.js';
import { installExitHooks } from './deliver/exit-hooks.js';
import { getState, setState, type AgentState, type ExitExporter, type RunningAgent } from './state.js';
import { PIPELINE_DELAY_MS, shortRunPossible } from './deliver/short-run-policy.js';
import { AGENT_VERSION, SDK_VERSION } from './version.js';
import { readLogLevel } from './decide/export-config.js';
import { debugWriter } from './decide/agent-log.js';
import { maskSecretsInText } from './decide/mask-secrets.js';
import { join } from 'node:path';

const say = (line: string) => {
  try { process.stderr.write(`telemetry-agent: ${maskSecretsInText(line)}\n`); } catch { /* stderr closed */ }
};

/**
 * The decision path, run once per process by the preload or by start(): decide, explain,
 * and only when telemetry is on in the main process, hook the instrumented libraries and
 * schedule the pipeline. Never throws.
 */
export function boot(options: StartOptions = {}): AgentState | undefined {
  try {
    const existing = getState();
    if (existing) {
      existing.agent()?.setService(options.serviceName, options.serviceVersion);
      return existing;
    }
    const unsupported = unsupportedRuntimeReason();
    if (unsupported) {
      say(`disabled: ${unsupported}. The app runs without telemetry.`);
      return undefined;
    }
    const decision = decide(process.env, options, ownCliPath);
    const state = createState(decision, options);
    setState(state);
    if (decision.consent.sdkDisabled) return state;
    if (consentRevoked(decision.consent)) {
      // Revoking consent deletes this product's queued data (and only this product's).
      deleteQueuedData(decision.paths.queueDir);
      if (decision.product === AGENT_PRODUCT) deleteQueuedData(legacyQueueDir());
    }
    // The common "off" case returns here without working out the process role.
    const notice = noticeDue(decision);
    const mayAct = decision.consent.granted || decision.inspect || decision.consent.problems.length > 0 || notice;
    if (!mayAct || !decision.role.main) return state;

    // OTEL_LOG_LEVEL=none or error silences the agent's own warnings (configuration problems).
    const level = readLogLevel(process.env);
    if (level !== 'none' && level !== 'error') for (const p of decision.problems) say(p);
    if (notice) showNoticeOnce(decision, options);
    if (!decision.active) return state;

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
    return state;
  } catch (e) {
    say(`disabled after an internal error (${e}). The app runs without telemetry; please report this.`);
    return undefined;
  }
}

function createState(decision: Decision, options: StartOptions): AgentState & { startPipelineIn(ms: number): void } {
  let agent: RunningAgent | undefined;
  let failed = false;
  let shortRun: ExitExporter | undefined;
  let shortRunChecked = false;
  let timer: NodeJS.Timeout | undefined;
  const init = { decision, options, agentVersion: AGENT_VERSION, sdkVersion: SDK_VERSION };
  return {
    decision,
    options,
    peek: () => agent,
    startPipelineIn(ms) {
      timer = setTimeout(() => this.agent(), ms);
      timer.unref();
    },
    exporter() {
      if (shortRun) return shortRun;
      if (agent || !decision.active) return agent;
      if (!shortRunChecked) {
        shortRunChecked = true;
        // Exiting: the pipeline is built now or never (a flush outliving the delay must not start it).
        clearTimeout(timer);
        if (shortRunPossible(decision)) {
          try {
            shortRun = (require('./short-run.cjs') as typeof import('./entries/short-run.js')).createShortRunExit(init);
          } catch (e) {
            debugWriter(decision.config.debug)(`short-run exit path failed (${e}); using the pipeline`);
          }
        }
      }
      return shortRun ?? this.agent();
    },
    agent() {
      if (agent || failed || !decision.active) return agent;
      try {
        const runtime = require('./runtime.cjs') as typeof import('./entries/runtime.js');
        agent = runtime.createAgent(init);
      } catch (e) {
        failed = true;
        say(`disabled after an internal error while starting (${e}). The app runs without telemetry.`);
      }
      return agent;
    },
  };
}

/** This package's CLI, which stays passive under a preload like a package manager does. */
function ownCliPath(): string | undefined {
  return typeof __dirname === 'string' ? join(__dirname, 'cli.mjs') : undefined;
}
