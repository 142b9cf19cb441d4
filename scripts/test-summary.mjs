// Prints the test totals of the last `npm test` as one plain line, for CI logs.
import { readFileSync } from 'node:fs';

try {
  const r = JSON.parse(readFileSync(new URL('../test-results/vitest.json', import.meta.url), 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
} catch (e) {
  console.log(`tests: no summary (${e.message})`);
}
