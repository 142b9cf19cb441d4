import { appendFileSync } from 'node:fs';
import { maskSecretsInText } from '../decide/mask-secrets.js';

/**
 * TELEMETRY_AGENT_INSPECT: prints each payload exactly as it goes on the wire (after redaction),
 * one header line and one body line. Synchronous so nothing is lost at exit. The console exporter
 * (OTEL_{TRACES,METRICS}_EXPORTER=console) prints the same way, to stderr so the app's stdout
 * stays the app's.
 */
export function createInspector(file: string | undefined, debug: (m: string) => void, label = 'inspect'): (header: string, body: string) => void {
  return (header, body) => {
    // The header names the destination: never with its credentials.
    const text = `[telemetry-agent ${label}] ${maskSecretsInText(header)}\n${body}\n`;
    try {
      if (file) appendFileSync(file, text);
      else process.stderr.write(text);
    } catch (e) {
      debug(`cannot write inspect output to ${file ?? 'stderr'} (${e})`);
    }
  };
}
