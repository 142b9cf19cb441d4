// Entry of dist/runtime.cjs: the OpenTelemetry pipeline, bundled into one file and loaded only
// when telemetry is on (or inspected) in the main process.
import { Agent, type AgentInit } from './deliver/agent.js';

export function createAgent(init: AgentInit): Agent {
  return new Agent(init);
}
