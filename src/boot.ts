import { consentRevoked, decideWith, type ConfigReader, type Decision, type StartOptions } from './decide/lazy-decision.js';
import { noticeDue } from './decide/notice.js';
import { AGENT_PRODUCT, legacyQueueDir } from './decide/paths.js';
import { deleteQueuedData } from './decide/delete-queue.js';
import { unsupportedRuntimeReason } from './decide/runtime-support.js';
import { debugWriter, say } from './decide/agent-log.js';
import { getState, setState, type AgentState, type ExitExporter, type RunningAgent } from './state.js';
import { shortRunPossible } from './deliver/short-run-policy.js';
import { AGENT_VERSION, SDK_VERSION } from './version.js';
import type { Activation } from './boot-active.js';
import { join } from 'node:path';

/**
 * The decision path, run once per process by the preload or by start(): decide, explain,
 * and only when telemetry is on in the main process, hook the instrumented libraries and
 * schedule the pipeline. Never throws.
 *
 * What happens after "telemetry may act" (boot-active.ts), and the export settings, come from
 * `activation`: the preload loads them from a second bundle only then, so the common "off" start
 * parses about half the code (the API passes them in directly).
 */
export function boot(options: StartOptions, activation: () => Activation): AgentState | undefined {
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
    let loaded: Activation | undefined;
    const load = () => (loaded ??= activation());
    const readConfig: ConfigReader = (env, problems, overrides) => load().readExportConfig(env, problems, overrides);
    const decision = decideWith(readConfig, process.env, options, ownCliPath);
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
    load().activate(state, options, notice);
    return state;
  } catch (e) {
    say(`disabled after an internal error (${e}). The app runs without telemetry; please report this.`);
    return undefined;
  }
}

/** The process's agent state: the pipeline and the short-run exit path, each loaded on first use. */
export type BootState = AgentState & {
  /** Creates the pipeline `ms` from now (unless the exit came first). */
  startPipelineIn(ms: number): void;
};

function createState(decision: Decision, options: StartOptions): BootState {
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
