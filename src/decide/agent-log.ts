import type { LogLevel } from './export-config.js';
import { maskSecretsInText } from './mask-secrets.js';

/**
 * The agent's debug lines (TELEMETRY_AGENT_DEBUG=1 or OTEL_LOG_LEVEL=debug): every line passes
 * the configuration-secret mask, because debug lines quote endpoints. A no-op when off.
 */
export function debugWriter(enabled: boolean, prefix = 'telemetry-agent debug: '): (m: string) => void {
  if (!enabled) return () => {};
  return (m) => {
    try { process.stderr.write(`${prefix}${maskSecretsInText(m)}\n`); } catch { /* closed stderr */ }
  };
}

/** One line of the agent's own on stderr, masked: what the preload says whatever the log level. */
export function say(line: string): void {
  try { process.stderr.write(`telemetry-agent: ${maskSecretsInText(line)}\n`); } catch { /* closed stderr */ }
}

/**
 * The agent's own warnings on stderr (one line each, masked). OTEL_LOG_LEVEL=none or error
 * silences them: they are warnings, and the app's stderr is the app's.
 */
export function warnWriter(level: LogLevel): (line: string) => void {
  if (level === 'none' || level === 'error') return () => {};
  return say;
}
