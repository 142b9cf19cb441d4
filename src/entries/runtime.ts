// Entry of dist/runtime.cjs: the OpenTelemetry pipeline, bundled into one file and loaded only
// when telemetry is on (or inspected) in the main process. The library instrumentations are a
// separate bundle, dist/instrumentations.cjs, loaded the first time a watched package is.
import { Agent, type AgentInit } from '../deliver/agent.js';
import type { RunningAgent } from '../state.js';

type InstrumentationsModule = typeof import('../collect/instrumentations/apply.js');

export function createAgent(init: AgentInit): RunningAgent {
  const agent = new Agent(init);
  let moduleLoaded: ReturnType<InstrumentationsModule['createInstrumenter']> | undefined;
  return Object.assign(agent, {
    instrument: (pkg: string, exports: unknown, file: string | undefined) => {
      moduleLoaded ??= (require('./instrumentations.cjs') as InstrumentationsModule).createInstrumenter(() => agent.signals);
      moduleLoaded(pkg, exports, file);
    },
  });
}
