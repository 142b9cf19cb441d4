import { createHash } from 'node:crypto';
import os from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createRedactor,
  FAILED_TOKEN,
  MAX_ARRAY_LENGTH,
  MAX_STACK_LENGTH,
  MAX_STRING_LENGTH,
  processContext,
  redact,
  redactAttributes,
  redactStack,
  TRUNCATION_MARKER,
} from '../../src/protect/redact.js';
import { CORPUS_CONTEXT, PLANTED_HOME, PLANTED_HOST, PLANTED_USER, REDACT_CORPUS } from './redact-corpus.js';

const r = createRedactor(CORPUS_CONTEXT);
const KNOWN_TOKENS = ['<path>', '<url>', '<email>', '<ip>', '<mac>', '<secret>', '<user>', '<host>'];

describe('planted-secrets corpus', () => {
  it('has at least 70 rows covering every category', () => {
    expect(REDACT_CORPUS.length).toBeGreaterThanOrEqual(70);
    const cats = new Set(REDACT_CORPUS.map((row) => row.category));
    for (const c of ['path-posix', 'path-windows', 'path-file-url', 'home-dir', 'user-name', 'host-name', 'email', 'ipv4', 'ipv6', 'mac', 'url-credentials', 'url-query', 'bearer', 'api-key', 'jwt', 'key-value', 'long-hex', 'long-base64']) {
      expect(cats.has(c as never), c).toBe(true);
    }
  });

  it.each(REDACT_CORPUS.map((row) => [`${row.category}/${row.label}`, row] as const))('%s: secret removed, idempotent', (_name, row) => {
    const out = r(row.template);
    expect(out.toLowerCase()).not.toContain(row.secret.toLowerCase());
    expect(r(out)).toBe(out);
    // Only our own tokens in angle brackets (plus those already in the template's text).
    for (const tok of out.match(/<[a-z]+>/g) ?? []) expect(KNOWN_TOKENS).toContain(tok);
  });
});

describe('paths', () => {
  it('keeps dependency frames as node_modules/<pkg>/... with line:col (scoped package)', () => {
    const stack = [
      'Error: Input 0 is incompatible with layer dense_1: expected min_ndim=2, found ndim=1',
      `    at fit (${PLANTED_HOME}/proj/node_modules/@tensorflow/tfjs-layers/dist/engine/training.js:10:5)`,
      '    at Module._compile (node:internal/modules/cjs/loader:1105:14)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ].join('\n');
    expect(r(stack)).toBe(
      [
        'Error: Input 0 is incompatible with layer dense_1: expected min_ndim=2, found ndim=1',
        '    at fit (node_modules/@tensorflow/tfjs-layers/dist/engine/training.js:10:5)',
        '    at Module._compile (node:internal/modules/cjs/loader:1105:14)',
        '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      ].join('\n'),
    );
  });

  it('uses the LAST node_modules segment for nested and pnpm installs', () => {
    expect(r('at x (/a/node_modules/foo/node_modules/bar/lib/index.js:1:2)')).toBe('at x (node_modules/bar/lib/index.js:1:2)');
    expect(r('/srv/x/node_modules/.pnpm/@tensorflow+tfjs-core@4.22.0/node_modules/@tensorflow/tfjs-core/dist/base.js:3:4')).toBe(
      'node_modules/@tensorflow/tfjs-core/dist/base.js:3:4',
    );
    expect(r('at C:\\Users\\bob\\app\\node_modules\\onnxruntime-node\\dist\\binding.js:12:3')).toBe('at node_modules/onnxruntime-node/dist/binding.js:12:3');
  });

  it('makes app files relative to the app root, or just the file name', () => {
    expect(r(`    at main (${PLANTED_HOME}/proj/src/train.js:12:3)`)).toBe('    at main (src/train.js:12:3)');
    expect(r(`    at file://${PLANTED_HOME}/proj/train.mjs:3:7`)).toBe('    at train.mjs:3:7');
    expect(r('    at file:///tmp/elsewhere/train.mjs:3:7')).toBe('    at train.mjs:3:7');
    // A relative path that still names the user falls back to the file name.
    const r2 = createRedactor({ ...CORPUS_CONTEXT, appRoot: '/work/app' });
    expect(r2(`at x (/work/app/${PLANTED_USER}-notes/a.js:1:1)`)).toBe('at x (a.js:1:1)');
    expect(r2('at x (/work/app/lib/a.js:1:1)')).toBe('at x (lib/a.js:1:1)');
  });

  it('ignores an app root that is the home directory or above it', () => {
    const atHome = createRedactor({ ...CORPUS_CONTEXT, appRoot: PLANTED_HOME });
    expect(atHome(`open ${PLANTED_HOME}/Documents/secret-x/a.txt`)).toBe('open a.txt');
    const atRoot = createRedactor({ ...CORPUS_CONTEXT, appRoot: '/' });
    expect(atRoot('open /etc/secret-y/b.txt')).toBe('open b.txt');
  });

  it('handles the home directory, ~, Windows, UNC and file URLs', () => {
    expect(r(`cwd is ${PLANTED_HOME}`)).toBe('cwd is <path>');
    expect(r('see ~/models/x.onnx')).toBe('see x.onnx');
    expect(r('C:\\Users\\Bob Smith\\My Models\\bert.onnx')).toBe('bert.onnx');
    expect(r('\\\\nas01\\ml\\datasets\\imdb.csv')).toBe('imdb.csv');
    expect(r('file:///C:/Users/bob/app/main.mjs:1:1')).toBe('main.mjs:1:1');
    expect(r('file:///Users/bob/My%20Project/main.mjs')).toBe('main.mjs');
  });

  it('leaves relative paths, node: frames, URLs without secrets and division alone', () => {
    for (const s of [
      'node_modules/@tensorflow/tfjs-layers/dist/engine/training.js:10:5',
      'at node:internal/main/run_main_module:28:49',
      'src/models/ResNet50V2/backbone.js',
      'loss / accuracy and/or 3/4 km/h',
      'see https://huggingface.co/Xenova/bert-base-uncased/resolve/main/onnx/model.onnx',
      'Unexpected token } in JSON at position 5',
    ]) {
      expect(r(s)).toBe(s);
    }
  });

  it('keeps sentence punctuation after a path', () => {
    expect(r('could not open /var/data/x.txt.')).toBe('could not open x.txt.');
  });
});

describe('identities', () => {
  it('replaces the user and host names as whole words, any case', () => {
    expect(r(`user ${PLANTED_USER} on ${PLANTED_HOST}`)).toBe('user <user> on <host>');
    expect(r(`${PLANTED_USER.toUpperCase()}@${PLANTED_HOST.toUpperCase()}`)).toBe('<user>@<host>');
    expect(r(`${PLANTED_USER}x and x${PLANTED_HOST}`)).toBe(`${PLANTED_USER}x and x${PLANTED_HOST}`);
  });

  it('does not replace names shorter than 3 characters or generic account names', () => {
    const short = createRedactor({ userName: 'al', hostName: 'pc' });
    expect(short('al and pc are words here')).toBe('al and pc are words here');
    const generic = createRedactor({ userName: 'root', hostName: 'localhost' });
    expect(generic('root cause: localhost refused')).toBe('root cause: localhost refused');
    const ci = createRedactor({ userName: 'runner' });
    expect(ci('the test runner failed')).toBe('the test runner failed');
  });

  it('never lets a user name rewrite our own tokens', () => {
    const weird = createRedactor({ userName: 'secret', hostName: 'user' });
    expect(weird('password=x')).toBe('password=<secret>');
  });

  it('also redacts the first label of a dotted host name', () => {
    const rr = createRedactor({ hostName: 'gpu-box-42.lab.example.com' });
    expect(rr('worker gpu-box-42 and gpu-box-42.lab.example.com')).toBe('worker <host> and <host>');
  });

  it('redacts e-mails, IPv4, IPv6 and MAC addresses but not versions or times', () => {
    expect(r('mail a.b@example.com now')).toBe('mail <email> now');
    expect(r('peer 192.168.1.20:8080 at 10:20:30')).toBe('peer <ip>:8080 at 10:20:30');
    expect(r('tfjs 4.22.0, node v22.15.0, onnx 1.2.3.4.5')).toBe('tfjs 4.22.0, node v22.15.0, onnx 1.2.3.4.5');
    expect(r('fe80::1 and 2001:db8::ff00:42:8329 and ::1')).toBe('<ip> and <ip> and ::1');
    expect(r('slice x[::2] and a[1::3], Foo::bar')).toBe('slice x[::2] and a[1::3], Foo::bar');
    expect(r('time 2024-01-15T10:20:30.123Z')).toBe('time 2024-01-15T10:20:30.123Z');
    expect(r('mac AA:BB:CC:DD:EE:0F')).toBe('mac <mac>');
    expect(r('npm i @tensorflow/tfjs@4.22.0')).toBe('npm i @tensorflow/tfjs@4.22.0');
  });
});

describe('secrets', () => {
  it('reduces URLs with credentials or queries to scheme + host, dropping IP hosts', () => {
    expect(r('GET https://u:p4ss@api.example.com:8443/v1/x?y=1 failed')).toBe('GET https://api.example.com/<url> failed');
    expect(r('POST http://10.0.0.8:5000/predict?k=v')).toBe('POST http://<ip>/<url>');
    expect(r('http://[2001:db8::1]:80/?a=b')).toBe('http://<ip>/<url>');
    expect(r('(see https://example.com/a?b=c).')).toBe('(see https://example.com/<url>).');
  });

  it('redacts bearer tokens, key=value pairs and CLI flags, keeping the key', () => {
    expect(r('Authorization: Bearer abc.def-123_456')).toBe('Authorization: Bearer <secret>');
    expect(r('password=hunter2 user=bob')).toBe('password=<secret> user=bob');
    expect(r('{"api_key":"x y z","n":1}')).toBe('{"api_key":"<secret>","n":1}');
    expect(r("secret: 'abc'")).toBe("secret: '<secret>'");
    expect(r('OPENAI_API_KEY=whatever123')).toBe('OPENAI_API_KEY=<secret>');
    expect(r('--password hunter2 --epochs 3')).toBe('--password <secret> --epochs 3');
    expect(r('Authorization: Basic short')).toBe('Authorization: Basic <secret>');
  });

  it('leaves ML vocabulary that only looks like secrets', () => {
    for (const s of [
      'max_tokens=512 max_new_tokens: 128',
      'tokenizer: BertTokenizer',
      'pad_token: "[PAD]" eos_token="</s>"',
      'Basic information about the model',
      'bearer of bad news',
      'uses sk-learn-compatible-wrapper-module',
      'TensorFlowBackendWebGL2Implementation failed',
      'node_modules/onnxruntime-node/dist/backend_webgl_kernels_v2/index.js',
      'state-of-the-art-transformer-model-v2-finetuned-squad',
      'author: Jane',
    ]) {
      expect(r(s)).toBe(s);
    }
  });

  it('redacts each API-key shape, JWTs, long hex and random base64', () => {
    // Deterministic pseudo-random bodies (sha512 bytes mapped onto the alphabet).
    let counter = 0;
    const rnd = (n: number, alphabet: string): string => {
      const bytes = createHash('sha512').update(`seed-${counter++}`).digest();
      return Array.from({ length: n }, (_, i) => alphabet[bytes[i % bytes.length] % alphabet.length]).join('');
    };
    const an = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const shapes = [
      'sk-' + rnd(48, an),
      'sk-proj-' + rnd(40, an),
      'ghp_' + rnd(36, an),
      'gho_' + rnd(36, an),
      'github_pat_' + rnd(60, an),
      'AKIA' + rnd(16, 'ABCDEFGHIJ0123456789'),
      'xoxb-' + rnd(30, an),
      'xoxs-' + rnd(30, an),
      'hf_' + rnd(34, an),
      'glpat-' + rnd(20, an),
      'AIza' + rnd(35, an),
      'sk_live_' + rnd(24, an),
      'rk_live_' + rnd(24, an),
      'npm_' + rnd(36, an),
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.' + rnd(43, an),
      rnd(40, '0123456789abcdef'),
      rnd(44, an + '+/'),
    ];
    for (const k of shapes) {
      const out = r(`Error: rejected ${k} (retry)`);
      expect(out, k).toBe('Error: rejected <secret> (retry)');
    }
  });
});

describe('useful text survives', () => {
  it('keeps exception types, messages, versions and line numbers', () => {
    const msg = 'RangeError: Invalid array length in tfjs 4.22.0 after 12 epochs (batch 32, lr 0.001)';
    expect(r(msg)).toBe(msg);
    const plain = 'The quick brown fox jumps over the lazy dog. Ünïcödé 日本語 🚀';
    expect(r(plain)).toBe(plain);
  });
});

describe('robustness', () => {
  it('caps length with a marker, stays idempotent, and the stack cap is larger', () => {
    const long = 'word '.repeat(5000);
    const out = r(long);
    expect(out.length).toBeLessThanOrEqual(MAX_STRING_LENGTH);
    expect(out.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(r(out)).toBe(out);
    const st = r.stack(long);
    expect(st.length).toBeGreaterThan(MAX_STRING_LENGTH);
    expect(st.length).toBeLessThanOrEqual(MAX_STACK_LENGTH);
    expect(r.stack('x'.repeat(100_000)).length).toBeLessThanOrEqual(MAX_STACK_LENGTH);
    expect(redactStack('y '.repeat(20_000)).length).toBeLessThanOrEqual(MAX_STACK_LENGTH);
    const small = createRedactor(CORPUS_CONTEXT, { maxLength: 100 });
    const s2 = small(`${'a '.repeat(60)} password=hunter2`);
    expect(s2.length).toBeLessThanOrEqual(100);
    expect(s2).not.toContain('hunter2');
  });

  it('does not leave a cut secret at the truncation point', () => {
    const small = createRedactor(CORPUS_CONTEXT, { maxLength: 64 });
    const key = 'ghp_' + 'aB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV9wX8';
    const out = small(`${'x'.repeat(40)} ${key}`);
    expect(out).not.toContain('aB3cD4eF5gH6');
  });

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

  it('is linear on 1 MB adversarial strings (ReDoS guard)', () => {
    // Measured in this process's CPU time, not wall-clock time, so other work on a busy machine does
    // not count. A linear pass over 1 MB costs well under 0.3 s here; a quadratic pattern would
    // need minutes, so the 10 s bound only catches backtracking, never a slow machine.
    const unbounded = createRedactor(CORPUS_CONTEXT, { maxLength: Number.POSITIVE_INFINITY });
    const cpuMs = (fn: () => void) => {
      const before = process.cpuUsage();
      fn();
      const d = process.cpuUsage(before);
      return (d.user + d.system) / 1000;
    };
    const patterns = ['a', '/a', '/a ', '/a a/', 'C:\\a ', '\\\\a', 'a@', 'a.', '1.1.', '::1:', 'aa:', 'sk-', 'eyJaaaaaaaaa.', 'password=', 'Bearer ', '--token ', 'Aa1+', 'a-', 'http://a', 'file:///a', 'deadbeef', `${PLANTED_USER} `, '(/a a a:1:2', 'x@y.', 'token: "', '%', '0x'];
    for (const p of patterns) {
      const s = p.repeat(Math.ceil(1_000_000 / p.length)).slice(0, 1_000_000);
      expect(cpuMs(() => unbounded(s)), `pattern ${JSON.stringify(p)}`).toBeLessThan(10_000);
    }
    let out = '';
    expect(cpuMs(() => { out = redact('/a a/'.repeat(200_000) + '\uD83D'.repeat(1000)); })).toBeLessThan(10_000);
    expect(out.length).toBeLessThanOrEqual(MAX_STRING_LENGTH);
  });
});

describe('default redact()', () => {
  afterEach(() => vi.restoreAllMocks());

  it('uses this process: home directory and user name do not leave', () => {
    const home = os.homedir();
    const out = redact(`ENOENT ${home}/some-private-dir/file.txt`);
    expect(out).not.toContain(home);
    expect(out).not.toContain('some-private-dir');
    expect(out).toContain('file.txt');
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

describe('redactAttributes', () => {
  const allowed = new Set(['ml.model.name', 'exception.message', 'exception.stacktrace', 'ml.training.loss', 'hw.gpu.names', 'ml.values', 'flag', '__proto__']);

  it('drops keys that are not allow-listed (not redacted: dropped)', () => {
    const out = redactAttributes({ 'host.name': 'box', 'user.name': 'bob', 'ml.training.loss': 0.5 }, allowed);
    expect(out).toEqual({ 'ml.training.loss': 0.5 });
    expect(Object.keys(out)).toEqual(['ml.training.loss']);
  });

  it('redacts strings and string arrays; keeps finite numbers and booleans', () => {
    const out = redactAttributes(
      {
        'exception.message': `open ${PLANTED_HOME}/x/secret.txt failed for ${PLANTED_USER}`,
        'hw.gpu.names': ['NVIDIA A100', `${PLANTED_HOST}-gpu password=x`],
        'ml.values': [1, 2.5, Number.NaN, Number.POSITIVE_INFINITY],
        flag: true,
      },
      allowed,
      r,
    );
    expect(out['exception.message']).toBe('open secret.txt failed for <user>');
    expect(out['hw.gpu.names']).toEqual(['NVIDIA A100', `${PLANTED_HOST}-gpu password=<secret>`.replace(PLANTED_HOST, '<host>')]);
    expect(out['ml.values']).toEqual([1, 2.5]);
    expect(out.flag).toBe(true);
  });

  it('drops non-finite numbers and non-primitive values', () => {
    const out = redactAttributes(
      { 'ml.training.loss': Number.NaN, 'ml.model.name': { a: 1 }, 'exception.message': null, flag: 10n, 'ml.values': ['a', 1] },
      allowed,
    );
    expect(out).toEqual({});
    expect(redactAttributes({ 'ml.training.loss': Number.NEGATIVE_INFINITY }, allowed)).toEqual({});
  });

  it('caps string values and arrays; stack traces get the larger cap', () => {
    const out = redactAttributes(
      { 'exception.message': 'm '.repeat(10_000), 'exception.stacktrace': 's '.repeat(10_000), 'hw.gpu.names': Array.from({ length: 500 }, () => 'gpu') },
      allowed,
      r,
    );
    expect((out['exception.message'] as string).length).toBeLessThanOrEqual(MAX_STRING_LENGTH);
    expect((out['exception.stacktrace'] as string).length).toBeGreaterThan(MAX_STRING_LENGTH);
    expect((out['exception.stacktrace'] as string).length).toBeLessThanOrEqual(MAX_STACK_LENGTH);
    expect((out['hw.gpu.names'] as string[]).length).toBe(MAX_ARRAY_LENGTH);
    const plain = redactAttributes({ 'exception.stacktrace': 's '.repeat(10_000) }, allowed, (x) => x.slice(0, 10));
    expect(plain['exception.stacktrace']).toBe('s s s s s ');
  });

  it('never throws on hostile objects and never touches the prototype', () => {
    const hostile = Object.defineProperty({ flag: true }, 'ml.model.name', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(redactAttributes(hostile, allowed)).toEqual({ flag: true });
    const proto = JSON.parse('{"__proto__": "x"}') as Record<string, unknown>;
    const out = redactAttributes(proto, allowed);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('x');
    expect(redactAttributes(null as unknown as Record<string, unknown>, allowed)).toEqual({});
  });
});
