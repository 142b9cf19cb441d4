import { afterEach, describe, expect, it } from 'vitest';
import { retryWait, sendWithRetry as policy, type RetryOptions } from '../../src/deliver/send-with-retry.js';
import { parseRetryAfter, post } from '../../src/deliver/http-post.js';
import { FaultReceiver, OK, refusedEndpoint, type Script } from '../helpers/fault-receiver.js';

const body = Buffer.from('{"resourceSpans":[]}');

type SendOptions = Omit<RetryOptions, 'destination'> & { headers: Record<string, string>; contentType: string };

/** The retry policy around real HTTP requests to `url`; the outcome as the policy names it. */
async function sendWithRetry(url: string, b: Uint8Array, o: SendOptions): Promise<string> {
  const r = await policy((a) => post(url, b, { headers: o.headers, contentType: o.contentType, ...a }), { ...o, destination: url });
  return r.outcome;
}
let rx: FaultReceiver | undefined;
afterEach(async () => { await rx?.close(); rx = undefined; });

async function send(script: Script, o: Partial<SendOptions> & { budgetMs?: number } = {}) {
  rx = await FaultReceiver.start(script);
  const lines: string[] = [];
  const started = Date.now();
  const outcome = await sendWithRetry(`${rx.endpoint}/v1/traces`, body, {
    headers: {}, contentType: 'application/json', deadline: Date.now() + (o.budgetMs ?? 1000), debug: (m) => lines.push(m), ...o,
  });
  return { outcome, ms: Date.now() - started, requests: rx.requests, lines };
}

describe('sendWithRetry', () => {
  it('2xx: sent in one request', async () => {
    const r = await send(() => OK);
    expect(r.outcome).toBe('sent');
    expect(r.requests).toHaveLength(1);
  });

  it('503 with Retry-After that fits the budget: waits at least that long, retries, sent', async () => {
    const r = await send(({ index }) => (index === 0 ? { status: 503, retryAfter: '1' } : OK), { budgetMs: 3000 });
    expect(r.outcome).toBe('sent');
    expect(r.requests).toHaveLength(2);
    expect(r.requests[1]!.at - r.requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('503 with a Retry-After that does not fit: retry-later at once, no wasted wait', async () => {
    // A wait of 10 min would outlast the test: returning is the decision not to wait, and it says so.
    const r = await send(() => ({ status: 503, retryAfter: '600' }), { budgetMs: 30_000 });
    expect(r.outcome).toBe('retry-later');
    expect(r.requests).toHaveLength(1);
    expect(r.lines.filter((l) => l.includes('retry does not fit the time budget'))).toHaveLength(1);
  });

  it('Retry-After as an HTTP date is honoured', async () => {
    const at = new Date(Date.now() + 1500).toUTCString(); // second resolution: 0.5–1.5 s from now
    const r = await send(({ index }) => (index === 0 ? { status: 503, retryAfter: at } : OK), { budgetMs: 4000 });
    expect(r.outcome).toBe('sent');
    expect(r.requests[1]!.at - r.requests[0]!.at).toBeGreaterThanOrEqual(400);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT')).toBe(0);
    expect(parseRetryAfter('garbage')).toBeUndefined();
  });

  it('429 without Retry-After: exponential backoff with jitter, then sent', async () => {
    const r = await send(({ index }) => (index < 2 ? { status: 429 } : OK), { budgetMs: 3000 });
    expect(r.outcome).toBe('sent');
    expect(r.requests).toHaveLength(3);
    const gap1 = r.requests[1]!.at - r.requests[0]!.at;
    const gap2 = r.requests[2]!.at - r.requests[1]!.at;
    expect(gap1).toBeGreaterThanOrEqual(120); // 250 ms × [0.5, 1.5); the upper end is checked without a clock below
    expect(gap2).toBeGreaterThanOrEqual(245); // 500 ms × [0.5, 1.5)
  });

  it('the backoff wait is the backoff ±50 %, never below Retry-After', () => {
    expect(retryWait(250, undefined, 0)).toBe(125);
    expect(retryWait(250, undefined, 0.999)).toBeLessThan(375);
    expect(retryWait(500, 0, 0)).toBe(250);
    expect(retryWait(500, 2000, 0.999)).toBe(2000);
  });

  it('jitter does not draw from the app\'s Math.random', async () => {
    const original = Math.random;
    let calls = 0;
    Math.random = () => { calls++; return original(); };
    try {
      const r = await send(({ index }) => (index < 2 ? { status: 429 } : OK), { budgetMs: 3000 });
      expect(r.outcome).toBe('sent');
    } finally {
      Math.random = original;
    }
    expect(calls).toBe(0);
  });

  it('Retry-After: 0 on every answer is not a tight loop', async () => {
    // Backoff waits of at least 125, 250, 500, 1000 ms fill the 2 s budget: at most 5 requests, however fast the machine.
    const r = await send(() => ({ status: 503, retryAfter: '0' }), { budgetMs: 2000 });
    expect(r.outcome).toBe('retry-later');
    expect(r.requests.length).toBeGreaterThanOrEqual(1);
    expect(r.requests.length).toBeLessThanOrEqual(5);
  });

  it.each([400, 401, 403, 404, 413])('%i is permanent: rejected after one request, never retried', async (status) => {
    const r = await send(() => ({ status }), { budgetMs: 3000 });
    expect(r.outcome).toBe('rejected');
    expect(r.requests).toHaveLength(1);
    expect(r.lines.filter((l) => l.includes(String(status)))).toHaveLength(1);
  });

  it('a collector rejecting everything is logged once, not once per payload', async () => {
    rx = await FaultReceiver.start(() => ({ status: 413 }));
    const lines: string[] = [];
    const url = `${rx.endpoint}/v1/metrics`;
    for (let i = 0; i < 3; i++) {
      expect(await sendWithRetry(url, body, { headers: {}, contentType: 'application/json', deadline: Date.now() + 1000, debug: (m) => lines.push(m) })).toBe('rejected');
    }
    expect(rx.requests).toHaveLength(3);
    expect(lines).toHaveLength(1);
  });

  it('408 and 5xx without Retry-After are retried; a reset connection too', async () => {
    const r = await send(({ index }) => (index === 0 ? { status: 408 } : index === 1 ? 'reset' : index === 2 ? { status: 500 } : OK), { budgetMs: 4000 });
    expect(r.outcome).toBe('sent');
    expect(r.requests).toHaveLength(4);
  });

  it('refused connection: retry-later at once, one attempt', async () => {
    const lines: string[] = [];
    const outcome = await sendWithRetry(`${await refusedEndpoint()}/v1/traces`, body, { headers: {}, contentType: 'application/json', deadline: Date.now() + 600_000, debug: (m) => lines.push(m) });
    expect(outcome).toBe('retry-later');
    expect(lines.filter((l) => l.includes('ECONNREFUSED'))).toHaveLength(1);
  });

  it('a collector that never answers: cut at the deadline', async () => {
    const r = await send(() => 'hang', { budgetMs: 500 });
    expect(r.outcome).toBe('retry-later');
    expect(r.ms).toBeGreaterThanOrEqual(480); // it waited for the deadline; returning at all means it was cut there
  });

  it('an abort cuts a hanging request and a backoff wait at once', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    // Budgets of 10 min outlast the test: returning at all means the abort cut them.
    const hung = await send(() => 'hang', { budgetMs: 600_000, signal: ac.signal });
    expect(hung.outcome).toBe('retry-later');
    expect(hung.requests).toHaveLength(1);
    await rx!.close();
    const ac2 = new AbortController();
    setTimeout(() => ac2.abort(), 200);
    const waiting = await send(() => ({ status: 503, retryAfter: '300' }), { budgetMs: 600_000, signal: ac2.signal });
    expect(waiting.outcome).toBe('retry-later');
    expect(waiting.requests).toHaveLength(1);
  });

  it('a timeout beyond 2^31 ms does not print a TimeoutOverflowWarning into the app', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const r = await send(() => OK, { budgetMs: 3_000_000_000 });
      expect(r.outcome).toBe('sent');
      await new Promise((res) => setTimeout(res, 50));
    } finally {
      process.removeListener('warning', onWarning);
    }
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});
