// The rules, through the engine with a fixed identity: what each removes and what it leaves.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/protect/redaction-engine.js';
import { RULES, sensitiveKey } from '../../src/protect/redaction-rules.js';
import { CORPUS_CONTEXT, PLANTED_HOME, PLANTED_HOST, PLANTED_USER, REDACT_CORPUS, CORPUS_CATEGORIES } from './redact-corpus.js';

const r = createRedactor(CORPUS_CONTEXT);
const TOKEN_RE = /<(?:path:[0-9a-f]{8}|[a-z]+)>/g;
const KNOWN_TOKENS = /^<(?:path:[0-9a-f]{8}|url|email|ip|mac|card|secret|user|host)>$/;
const P = /<path:[0-9a-f]{8}>/.source;

describe('planted-secrets corpus', () => {
  it('covers every category with several real-world shapes', () => {
    const count = new Map<string, number>();
    for (const row of REDACT_CORPUS) count.set(row.category, (count.get(row.category) ?? 0) + 1);
    for (const c of CORPUS_CATEGORIES) expect(count.get(c) ?? 0, c).toBeGreaterThanOrEqual(2);
    expect(REDACT_CORPUS.length).toBeGreaterThanOrEqual(150);
  });

  it.each(REDACT_CORPUS.map((row) => [`${row.category}/${row.label}`, row] as const))('%s: secret removed, idempotent', (_name, row) => {
    const out = r(row.template);
    expect(out.toLowerCase()).not.toContain(row.secret.toLowerCase());
    expect(r(out)).toBe(out);
    for (const tok of out.match(TOKEN_RE) ?? []) {
      if (!row.template.includes(tok)) expect(tok).toMatch(KNOWN_TOKENS);
    }
  });
});

describe('rules table', () => {
  it('one entry per shape, each with a name and a description', () => {
    const names = RULES.map((x) => x.name);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of RULES) expect(rule.what.length).toBeGreaterThan(5);
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

  it('hashes data kept inside node_modules (caches are not code)', () => {
    const out = r(`${PLANTED_HOME}/p/node_modules/@huggingface/transformers/.cache/acme/private-model/onnx/model.onnx`);
    expect(out).toMatch(new RegExp(`^${P}$`));
  });

  it("replaces the app's own files by a salted hash, keeping line:col", () => {
    expect(r(`    at main (${PLANTED_HOME}/proj/src/train.js:12:3)`)).toMatch(new RegExp(`^    at main \\(${P}:12:3\\)$`));
    expect(r('    at file:///tmp/elsewhere/train.mjs:175:17')).toMatch(new RegExp(`^    at ${P}:175:17$`));
    expect(r('    at train.mjs:175:17')).toMatch(new RegExp(`^    at ${P}:175:17$`));
    // The same file gives the same token, however it was written; another salt, another token.
    const a = r(`at f (${PLANTED_HOME}/proj/a.mjs:1:1)`).match(/<path:\w+>/)![0];
    expect(r(`at g (file://${PLANTED_HOME}/proj/a.mjs:9:9)`)).toContain(a);
    expect(createRedactor({ ...CORPUS_CONTEXT, salt: 'other' })(`at f (${PLANTED_HOME}/proj/a.mjs:1:1)`)).not.toContain(a);
  });

  it('handles the home directory, ~, Windows, UNC, smb: and file URLs', () => {
    for (const s of [`cwd is ${PLANTED_HOME}`, 'see ~/models/x.onnx', 'C:\\Users\\Bob Smith\\My Models\\bert.onnx', '\\\\nas01\\ml\\datasets\\imdb.csv',
      'file:///C:/Users/bob/app/main.mjs', 'file:///Users/bob/My%20Project/main.mjs', 'smb://server/share/x', 'file:relative/x.onnx']) {
      const out = r(s);
      expect(out, s).toMatch(new RegExp(P));
      expect(out).not.toMatch(/bob|bert|imdb|models|server|share|relative/i);
    }
  });

  it('leaves node: frames, ordinary words with slashes and division alone', () => {
    for (const s of [
      'node_modules/@tensorflow/tfjs-layers/dist/engine/training.js:10:5',
      'at node:internal/main/run_main_module:28:49',
      'loss / accuracy and/or 3/4 km/h',
      'Unexpected token } in JSON at position 5',
      'Provided weight data has no target variable: dense_Dense1/kernel',
      'process.env.HOME and console.log(x) tf.engine() res.json()',
      'content-type "application/json"',
    ]) {
      expect(r(s)).toBe(s);
    }
  });

  it('hashes relative model paths and file names (never sent)', () => {
    expect(r("Cannot find any save handlers for URL 'out/model'")).toMatch(new RegExp(`^Cannot find any save handlers for URL '${P}'$`));
    expect(r('wrote data/train.csv and ./weights')).toMatch(new RegExp(`^wrote ${P} and ${P}$`));
    expect(r('failed to read merger-plan.onnx')).toMatch(new RegExp(`^failed to read ${P}$`));
    expect(r('localstorage://my-model')).toMatch(new RegExp(`^${P}$`));
  });

  it('keeps sentence punctuation after a path', () => {
    expect(r('could not open /var/data/x.txt.')).toMatch(new RegExp(`^could not open ${P}\\.$`));
  });
});

describe('identities', () => {
  it('replaces the user and host names as whole words, any case', () => {
    expect(r(`user ${PLANTED_USER} on ${PLANTED_HOST}`)).toBe('user <user> on <host>');
    expect(r(`${PLANTED_USER.toUpperCase()}@${PLANTED_HOST.toUpperCase()}`)).toBe('<user>@<host>');
    expect(r(`${PLANTED_USER}x and x${PLANTED_HOST}`)).toBe(`${PLANTED_USER}x and x${PLANTED_HOST}`);
    expect(r(`line\\n${PLANTED_USER} failed`)).toBe('line\\n<user> failed');
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
    expect(r('mac AA:BB:CC:DD:EE:0F and 001a.2b3c.4d5e.')).toBe('mac <mac> and <mac>.');
    expect(r('npm i @tensorflow/tfjs@4.22.0')).toBe('npm i @tensorflow/tfjs@4.22.0');
    expect(r('{"e":"x\\n10.1.2.3 y"}')).toBe('{"e":"x\\n<ip> y"}');
  });
});

describe('secrets', () => {
  it('reduces network URLs to scheme, host and port; IP hosts become <ip>', () => {
    expect(r('GET https://u:p4ss@api.example.com:8443/v1/x?y=1 failed')).toBe('GET https://api.example.com:8443/<url> failed');
    expect(r('POST http://10.0.0.8:5000/predict?k=v')).toBe('POST http://<ip>:5000/<url>');
    expect(r('http://[2001:db8::1]:80/?a=b')).toBe('http://<ip>:80/<url>');
    expect(r('(see https://example.com/a?b=c).')).toBe('(see https://example.com/<url>).');
    expect(r('see https://nodejs.org/')).toBe('see https://nodejs.org/');
    expect(r('postgres://svc:pa/ss@db:5432/x')).toBe('postgres://db:5432/<url>');
  });

  it('redacts bearer tokens, key=value pairs and CLI flags, keeping the key', () => {
    expect(r('Authorization: Bearer abc.def-123_456')).toBe('Authorization: Bearer <secret>');
    expect(r('password=hunter2 user=bob')).toBe('password=<secret> user=bob');
    expect(r('login failed: password=hunter2 user=bob')).toBe('login failed: password=<secret> user=bob');
    expect(r('{"api_key":"x y z","n":1}')).toBe('{"api_key":"<secret>","n":1}');
    expect(r("secret: 'abc'")).toBe("secret: '<secret>'");
    expect(r('OPENAI_API_KEY=whatever123')).toBe('OPENAI_API_KEY=<secret>');
    expect(r('AccountKey=abc;x=1')).toBe('AccountKey=<secret>;x=1');
    expect(r('--password hunter2 --epochs 3')).toBe('--password <secret> --epochs 3');
    expect(r('Authorization: Basic short')).toBe('Authorization: Basic <secret>');
    expect(r('Cookie: a=1; b=2')).toBe('Cookie: <secret>');
  });

  it('decides sensitive keys by their last word (camelCase, snake_case, kebab-case)', () => {
    for (const k of ['AccountKey', 'SIGNING_KEY', 'x-api-key', 'csrftoken', 'client_secret', 'DB_PASSWORD', 'sessionId', 'HF_TOKEN']) expect(sensitiveKey(k), k).toBe(true);
    for (const k of ['monkey', 'max_tokens', 'pad_token', 'tokenizer', 'author', 'keyboard', 'passes']) expect(sensitiveKey(k), k).toBe(false);
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
      'layer=dense_Dense1/kernel loss=0.123456789',
      'ml.model.name sha256:0123456789abcdef',
      'Unexpected token 5 in JSON at position 3',
      'at 1733130000000 ms',
    ]) {
      expect(r(s)).toBe(s);
    }
  });

  it('redacts each API-key shape, JWTs, long hex and random base64', () => {
    let counter = 0;
    const rnd = (n: number, alphabet: string): string => {
      const bytes = createHash('sha512').update(`seed-${counter++}`).digest();
      return Array.from({ length: n }, (_, i) => alphabet[bytes[i % bytes.length] % alphabet.length]).join('');
    };
    const an = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const shapes = [
      'sk-' + rnd(48, an), 'sk-proj-' + rnd(40, an), 'ghp_' + rnd(36, an), 'gho_' + rnd(36, an), 'github_pat_' + rnd(60, an),
      'AKIA' + rnd(16, 'ABCDEFGHIJ0123456789'), 'xoxb-' + rnd(30, an), 'xoxs-' + rnd(30, an), 'hf_' + rnd(34, an), 'glpat-' + rnd(20, an),
      'AIza' + rnd(35, an), 'sk_live_' + rnd(24, an), 'rk_live_' + rnd(24, an), 'npm_' + rnd(36, an),
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.' + rnd(43, an), rnd(40, '0123456789abcdef'), rnd(44, an + '+/'),
    ];
    for (const k of shapes) expect(r(`Error: rejected ${k} (retry)`), k).toBe('Error: rejected <secret> (retry)');
  });

  it('redacts Luhn-valid card numbers, not other long numbers', () => {
    expect(r('card 4111 1111 1111 1111 declined')).toBe('card <card> declined');
    expect(r('card 4111-1111-1111-1111')).toBe('card <card>');
    expect(r('pan 4111111111111111 123')).toBe('pan <card> 123');
    expect(r('id 4111111111111112')).toBe('id 4111111111111112');
  });

  it('redacts PEM blocks whole, also JSON-escaped or cut short', () => {
    const body = 'MIIEowIBAAKCAQEA7bq3Yx9kZ' + 'Q'.repeat(30);
    expect(r(`key: -----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY----- end`)).toBe('key: <secret> end');
    expect(r(`"-----BEGIN PRIVATE KEY-----\\n${body}\\n-----END PRIVATE KEY-----\\n"`)).not.toContain('MIIE');
    expect(r(`-----BEGIN EC PRIVATE KEY-----\n${body}`)).toBe('<secret>');
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
