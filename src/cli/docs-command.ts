// `telemetry-agent docs <description.json> [-o FILE]`
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateDescription, type TelemetryDescription } from '../api/description.js';
import { examplePayload } from './example-payload.js';
import { renderTelemetryPage } from './telemetry-page.js';

/** dist/api.cjs beside this CLI bundle: the example payload comes from the agent as shipped. */
function apiBundle(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'api.cjs');
}

/** Exit code: 0 printed or written, 2 when the file cannot be read or the description is invalid. */
export function runDocs(file: string, output: string | undefined, print: (s: string) => void, problem: (line: string) => void): number {
  let description: unknown;
  try {
    description = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    problem(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `is not valid JSON (${(e as Error).message})`}; give the JSON form of the description your tool passes to start()`);
    return 2;
  }
  const errors = validateDescription(description);
  if (errors.length > 0) {
    for (const e of errors) problem(`${file}: ${e}`);
    return 2;
  }
  const d = description as TelemetryDescription;
  const page = renderTelemetryPage(d, examplePayload(d, apiBundle()));
  if (output) {
    writeFileSync(output, page);
    print(`wrote ${output} (${Buffer.byteLength(page)} bytes)`);
  } else {
    print(page);
  }
  return 0;
}
