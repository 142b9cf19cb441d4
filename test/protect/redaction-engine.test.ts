// The engine: caps, redact-before-truncate, fixed point, never throwing, linear time.
import os from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRedactor, FAILED_TOKEN, MAX_INPUT, MAX_STACK_LENGTH, MAX_STRING_LENGTH, processContext, TRUNCATION_MARKER } from '../../src/protect/redaction-engine.js';
import { CORPUS_CONTEXT, PLANTED_USER } from './redact-corpus.js';

const r = createRedactor(CORPUS_CONTEXT);

describe('length', () => {
  it('caps with a marker, stays idempotent; a larger cap is honoured', () => {
    const long = 'word '.repeat(5000);
    const out = r(long);
    expect(out.length).toBeLessThanOrEqual(MAX_STRING_LENGTH);
    expect(out.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(r(out)).toBe(out);
    const st = r(long, MAX_STACK_LENGTH);
    expect(st.length).toBeGreaterThan(MAX_STRING_LENGTH);
    expect(st.length).toBeLessThanOrEqual(MAX_STACK_LENGTH);
    expect(r('x'.repeat(100_000), MAX_STACK_LENGTH).length).toBeLessThanOrEqual(MAX_STACK_LENGTH);
    const s2 = r(`${'a '.repeat(60)} password=hunter2`, 100);
    expect(s2.length).toBeLessThanOrEqual(100);
    expect(s2).not.toContain('hunter2');
  });

  it('does not leave a cut secret at the truncation point', () => {
    const key = 'ghp_' + 'aB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV9wX8';
    const out = r(`${'x'.repeat(40)} ${key}`, 64);
    expect(out).not.toContain('aB3cD4eF5gH6');
  });

  it('redacts before truncating: a token straddling any cut never leaks a part (64 KiB and MAX_INPUT)', () => {
    const token = 'ghp_' + 'Zq8Wm2Xr5Tn7Yb3Vc6Ud9Ke1Lf4Jg0Hp2Qs';
    // A prefix that redaction shrinks to almost nothing, so whatever follows it reaches the output.
    for (const size of [64 * 1024, MAX_INPUT]) {
      for (const shift of [-30, -20, -10, 0, 5]) {
        const prefixLen = size + shift - 3;
        const input = `/${'a'.repeat(prefixLen - 1)} ${token} tail`;
        const out = r(input);
        for (let n = 8; n <= token.length; n += 4) expect(out, `size ${size} shift ${shift}`).not.toContain(token.slice(4, n + 4));
        expect(out.length).toBeLessThanOrEqual(MAX_STRING_LENGTH);
      }
    }
    // A base64 secret with no whitespace around, longer than the work bound: nothing of it leaks.
    const blob = 'Ab3'.repeat(MAX_INPUT);
    expect(r(blob)).toBe(FAILED_TOKEN + TRUNCATION_MARKER);
  });
});

describe('robustness', () => {
  it('never throws, whatever it is given', () => {
    const odd: unknown[] = [undefined, null, 42, {}, [], Symbol('s'), { toString: () => { throw new Error('x'); } }, '\uD800\uDC00\uDFFF\uD800', '\u0000\u0007\u202E'];
    for (const x of odd) {
      expect(() => r(x as string)).not.toThrow();
      expect(typeof r(x as string)).toBe('string');
    }
    expect(r('a\uD800b')).toBe('a\uFFFDb');
    expect(r({ toString: () => { throw new Error('x'); } } as unknown as string)).toBe('');
    expect(FAILED_TOKEN).toBe('<redacted>');
  });

  it('grows linearly on adversarial strings (ReDoS guard in CPU time, comparing two sizes)', () => {
    const unbounded = createRedactor(CORPUS_CONTEXT);
    const patterns = ['a', '/a', '/a ', '/a a/', 'C:\\a ', '\\\\a', 'a@', 'a.', '1.1.', '::1:', 'aa:', 'sk-', 'eyJaaaaaaaaa.', 'password=', 'Bearer ', '--token ', 'Aa1+',
      'a-', 'http://a', 'file:///a', 'deadbeef', `${PLANTED_USER} `, '(/a a a:1:2', 'x@y.', 'token: "', '%', '0x', '%2Fa', '-----BEGIN A-----', "'a/", 'key=', '4111 ', '\\n/a', 'http://a:b', 'Cookie: '];
    // This process's CPU time (not wall-clock: other work on a busy machine does not count), best of 3.
    const time = (s: string): number => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const before = process.cpuUsage();
        unbounded(s, Number.POSITIVE_INFINITY);
        const d = process.cpuUsage(before);
        best = Math.min(best, (d.user + d.system) / 1000);
      }
      return best;
    };
    for (const p of patterns) {
      const small = p.repeat(Math.ceil(10_000 / p.length)).slice(0, 10_000);
      const large = p.repeat(Math.ceil(100_000 / p.length)).slice(0, 100_000);
      time(small); // warm up
      const ts = time(small);
      const tl = time(large);
      // Linear: 10× the input costs ~10× the time; quadratic would be ~100×. Generous margin for noise.
      expect(tl, `pattern ${JSON.stringify(p)}: ${ts.toFixed(1)} ms → ${tl.toFixed(1)} ms`).toBeLessThan(Math.max(ts, 2) * 50);
    }
  }, 240_000);
});

describe('processContext', () => {
  afterEach(() => vi.restoreAllMocks());

  it('uses this process: home directory and its contents do not leave', () => {
    const home = os.homedir();
    const out = createRedactor(processContext())(`ENOENT ${home}/some-private-dir/file.txt`);
    expect(out).not.toContain(home);
    expect(out).not.toContain('some-private-dir');
    expect(out).toMatch(/^ENOENT <path:[0-9a-f]{8}>$/);
  });

  it('builds a context even when os.userInfo() throws', () => {
    vi.spyOn(os, 'userInfo').mockImplementation(() => {
      throw new Error('uv_os_get_passwd returned ENOENT');
    });
    const ctx = processContext();
    expect(ctx.homeDir).toBe(os.homedir());
    expect(ctx.hostName).toBe(os.hostname());
    expect(() => createRedactor(ctx)('x')).not.toThrow();
  });
});
