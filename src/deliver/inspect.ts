import { appendFileSync } from 'node:fs';

/**
 * TELEMETRY_AGENT_INSPECT: prints each payload exactly as it goes on the wire (after redaction),
 * one header line and one body line. Synchronous so nothing is lost at exit.
 */
export function createInspector(file: string | undefined, debug: (m: string) => void): (header: string, body: string) => void {
  return (header, body) => {
    const text = `[telemetry-agent inspect] ${header}\n${body}\n`;
    try {
      if (file) appendFileSync(file, text);
      else process.stderr.write(text);
    } catch (e) {
      debug(`cannot write inspect output to ${file ?? 'stderr'} (${e})`);
    }
  };
}
