// Planted secrets pushed through real processes never leave them: not on the wire, not in inspect
// output, at any recording site (see test/fixtures/apps/planted-errors.mjs and planted-crash.mjs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDACT_CORPUS, PLANTED_HOME, type CorpusRow } from '../protect/redact-corpus.js';
import { TestReceiver, attr } from '../helpers/otlp-test-receiver.js';
import { REPO, cleanEnv, runNode, tempHome } from '../helpers/run-node.js';

// host-name rows need the process to run on that host (os.hostname()); the unit tests cover them
// with a fixed context. The user-name and home rows work here: HOME is the planted home, whose
// last segment is the planted user name.
const ROWS = REDACT_CORPUS.filter((r) => r.category !== 'host-name');

let rx: TestReceiver;
beforeAll(async () => { rx = await TestReceiver.start(); });
afterAll(async () => { await rx.close(); });

function envFor(home: string, extra: Record<string, string> = {}) {
  const base = cleanEnv(home, { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, TELEMETRY_AGENT_ENABLED: '1', ...extra });
  // os.homedir() reads HOME: plant it; config and cache stay in a writable temp dir.
  return { ...base, HOME: PLANTED_HOME };
}

function corpusFile(rows: readonly CorpusRow[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'corpus-')), 'rows.json');
  writeFileSync(file, JSON.stringify(rows));
  return file;
}

/** Each leaked row with where it was seen (the wire is JSON: compare with the JSON-escaped secret too). */
function leaks(rows: readonly CorpusRow[], ...texts: string[]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    for (const needle of new Set([row.secret, JSON.stringify(row.secret).slice(1, -1)])) {
      for (const t of texts) {
        const i = t.indexOf(needle);
        if (i >= 0) out.push(`${row.category}/${row.label}: …${t.slice(Math.max(0, i - 120), i + needle.length + 40)}…`);
      }
    }
  }
  return out;
}

/** Rows in chunks whose joined templates fit in one exception message (4 KiB cap) with room to spare. */
function chunks(rows: readonly CorpusRow[], max = 2500): CorpusRow[][] {
  const out: CorpusRow[][] = [[]];
  let size = 0;
  for (const row of rows) {
    if (size + row.template.length > max && out[out.length - 1].length > 0) { out.push([]); size = 0; }
    out[out.length - 1].push(row);
    size += row.template.length + 1;
  }
  return out;
}

/** Runs `fn` over `items`, `width` at a time; the first failure stops new runs (and is thrown once all have ended). */
async function inPool<T>(items: T[], width: number, fn: (t: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const failures: unknown[] = [];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let t = queue.shift(); t !== undefined && failures.length === 0; t = queue.shift()) {
      try { await fn(t); } catch (e) { failures.push(e); }
    }
  }));
  if (failures.length > 0) throw failures[0];
}

describe('planted-secret corpus through real processes', () => {
  it(`none of ${ROWS.length} planted secrets leaves through progress, recordUsage, withErrorTelemetry, tfjs, onnxruntime or inspect`, async () => {
    const home = tempHome();
    const inspect = join(home, 'inspect.log');
    const before = rx.received.length;
    const r = await runNode(['--import', 'telemetry-agent', join(REPO, 'test/fixtures/apps/planted-errors.mjs')], {
      env: envFor(home, { CORPUS_FILE: corpusFile(ROWS), TELEMETRY_AGENT_INSPECT: '1', TELEMETRY_AGENT_INSPECT_FILE: inspect }),
      timeoutMs: 180_000,
    });
    expect(r.stdout).toBe('planted all\n');
    expect(r.code).toBe(0);
    await rx.waitFor(() => rx.received.slice(before).some((g) => g.body.includes('"ml.errors"')) && rx.received.slice(before).some((g) => g.body.includes('ml.model.load')), 15_000);
    const got = new TestReceiver();
    got.received.push(...rx.received.slice(before));
    expect(leaks(ROWS, got.allBytes(), readFileSync(inspect, 'utf8'))).toEqual([]);

    const spans = got.spans();
    // Every site recorded something (so the corpus really went through it).
    const failedTrain = spans.filter((s) => s.name === 'ml.train' && s.status?.code === 2);
    expect(failedTrain.filter((s) => attr(s.attributes, 'ml.framework') === 'custom').length).toBe(ROWS.length);
    const fitErrors = failedTrain.filter((s) => attr(s.attributes, 'ml.framework') === 'tfjs');
    expect(fitErrors.length).toBe(ROWS.length + 1);
    expect(attr(fitErrors[0].events[0].attributes, 'exception.type')).toBe('RangeError');
    // The one error tfjs raised itself: its own name (ValueError), and dependency frames kept.
    const tfjsError = fitErrors.find((s) => s.events.length > 0 && attr(s.events[0].attributes, 'exception.type') !== 'RangeError');
    expect(attr(tfjsError.events[0].attributes, 'exception.type')).toBe('ValueError');
    const tfjsStack = attr(tfjsError.events[0].attributes, 'exception.stacktrace');
    expect(tfjsStack).toMatch(/^ValueError: /);
    expect(tfjsStack).toMatch(/at .* \(node_modules\/@tensorflow\/tfjs-layers\/dist\/[\w./-]+:\d+:\d+\)/);
    // The app's own frames: a salted hash of the file with line:col, never its name.
    expect(tfjsStack).not.toContain('planted-errors');
    // recordUsage without a declared event sends nothing of it (strings are never free text): counted only.
    expect(spans.filter((s) => s.name === 'usage').length).toBe(0);
    const dropped = got.metrics().filter((m) => m.name === 'telemetry_agent.usage.dropped').flatMap((m) => m.sum.dataPoints);
    expect(Math.max(...dropped.filter((p: any) => attr(p.attributes, 'usage.dropped.reason') === 'undeclared_event').map((p: any) => Number(p.asInt ?? p.asDouble)))).toBe(ROWS.length * 2);
    expect(spans.filter((s) => s.name === 'ml.inference' && s.status?.code === 2).length).toBeGreaterThan(0);
    expect(spans.filter((s) => s.name === 'ml.model.load' && s.status?.code === 2).length).toBeGreaterThan(0);
    const errors = got.metrics().filter((m) => m.name === 'ml.errors').flatMap((m) => m.sum.dataPoints);
    expect(errors.some((p: any) => attr(p.attributes, 'error.type') === 'SyntaxError')).toBe(true);
  }, 240_000);

  it('none leaves through uncaught exceptions, unhandled rejections or worker crashes', async () => {
    const runs = (['throw', 'reject', 'worker'] as const).flatMap((mode) => chunks(ROWS).map((rows) => ({ mode, rows })));
    const expectedType = { throw: 'TypeError', reject: 'RangeError', worker: 'URIError' };
    await inPool(runs, 2, async ({ mode, rows }) => {
      const home = tempHome();
      const before = rx.received.length;
      const inspect = join(home, 'inspect.log');
      const r = await runNode(['--import', 'telemetry-agent', join(REPO, 'test/fixtures/apps/planted-crash.mjs'), mode], {
        env: envFor(home, { CORPUS_FILE: corpusFile(rows), TELEMETRY_AGENT_INSPECT: '1', TELEMETRY_AGENT_INSPECT_FILE: inspect, OTEL_SERVICE_NAME: `crash-${mode}-${rows[0].label}` }),
        timeoutMs: 60_000,
      });
      expect(r.code).toBe(1);
      // The crash span arrives through the detached exit sender.
      const mine = () => rx.received.slice(before).filter((g) => g.body.includes(`crash-${mode}-${rows[0].label}`));
      await rx.waitFor(() => mine().some((g) => g.body.includes('uncaught_exception')), 20_000);
      const got = new TestReceiver();
      got.received.push(...mine());
      expect(leaks(rows, got.allBytes(), readFileSync(inspect, 'utf8'))).toEqual([]);
      const crash = got.spans().filter((s) => s.name === 'uncaught_exception');
      expect(crash).toHaveLength(1);
      expect(attr(crash[0].events[0].attributes, 'exception.type')).toBe(expectedType[mode]);
      // The message was carried (redacted), not dropped.
      expect(attr(crash[0].events[0].attributes, 'exception.message').length).toBeGreaterThan(20);
    });
  }, 300_000);

  it("a tfjs ValueError for a relative model path crashes as ValueError, without the path", async () => {
    const home = tempHome();
    const before = rx.received.length;
    const dir = 'runs/zz-model-dir-7731';
    const r = await runNode(['--import', 'telemetry-agent', join(REPO, 'test/fixtures/apps/planted-crash.mjs'), 'tfjs-save'], {
      env: envFor(home, { CORPUS_FILE: corpusFile([]), MODEL_DIR: dir, OTEL_SERVICE_NAME: 'crash-tfjs-save' }),
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Cannot find any save handlers for URL '${dir}/model'`); // the app's own output is unchanged
    const mine = () => rx.received.slice(before).filter((g) => g.body.includes('crash-tfjs-save'));
    await rx.waitFor(() => mine().some((g) => g.body.includes('uncaught_exception')), 20_000);
    const got = new TestReceiver();
    got.received.push(...mine());
    expect(got.allBytes()).not.toContain('zz-model-dir-7731');
    const ev = got.spans().find((s) => s.name === 'uncaught_exception').events[0];
    expect(attr(ev.attributes, 'exception.type')).toBe('ValueError');
    expect(attr(ev.attributes, 'exception.message')).toMatch(/^Cannot find any save handlers for URL '<path:[0-9a-f]{8}>'$/);
  }, 120_000);
});

describe('crashes', () => {
  for (const mode of ['throw', 'reject']) {
    it(`an uncaught ${mode} keeps stderr byte for byte and the exit code; the span arrives on the next run`, async () => {
      const app = join(REPO, 'test/fixtures/apps/crash.mjs');
      const home = tempHome();
      const bare = await runNode([app, mode], { env: cleanEnv(home, { PLANTED: 'zz-planted' }) });
      const before = rx.received.length;
      const env = cleanEnv(home, { PLANTED: 'zz-planted', OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, TELEMETRY_AGENT_ENABLED: '1', TELEMETRY_AGENT_EXIT_SENDER: '0' });
      const withAgent = await runNode(['--import', 'telemetry-agent', app, mode], { env });
      expect(withAgent.code).toBe(bare.code);
      expect(withAgent.code).toBe(1);
      expect(withAgent.stdout).toBe(bare.stdout);
      expect(withAgent.stderr).toBe(bare.stderr);
      await new Promise((r) => setTimeout(r, 200));
      expect(rx.received.slice(before).some((g) => g.body.includes('uncaught_exception'))).toBe(false);
      // The next run of any app delivers it from the queue.
      await runNode(['--import', 'telemetry-agent', join(REPO, 'test/fixtures/apps/trivial.mjs')], { env });
      await rx.waitFor(() => rx.received.slice(before).some((g) => g.body.includes('uncaught_exception')));
      const body = rx.received.slice(before).map((g) => g.body.toString()).join('');
      expect(body).not.toContain('zz-planted');
      expect(body).toContain(mode === 'throw' ? 'TypeError' : 'RangeError');
    });
  }
});
