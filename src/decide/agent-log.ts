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
