// `telemetry-agent report` on what a directory may really hold: raw U+2028 inside JSON strings,
// absurdly nested values, spans and metrics that are not ML ones, and logs.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runReport } from '../../src/report/index.js';
import { readTelemetryDir } from '../../src/report/read-telemetry-dir.js';
import { otherTelemetry } from '../../src/report/other-telemetry.js';
import { anyValue, TOO_DEEP } from '../../src/report/otlp-json-values.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'report-input-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { stdout, stderr, out: () => out, err: () => err };
}

const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }, { key: 'service.instance.id', value: { stringValue: `${service}-1` } }] });
const traces = (service: string, spans: object[]) => JSON.stringify({ resourceSpans: [{ resource: resource(service), scopeSpans: [{ spans }] }] });
const span = (name: string, attributes: object[] = []) => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000', attributes });

describe('lines', () => {
  it('keeps a batch whose strings hold raw U+2028 and U+2029 (they are not line ends)', async () => {
    // JSON.stringify leaves U+2028/2029 raw: exactly what a receiver writes.
    const line = traces('svc', [span('a\u2028b'), span('c\u2029d'), span('plain')]);
    expect(line).toContain('\u2028');
    const dir = await dirWith({ 'traces.jsonl': `${line}\r\n${line}\n` });
    const input = await readTelemetryDir(dir);
    expect(input.skippedLines).toBe(0);
    expect(input.traceRequests).toHaveLength(2);
    const io = capture();
    expect(await runReport([dir], io)).toBe(0);
    expect(io.out()).not.toMatch(/skipped/);
  });
});

describe('deep values', () => {
  function nested(depth: number): object {
    let value: object = { stringValue: 'bottom' };
    for (let i = 0; i < depth; i++) value = { arrayValue: { values: [value] } };
    return value;
  }

  it('reads a 100,000-deep arrayValue without overflowing the stack, cut at a fixed depth', async () => {
    const deep = nested(100_000);
    expect(() => anyValue(deep)).not.toThrow();
    let v: unknown = anyValue(deep);
    let depth = 0;
    while (Array.isArray(v)) {
      v = v[0];
      depth++;
    }
    expect(v).toBe(TOO_DEEP);
    expect(depth).toBeLessThan(100);

    // The same value in a span attribute and in the resource, through the whole command. Built
    // as text: JSON.stringify itself recurses and cannot write it.
    const deepText = `${'{"arrayValue":{"values":['.repeat(100_000)}{"stringValue":"bottom"}${']}}'.repeat(100_000)}`;
    const line = JSON.stringify({
      resourceSpans: [{ resource: { attributes: [...resource('deep').attributes, { key: 'x', value: 'DEEP' }] }, scopeSpans: [{ spans: [span('ml.train', [{ key: 'y', value: 'DEEP' }])] }] }],
    }).replaceAll('"DEEP"', deepText);
    const dir = await dirWith({ 'traces.jsonl': `${line}\n` });
    const io = capture();
    expect(await runReport([dir], io)).toBe(0);
    expect(io.err()).toBe('');
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toContain('deep');
  });
});

describe('everything else in the directory', () => {
  it('lists spans and metrics that are not ML ones by service and name with counts, and counts logs', async () => {
    const metricLine = JSON.stringify({
      resourceMetrics: [{
        resource: resource('web'),
        scopeMetrics: [{ metrics: [
          { name: 'http.server.request.duration', histogram: { dataPoints: [{ count: '3' }, { count: '1' }] } },
          { name: 'app.queue.length', gauge: { dataPoints: [{ asInt: '5' }] } },
        ] }],
      }],
    });
    const logLine = JSON.stringify({ resourceLogs: [{ resource: resource('web'), scopeLogs: [{ logRecords: [{ severityText: 'INFO' }, { severityText: 'INFO' }, { severityText: 'ERROR' }] }] }] });
    const dir = await dirWith({
      'traces.jsonl': `${traces('web', [span('GET /'), span('GET /'), span('db.query'), span('ml.train')])}\n${traces('worker', [span('GET /')])}\n`,
      'metrics.jsonl': `${metricLine}\n`,
      'logs.jsonl': `${logLine}\n`,
    });
    const input = await readTelemetryDir(dir);
    const other = otherTelemetry(input.traceRequests, input.metricRequests, input.logRequests);
    expect(other.spans).toEqual([
      { service: 'web', name: 'GET /', count: 2 },
      { service: 'web', name: 'db.query', count: 1 },
      { service: 'worker', name: 'GET /', count: 1 },
    ]);
    expect(other.metrics).toEqual([
      { service: 'web', name: 'http.server.request.duration', count: 2 },
      { service: 'web', name: 'app.queue.length', count: 1 },
    ]);
    expect(other.logRecords).toBe(3);
    expect(other.logs).toEqual([{ service: 'web', name: 'INFO', count: 2 }, { service: 'web', name: 'ERROR', count: 1 }]);

    const io = capture();
    expect(await runReport([dir], io)).toBe(0);
    expect(io.out()).toMatch(/3 log records; 5 other span and metric names \(4 spans\) listed/);
    const page = await readFile(join(dir, 'report.html'), 'utf8');
    expect(page).toContain('Other telemetry in this directory');
    expect(page).toMatch(/<td>web<\/td><td><code>GET \/<\/code><\/td><td class="num">2<\/td>/);
    expect(page).toMatch(/<td>worker<\/td><td><code>GET \/<\/code><\/td><td class="num">1<\/td>/);
    expect(page).toMatch(/<code>http\.server\.request\.duration<\/code><\/td><td class="num">2<\/td>/);
    expect(page).toMatch(/Log records \(3\)/);
  });
});
