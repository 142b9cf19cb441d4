// Entry of dist/runtime.cjs: the OpenTelemetry pipeline and the library instrumentations,
// bundled into one file and loaded only when telemetry is on (or inspected) in the main process.
import { Agent, type AgentInit } from './deliver/agent.js';
import { instrumentModule } from './collect/instrumentations/apply.js';
import type { RunningAgent } from './state.js';

export function createAgent(init: AgentInit): RunningAgent {
  const agent = new Agent(init);
  return Object.assign(agent, {
    instrument: (pkg: string, exports: unknown, file: string | undefined) => instrumentModule(pkg, exports, file, () => agent.signals),
  });
}
