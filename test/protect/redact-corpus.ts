// Planted secrets for redaction tests. Exported so end-to-end tests can plant the same strings in
// a real process (with CORPUS_CONTEXT as its identity) and check the wire payloads.
//
// Every `secret` must be absent from the redacted `template`. Token-shaped secrets are generated
// from a fixed-seed PRNG at load time, so no key-shaped literal sits in the source (keeps secret
// scanners quiet) and the corpus is the same on every run. None of them is a real credential.

import type { RedactContext } from '../../src/protect/redaction-engine.js';

export type CorpusCategory =
  | 'path-posix'
  | 'path-windows'
  | 'path-file-url'
  | 'home-dir'
  | 'user-name'
  | 'host-name'
  | 'email'
  | 'ipv4'
  | 'ipv6'
  | 'mac'
  | 'url-credentials'
  | 'url-query'
  | 'bearer'
  | 'api-key'
  | 'jwt'
  | 'key-value'
  | 'long-hex'
  | 'long-base64'
  | 'path-percent-encoded'
  | 'path-json-escaped'
  | 'path-smb-unc'
  | 'path-relative'
  | 'app-frame'
  | 'card'
  | 'pem'
  | 'cookie-csrf'
  | 'value-any-key'
  | 'url-password-odd';

export const CORPUS_CATEGORIES: readonly CorpusCategory[] = [
  'path-posix', 'path-windows', 'path-file-url', 'home-dir', 'user-name', 'host-name', 'email', 'ipv4', 'ipv6', 'mac',
  'url-credentials', 'url-query', 'bearer', 'api-key', 'jwt', 'key-value', 'long-hex', 'long-base64', 'path-percent-encoded',
  'path-json-escaped', 'path-smb-unc', 'path-relative', 'app-frame', 'card', 'pem', 'cookie-csrf', 'value-any-key', 'url-password-odd',
];

export interface CorpusRow {
  readonly category: CorpusCategory;
  /** A short label (e.g. which key shape). */
  readonly label: string;
  readonly secret: string;
  /** A realistic message or stack containing `secret`. */
  readonly template: string;
}

export const PLANTED_USER = 'zed-planted-user';
export const PLANTED_HOST = 'planted-host-7781';
export const PLANTED_HOME = `/home/${PLANTED_USER}`;

/** The fixed fake identity the corpus is written for. */
export const CORPUS_CONTEXT: Readonly<RedactContext> = Object.freeze({
  homeDir: PLANTED_HOME,
  userName: PLANTED_USER,
  hostName: PLANTED_HOST,
  salt: 'corpus-salt',
});

// ---- deterministic fake tokens ---------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(0x5eed_7781);
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_NUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const HEX = '0123456789abcdef';
const B64 = ALNUM + '+/';
const B64URL = ALNUM + '-_';

/** Random string from `alphabet` that contains at least two digits and (if possible) both cases. */
function gen(alphabet: string, length: number): string {
  for (;;) {
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    const digits = (s.match(/\d/g) ?? []).length;
    const needCases = /[a-z]/.test(alphabet) && /[A-Z]/.test(alphabet);
    if (digits >= 2 && (!needCases || (/[a-z]/.test(s) && /[A-Z]/.test(s)))) return s;
  }
}
const p = (...parts: string[]): string => parts.join(''); // keeps prefixes split in source

const jwt = p(
  'eyJ',
  'hbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
  '.',
  'eyJ',
  gen(B64URL, 40),
  '.',
  gen(B64URL, 43),
);
const basicAuth = Buffer.from(`${PLANTED_USER}:pw-${gen(ALNUM, 10)}`).toString('base64');

// ---- the table -------------------------------------------------------------------------------

const rows: CorpusRow[] = [];
const add = (category: CorpusCategory, label: string, secret: string, template: string): void => {
  if (!template.includes(secret)) throw new Error(`corpus row ${label}: template lacks its secret`);
  rows.push({ category, label, secret, template });
};

// Paths (POSIX): the planted directory names must go, the file name may stay.
add('path-posix', 'open', 'secret-proj-a1', `Error: ENOENT: no such file or directory, open '${PLANTED_HOME}/secret-proj-a1/data/train.csv'`);
add('path-posix', 'macos', 'acme-internal-b2', `Failed to load /Users/${PLANTED_USER}/Library/Caches/acme-internal-b2/model.bin: bad magic`);
add('path-posix', 'frame', 'confidential-c3', `TypeError: x is not a function\n    at loadData (${PLANTED_HOME}/work/confidential-c3/src/data.js:42:13)\n    at main (node:internal/main:1:1)`);
add('path-posix', 'srv', 'patient-records-d4', 'RangeError: shape mismatch reading /srv/datasets/patient-records-d4/batch_001.npy');
add('path-posix', 'mnt', 'team-orion-e5', 'Error saving checkpoint to /mnt/shared/team-orion-e5/ckpt/epoch-3.ckpt (EACCES)');
add('path-posix', 'anon-frame', 'bigbank-f6', 'Error: boom\n    at /opt/clients/bigbank-f6/runner.js:7:1\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)');
add('path-posix', 'spaces', 'My Secret Project g7', `Error: nope\n    at train (/Users/${PLANTED_USER}/My Secret Project g7/train.js:1:2)`);
add('path-posix', 'tilde', 'private-notes-h8', 'could not write ~/private-notes-h8/run.log');
add('path-posix', 'PATH', 'secret-tools-i9', `spawn python ENOENT (PATH=${PLANTED_HOME}/.local/bin:/opt/secret-tools-i9/bin)`);
add('path-posix', 'pnpm', 'hidden-repo-j0', `Error: kernel failed\n    at x (${PLANTED_HOME}/hidden-repo-j0/node_modules/.pnpm/@tensorflow+tfjs-core@4.22.0/node_modules/@tensorflow/tfjs-core/dist/ops/x.js:1:1)`);
add('path-posix', 'quoted-json', 'ledger-x5', `{"path":"/var/lib/ledger-x5/db.sqlite","code":"SQLITE_CANTOPEN"}`);

// Paths (Windows, UNC).
add('path-windows', 'drive', 'merger-plans-k1', `Error: could not read C:\\Users\\${PLANTED_USER}\\Documents\\merger-plans-k1\\model.onnx`);
add('path-windows', 'frame', 'stealth-startup-l2', `Error: bad\n    at run (C:\\Users\\${PLANTED_USER}\\src\\stealth-startup-l2\\index.js:5:9)`);
add('path-windows', 'forward-slash', 'client-acme-m3', 'Cannot open D:/projects/client-acme-m3/weights.bin');
add('path-windows', 'json-escaped', 'vault-n4', `{"file":"C:\\\\Users\\\\${PLANTED_USER}\\\\vault-n4\\\\x.json"}`);
add('path-windows', 'unc', 'fileserver-o5', 'EPERM: operation not permitted, open \\\\fileserver-o5\\share\\finance\\q3.xlsx');
add('path-windows', 'spaces', 'Acme Corp p6', `EBUSY C:\\Users\\${PLANTED_USER}\\OneDrive - Acme Corp p6\\model.onnx`);

// file:// URLs.
add('path-file-url', 'esm-frame', 'covert-q7', `Error: x\n    at file://${PLANTED_HOME}/covert-q7/train.mjs:3:7`);
add('path-file-url', 'windows', 'sealed-r8', `    at main (file:///C:/Users/${PLANTED_USER}/sealed-r8/app.mjs:10:2)`);
add('path-file-url', 'module', 'nda-s9', `Error [ERR_MODULE_NOT_FOUND]: Cannot find module 'file:///Users/${PLANTED_USER}/nda-s9/model.js'`);
add('path-file-url', 'encoded', 'top%20secret%20t0', `import failed: file://${PLANTED_HOME}/top%20secret%20t0/x.mjs`);

// Home directory.
add('home-dir', 'env', PLANTED_HOME, `config: HOME=${PLANTED_HOME} TMPDIR=/tmp`);
add('home-dir', 'cwd', PLANTED_HOME, `process.cwd() is ${PLANTED_HOME}, expected a project directory`);
add('home-dir', 'windows', `C:\\Users\\${PLANTED_USER}`, `USERPROFILE=C:\\Users\\${PLANTED_USER}`);

// User name.
add('user-name', 'plain', PLANTED_USER, `Permission denied for user ${PLANTED_USER}`);
add('user-name', 'upper', PLANTED_USER.toUpperCase(), `OWNER ${PLANTED_USER.toUpperCase()} HAS NO ACCESS`);
add('user-name', 'url-path', PLANTED_USER, `fetch https://github.com/${PLANTED_USER}/private-repo failed: 404`);
add('user-name', 'user@host', PLANTED_USER, `Model saved by ${PLANTED_USER}@${PLANTED_HOST}`);
add('user-name', 'quoted', PLANTED_USER, `{"owner":"${PLANTED_USER}","ok":false}`);

// Host name.
add('host-name', 'econnrefused', PLANTED_HOST, `Error: connect ECONNREFUSED ${PLANTED_HOST}:5432`);
add('host-name', 'fqdn', PLANTED_HOST, `Running on ${PLANTED_HOST}.corp.example.com with 2 GPUs`);
add('host-name', 'upper', PLANTED_HOST.toUpperCase(), `WORKER ${PLANTED_HOST.toUpperCase()} LOST`);
add('host-name', 'url', PLANTED_HOST, `Jupyter at http://${PLANTED_HOST}:8888/lab is unreachable`);

// E-mail.
add('email', 'login', 'zed.doe@example.com', 'Invalid login for zed.doe@example.com (401)');
add('email', 'plus', 'ml-team+alerts@acme-corp.co.uk', 'notify ml-team+alerts@acme-corp.co.uk failed');
add('email', 'author', 'jane.roe@university.edu', '{"author": "Jane Roe <jane.roe@university.edu>"}');
add('email', 'underscore', 'first_last@mail.example.org', 'From: first_last@mail.example.org; To: ops');

// IPv4.
add('ipv4', 'econnrefused', '192.168.10.23', 'Error: connect ECONNREFUSED 192.168.10.23:8080');
add('ipv4', 'client', '10.0.0.254', 'Client 10.0.0.254 disconnected after 3.2s');
add('ipv4', 'kv', '203.0.113.77', 'bind failed host=203.0.113.77 port=9000');
add('ipv4', 'list', '172.16.5.9', 'X-Forwarded-For: 198.51.100.4, 172.16.5.9');

// IPv6.
add('ipv6', 'compressed', '2001:db8:85a3::8a2e:370:7334', 'connect ETIMEDOUT 2001:db8:85a3::8a2e:370:7334 port 443');
add('ipv6', 'link-local', 'fe80::1ff:fe23:4567:890a', 'listening on fe80::1ff:fe23:4567:890a%eth0');
add('ipv6', 'full', '2001:0db8:0000:0000:0000:ff00:0042:8329', 'peer 2001:0db8:0000:0000:0000:ff00:0042:8329 reset');
add('ipv6', 'bracketed', '2001:db8::1', 'Error: connect ECONNREFUSED [2001:db8::1]:443');
add('ipv6', 'v4-mapped', '192.0.2.128', 'remote ::ffff:192.0.2.128 closed');

// MAC.
add('mac', 'colon', '00:1A:2B:3C:4D:5E', 'nvidia-smi: GPU 0 bound to interface 00:1A:2B:3C:4D:5E');
add('mac', 'dash', 'a4-5e-60-c2-19-ff', 'network adapter a4-5e-60-c2-19-ff not found');

// URL credentials.
add('url-credentials', 'postgres', 'S3cr3tPw', 'connect failed: postgres://admin:S3cr3tPw@db.internal.example:5432/prod');
add('url-credentials', 'https', 'tok3n-u1', 'GET https://zed:tok3n-u1@registry.example.com/pkg -> 403');
add('url-credentials', 'mongodb', 'p4ssw0rd-v2', 'MongoServerError at mongodb+srv://svc:p4ssw0rd-v2@cluster0.example.net/db?retryWrites=true');
add('url-credentials', 'redis-ip', 'redispass-w3', 'Redis error redis://:redispass-w3@10.0.0.5:6379');

// URL query strings / fragments.
add('url-query', 'api_key', 'qk-x4-ABCDEF', 'GET https://api.example.com/v1/data?api_key=qk-x4-ABCDEF&fmt=json failed');
add('url-query', 'signature', 'sig-y5-abcdef123', 'S3 upload failed: https://storage.example.com/bucket/obj?X-Amz-Signature=sig-y5-abcdef123&X-Amz-Expires=300');
add('url-query', 'session', 'sess-z6-998877', 'redirect to https://hooks.example.com/callback?session=sess-z6-998877');
add('url-query', 'fragment', 'frag-a7-xyz', 'opened https://example.com/auth#access_token=frag-a7-xyz');
add('url-query', 'ip-host', '10.9.8.7', 'POST http://10.9.8.7:5000/predict?user=bob failed');

// Bearer / Basic.
const bearer1 = gen(ALNUM + '._-', 40);
const bearer2 = gen(ALNUM, 32);
add('bearer', 'authorization', bearer1, `request failed with header Authorization: Bearer ${bearer1}`);
add('bearer', 'lowercase', bearer2, `sent bearer ${bearer2} to upstream`);
add('bearer', 'basic', basicAuth, `Authorization: Basic ${basicAuth}`);

// API keys, one row per shape.
const keys: Array<[string, string]> = [
  ['openai-sk', p('sk', '-', gen(ALNUM, 48))],
  ['openai-sk-proj', p('sk', '-proj-', gen(B64URL, 64))],
  ['anthropic', p('sk', '-ant-api03-', gen(B64URL, 80))],
  ['github-ghp', p('gh', 'p_', gen(ALNUM, 36))],
  ['github-gho', p('gh', 'o_', gen(ALNUM, 36))],
  ['github-pat', p('github', '_pat_', gen(ALNUM, 22), '_', gen(ALNUM, 59))],
  ['aws-akia', p('AK', 'IA', gen(UPPER_NUM, 16))],
  ['slack-xoxb', p('xo', 'xb-', gen('0123456789', 12), '-', gen('0123456789', 13), '-', gen(ALNUM, 24))],
  ['slack-xoxp', p('xo', 'xp-', gen('0123456789', 12), '-', gen(ALNUM, 30))],
  ['huggingface', p('hf', '_', gen(ALNUM, 34))],
  ['gitlab', p('gl', 'pat-', gen(B64URL, 20))],
  ['google', p('AI', 'za', gen(B64URL, 35))],
  ['stripe-sk-live', p('sk', '_live_', gen(ALNUM, 24))],
  ['stripe-rk-live', p('rk', '_live_', gen(ALNUM, 24))],
  ['npm', p('np', 'm_', gen(ALNUM, 36))],
];
const keyTemplates = [
  (k: string) => `Error: 401 Unauthorized (key ${k})`,
  (k: string) => `client init failed: "${k}" rejected`,
  (k: string) => `using credential ${k}\n    at auth (node_modules/some-sdk/dist/index.js:1:1)`,
];
keys.forEach(([label, k], i) => add('api-key', label, k, keyTemplates[i % keyTemplates.length](k)));

// JWT.
add('jwt', 'plain', jwt, `JsonWebTokenError: jwt expired: ${jwt}`);
add('jwt', 'json', jwt, `{"id_token":"${jwt}","expires":3600}`);

// key=value pairs.
add('key-value', 'password=', 'hunter2-b8', 'login failed: password=hunter2-b8 user=svc');
add('key-value', 'env-quoted', 'correct horse b9', 'DB_PASSWORD: "correct horse b9"');
add('key-value', 'json-token', 'tk-c0-abcdef', '{"token": "tk-c0-abcdef", "ok": false}');
add('key-value', 'client_secret', 'cs-d1-zzz', 'OAuth error client_secret=cs-d1-zzz&grant_type=x');
add('key-value', 'cli-flag', 'ak-e2-123', 'spawn: tool --api-key ak-e2-123 --verbose');
add('key-value', 'HF_TOKEN', 'hf-like-f3', 'env HF_TOKEN=hf-like-f3 is invalid');
add('key-value', 'aws-secret', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
add('key-value', 'api_key-yaml', 'yk-g4-999', "config: { api_key: 'yk-g4-999' }");

// Long hex.
const hex64 = gen(HEX, 64);
const hex40 = gen(HEX, 40);
const hex32 = gen(HEX, 32).toUpperCase();
add('long-hex', 'sha256', hex64, `integrity mismatch: expected ${hex64}`);
add('long-hex', 'sha1', hex40, `session ${hex40} expired`);
add('long-hex', 'upper-32', hex32, `device key 0x${hex32} rejected`);

// Long base64 / base64url.
const b64 = gen(B64, 42) + '==';
const b64url = gen(B64URL, 64);
add('long-base64', 'std', b64, `decrypt failed for blob ${b64}`);
add('long-base64', 'url', b64url, `refresh grant ${b64url} invalid`);

// ---- shapes added with the second round (issue "redaction without gaps") --------------------

// Percent-encoded paths.
add('path-percent-encoded', 'home', 'secret-proj-pe1', `GET /download?f=%2Fhome%2F${PLANTED_USER}%2Fsecret-proj-pe1%2Fdata.csv failed`);
add('path-percent-encoded', 'standalone', 'acme-pe2', `cannot open %2Fsrv%2Facme-pe2%2Fmodel.onnx`);
add('path-percent-encoded', 'file-url', 'vault-pe3', `load file%3A%2F%2F%2FUsers%2F${PLANTED_USER}%2Fvault-pe3%2Fm.bin rejected`);
add('path-percent-encoded', 'windows', 'merger-pe4', `path=C%3A%5CUsers%5C${PLANTED_USER}%5Cmerger-pe4%5Cx.onnx`);
add('path-percent-encoded', 'quoted', 'ledger-pe5', `{"key":"%2Fmnt%2Fledger-pe5%2Fdb"}`);

// Paths in JSON-escaped text (a literal backslash-n before the path).
add('path-json-escaped', 'after-newline', 'clinic-je1', `{"message":"load failed\\n/home/${PLANTED_USER}/clinic-je1/train.csv"}`);
add('path-json-escaped', 'stack', 'bank-je2', `{"stack":"Error: x\\n    at f (/opt/bank-je2/app.js:1:2)\\n    at g (node:internal/x:1:1)"}`);
add('path-json-escaped', 'windows-after-tab', 'secret-je3', `"col\\tC:\\\\Users\\\\${PLANTED_USER}\\\\secret-je3\\\\m.onnx"`);
add('path-json-escaped', 'escaped-quotes', 'payroll-je4', `{"err":"open \\"/var/payroll-je4/db.sqlite\\" failed"}`);
add('path-json-escaped', 'after-cr', 'hr-je5', `line\\r/srv/hr-je5/export.xlsx`);

// Network shares: smb:, cifs:, nfs:, UNC (also the `\\?\` long-path form).
add('path-smb-unc', 'smb', 'fileserver-sm1', 'mount failed: smb://fileserver-sm1/share/finance/q3.xlsx');
add('path-smb-unc', 'smb-creds', 'corp-sm2', 'smb://DOMAIN;svc@corp-sm2/ml');
add('path-smb-unc', 'unc-data', 'nas-sm3', 'EACCES \\\\nas-sm3\\ml\\datasets\\private.csv');
add('path-smb-unc', 'nfs', 'storage-sm4', 'stale handle nfs://storage-sm4/export/ckpt');
add('path-smb-unc', 'unc-long', 'legal-sm5', 'open \\\\?\\C:\\legal-sm5\\contract.pdf failed');
add('path-smb-unc', 'unc-json', 'archive-sm6', '{"share":"\\\\\\\\archive-sm6\\\\backup"}');

// Relative model paths and file names (tfjs handlers and friends).
add('path-relative', 'save-handler', 'rel1-model', "Cannot find any save handlers for URL 'out/rel1-model'");
add('path-relative', 'load-handler', 'rel2-net', "Cannot find any load handlers for URL 'models/rel2-net/model.json'");
add('path-relative', 'dot-slash', 'rel3-data', "ENOENT: no such file or directory, open './rel3-data/train.csv'");
add('path-relative', 'localstorage', 'rel4-model', 'Cannot find model with path localstorage://rel4-model');
add('path-relative', 'indexeddb', 'rel5-cache', "Failed to fetch 'indexeddb://rel5-cache'");
add('path-relative', 'file-url-relative', 'rel6-ckpt', 'Error saving to file://rel6-ckpt/model.json');
add('path-relative', 'bare-file', 'rel7-merger', 'model file rel7-merger.onnx has an unsupported opset');
add('path-relative', 'unquoted-ext', 'rel8-weights', 'Failed to load rel8-weights/group1-shard1of1.bin: bad size');
add('path-relative', 'from-dir', 'rel9-exp', 'could not read checkpoints from rel9-exp/run-3');

// The app's own file names in stack frames.
add('app-frame', 'posix', 'acme-af1', `Error: x\n    at trainMerger (${PLANTED_HOME}/proj/acme-af1.mjs:175:17)`);
add('app-frame', 'bare-location', 'secret-af2', 'TypeError: y\n    at secret-af2.mjs:175:17');
add('app-frame', 'file-url', 'client-af3', 'RangeError: z\n    at file:///srv/app/client-af3.js:3:9\n    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)');
add('app-frame', 'windows', 'payroll-af4', 'Error: w\n    at Object.<anonymous> (D:\\work\\payroll-af4.cjs:3:9)');
add('app-frame', 'worker', 'tenant-af5', `Error: v\n    at Worker.run (/opt/tenant-af5/worker.js:10:1)`);

// Card numbers (Luhn-valid, generated per network).
function luhnComplete(prefix: string, length: number): string {
  let s = prefix;
  while (s.length < length - 1) s += String(Math.floor(rnd() * 10));
  for (let d = 0; d < 10; d++) {
    const c = s + d;
    let sum = 0;
    for (let i = 0; i < c.length; i++) {
      let x = Number(c[c.length - 1 - i]);
      if (i % 2 === 1) { x *= 2; if (x > 9) x -= 9; }
      sum += x;
    }
    if (sum % 10 === 0) return c;
  }
  throw new Error('unreachable');
}
const visa = luhnComplete('4', 16);
const mc = luhnComplete('53', 16);
const amex = luhnComplete('37', 15);
const disc = luhnComplete('6011', 16);
const group4 = (n: string) => n.replace(/(\d{4})(?=\d)/g, '$1 ');
add('card', 'visa-spaced', group4(visa), `payment failed for card ${group4(visa)} (declined)`);
add('card', 'mastercard-dashed', mc.replace(/(\d{4})(?=\d)/g, '$1-'), `pan=${mc.replace(/(\d{4})(?=\d)/g, '$1-')}`);
add('card', 'amex-plain', amex, `{"card":"${amex}","cvv":"123"}`);
add('card', 'discover-cvv', disc, `charge ${disc} 123 12/29`);

// PEM blocks.
const pemBody = Array.from({ length: 4 }, () => gen(B64, 64));
add('pem', 'rsa', pemBody[0], `key rejected: -----BEGIN RSA PRIVATE KEY-----\n${pemBody.join('\n')}\n-----END RSA PRIVATE KEY-----`);
add('pem', 'json-escaped', pemBody[1], `{"private_key":"-----BEGIN PRIVATE KEY-----\\n${pemBody.join('\\n')}\\n-----END PRIVATE KEY-----\\n"}`);
add('pem', 'unterminated', pemBody[2], `-----BEGIN OPENSSH PRIVATE KEY-----\n${pemBody.slice(0, 3).join('\n')}`);
add('pem', 'ec-inline', pemBody[3], `-----BEGIN EC PRIVATE KEY----- ${pemBody[3]} -----END EC PRIVATE KEY-----`);

// Cookies and CSRF tokens.
const csrf1 = gen(ALNUM, 32);
const csrf2 = gen(ALNUM, 24);
add('cookie-csrf', 'cookie-header', csrf1, `403 Forbidden: Cookie: csrftoken=${csrf1}; theme=dark`);
add('cookie-csrf', 'plain', csrf2, `CSRF verification failed (csrftoken=${csrf2})`);
add('cookie-csrf', 'x-header', 'xh-cs3-d41d', 'X-CSRFToken: xh-cs3-d41d');
add('cookie-csrf', 'form', 'fm-cs4-77aa', 'body csrfmiddlewaretoken=fm-cs4-77aa&next=/');
add('cookie-csrf', 'set-cookie', 'sc-cs5-beef', 'Set-Cookie: __Host-sess=sc-cs5-beef; Path=/; Secure');
add('cookie-csrf', 'xsrf-json', 'js-cs6-9911', '{"_xsrf": "js-cs6-9911"}');

// Token-like values right after `=` / `:` whatever the key is called.
const azure = gen(B64, 86) + '==';
const signing = gen(HEX, 64);
const enc = gen(B64URL, 43);
add('value-any-key', 'azure-conn', azure, `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${azure};EndpointSuffix=core.windows.net`);
add('value-any-key', 'signing-key', signing, `SIGNING_KEY=${signing} is too short for HS512`);
add('value-any-key', 'encryption-key', enc, `ENCRYPTION_KEY=${enc}`);
const anyKey1 = gen(ALNUM, 24);
add('value-any-key', 'unknown-name', anyKey1, `config FOO_BAR=${anyKey1} invalid`);
const anyKey2 = gen(B64URL, 40);
add('value-any-key', 'yaml-colon', anyKey2, `webhook: ${anyKey2}`);
const anyHex = gen(HEX, 24);
add('value-any-key', 'short-hex', anyHex, `{"deviceCode":"${anyHex}"}`);

// URL passwords a parser would not accept (`/`, space, `@`).
add('url-password-odd', 'slash', 'pa/ss-up1', 'ECONNREFUSED postgres://svc:pa/ss-up1@db.internal:5432/prod');
add('url-password-odd', 'space', 'my pass up2', 'GET https://bob:my pass up2@host.example.com/x failed');
add('url-password-odd', 'at-sign', 'p@ss-up3', 'mysql://root:p@ss-up3@db.example.com/db refused');
const gitToken = gen(ALNUM, 30);
add('url-password-odd', 'user-token', gitToken, `fatal: unable to access 'https://${gitToken}@github.com/acme/repo.git/'`);
add('url-password-odd', 'amqp-space-slash', 'a b/c-up5', 'amqp://guest:a b/c-up5@rabbit:5672 closed');

// More shapes for earlier categories.
add('mac', 'cisco', '001a.2b3c.4d5e', 'arp entry 001a.2b3c.4d5e on Vlan10');
add('mac', 'eui64', '00:1a:2b:ff:fe:3c:4d:5e', 'interface id 00:1a:2b:ff:fe:3c:4d:5e');
add('mac', 'upper-dash', 'AA-BB-CC-11-22-33', 'Physical Address. . . : AA-BB-CC-11-22-33');
add('email', 'json-escaped', 'ops.m5@acme-corp.io', '{"e":"notify\\nops.m5@acme-corp.io"}');
add('email', 'mailto', 'privacy-m6@acme.dev', 'see mailto:privacy-m6@acme.dev');
add('ipv4', 'json-escaped', '10.44.3.2', '{"m":"peer\\n10.44.3.2 gone"}');
add('ipv6', 'json-escaped', 'fd00:1:2:3::7', '{"m":"peer\\nfd00:1:2:3::7 gone"}');
const moreKeys: Array<[string, string]> = [
  ['groq', p('gs', 'k_', gen(ALNUM, 52))],
  ['xai', p('xa', 'i-', gen(ALNUM, 80))],
  ['anthropic-admin', p('sk', '-ant-admin01-', gen(B64URL, 80))],
  ['stripe-webhook', p('wh', 'sec_', gen(ALNUM, 32))],
  ['docker-pat', p('dck', 'r_pat_', gen(B64URL, 27))],
  ['google-oauth', p('ya', '29.', gen(B64URL, 60))],
  ['google-client-secret', p('GOC', 'SPX-', gen(B64URL, 28))],
  ['databricks', p('da', 'pi', gen(HEX, 32))],
  ['pypi', p('pypi-AgEIcHlwaS5vcmc', gen(B64URL, 60))],
  ['telegram', p(gen('0123456789', 9), ':AA', gen(B64URL, 33))],
  ['unknown-provider', p('acme', '_live_', gen(ALNUM, 28))],
];
moreKeys.forEach(([label, k], i) => add('api-key', label, k, keyTemplates[i % keyTemplates.length](k)));
add('jwt', 'bearer', jwt, `Authorization: Bearer ${jwt}`);
add('jwt', 'json-escaped', jwt, `{"log":"token\\n${jwt}"}`);
add('bearer', 'json-header', bearer1, `{"headers":{"authorization":"Bearer ${bearer1}"}}`);
const b64bare = gen(B64, 40);
add('long-base64', 'aws-secret-bare', b64bare, `credentials rejected: ${b64bare} (AccessDenied)`);
const b64sess = gen(B64URL, 96);
add('long-base64', 'session-blob', b64sess, `{"state":"${b64sess}"}`);
const b64gcp = gen(B64, 64) + '=';
add('long-base64', 'yaml-data', b64gcp, `data:\n  tls.key: ${b64gcp}`);
const hex128 = gen(HEX, 128);
add('long-hex', 'sha512', hex128, `checksum ${hex128} does not match`);
const hexSig = gen(HEX, 64);
add('long-hex', 'webhook-signature', hexSig, `X-Hub-Signature-256: sha256=${hexSig} invalid`);
const hexKey = gen(HEX, 48).toUpperCase();
add('long-hex', 'json-escaped', hexKey, `{"m":"key\\n${hexKey}"}`);
add('key-value', 'camel', 'cm-kv9-zz1', 'new Client({ clientSecret: "cm-kv9-zz1" })');
add('key-value', 'password-url-form', 'fm-kv10', 'grant_type=password&username=bob&password=fm-kv10');

export const REDACT_CORPUS: readonly CorpusRow[] = Object.freeze(rows);

/** Categories whose secrets are compared case-insensitively (names match in any case). */
export const CASE_INSENSITIVE_CATEGORIES: ReadonlySet<CorpusCategory> = new Set(['user-name', 'host-name', 'home-dir']);
