// `telemetry-agent collect` (the built CLI, its default limits) under 200 concurrent 8 MB
// requests on loopback: memory stays bounded and every request is answered 200 or 503 with
// Retry-After. Peak RSS is the receiver process's own high-water mark (Linux /proc).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { REPO } from '../helpers/run-node.js';

const REQUESTS = 200;
const BODY_BYTES = 8 * 1024 * 1024;
const MAX_PEAK_RSS_MB = 300;

let child: ChildProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** An OTLP JSON trace request of about `bytes`, many small spans (the shape that costs most to parse). */
function traceRequest(bytes: number): Buffer {
  const spans: string[] = [];
  let size = 200;
  for (let i = 0; size < bytes - 400; i++) {
    const span = `{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"load-${i}","kind":1,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000100000000","attributes":[{"key":"n","value":{"intValue":"${i}"}}]}`;
    spans.push(span);
    size += span.length + 1;
  }
  const text = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"load"}}]},"scopeSpans":[{"spans":[${spans.join(',')}]}]}]}`;
  return Buffer.from(text.padEnd(bytes, ' '));
}

function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) / 1024;
}

it.skipIf(!existsSync('/proc/self/status'))(`answers ${REQUESTS} concurrent 8 MB requests 200 or 503 with peak RSS under ${MAX_PEAK_RSS_MB} MB`, async () => {
  dir = await mkdtemp(join(tmpdir(), 'collect-load-'));
  // Files large enough that nothing acknowledged is rotated away before it is counted.
  const proc = spawn(process.execPath, [join(REPO, 'dist', 'cli.mjs'), 'collect', '--port', '0', '--out', dir, '--max-file-mb', '4000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.resume();
  for (let i = 0; i < 500 && !/listening on http/.test(out); i++) await new Promise((r) => setTimeout(r, 20));
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];

  const body = traceRequest(BODY_BYTES);
  expect(body.length).toBe(BODY_BYTES);
  // One socket per request, all at once: the worst case for the receiver.
  const agent = new http.Agent({ maxSockets: REQUESTS });
  const answers = await Promise.all(
    Array.from({ length: REQUESTS }, () =>
      new Promise<string>((resolve) => {
        const req = http.request(`${url}/v1/traces`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 503 && !/^\d+$/.test(String(res.headers['retry-after'])) ? '503 without Retry-After' : String(res.statusCode)));
        });
        req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
        req.end(body);
      }),
    ),
  );
  agent.destroy();
  const peak = peakRssMb(proc.pid!);
  const counts: Record<string, number> = {};
  for (const a of answers) counts[a] = (counts[a] ?? 0) + 1;
  console.info(`collect under ${REQUESTS} concurrent 8 MB requests: answers ${JSON.stringify(counts)}, peak RSS ${peak.toFixed(0)} MB`);

  expect(Object.keys(counts).filter((k) => k !== '200' && k !== '503'), JSON.stringify(counts)).toEqual([]);
  expect(counts['200']).toBeGreaterThan(0);
  expect(peak).toBeLessThan(MAX_PEAK_RSS_MB);
  // What was acknowledged is on disk, one whole line each.
  const stored = (await readFile(join(dir, 'traces.jsonl'), 'utf8')).split('\n').filter(Boolean);
  expect(stored).toHaveLength(counts['200']);
  expect(JSON.parse(stored[0]).resourceSpans[0].scopeSpans[0].spans.length).toBeGreaterThan(1000);
  // Still serving afterwards.
  const after = await fetch(`${url}/v1/traces`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  expect(after.status).toBe(200);
}, 180_000);
