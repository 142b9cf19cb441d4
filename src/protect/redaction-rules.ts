// What a secret is: one entry per shape, applied in this order by the engine (redaction-engine.ts).
// A new shape is one entry here plus its lines in test/protect/redact-corpus.ts.
//
// Replacement tokens are all `<word>` or `<path:hex>`; `<` and `>` are excluded from every rule's
// character classes, so a token can never be matched, extended or joined by a later rule (that
// is what makes the pipeline idempotent).
//
// Text is often JSON-escaped (a message inside a JSON string): a literal `\n`, `\t`, `\r` counts
// as a boundary before a path, address or key (ESC_BOUNDARY), exactly like the real character.
//
// Every pattern is linear: anchored by a lookbehind at the start of a run, no nested ambiguous
// quantifiers, lazy parts bounded.

import type { RedactEnv } from './redaction-context.js';
import { mapPath, mapPathInText, mapUrl, pathToken } from './redact-paths.js';

export const TOKENS = {
  path: '<path:…>',
  url: '<url>',
  email: '<email>',
  ip: '<ip>',
  mac: '<mac>',
  card: '<card>',
  secret: '<secret>',
  user: '<user>',
  host: '<host>',
} as const;

type Replace = (env: RedactEnv, match: string, ...groups: Array<string | undefined>) => string;

export interface RedactionRule {
  /** Short id, also used in docs and tests. */
  readonly name: string;
  /** What it removes (docs/privacy.md). */
  readonly what: string;
  /** Global regex, or one built from the context (identities). */
  readonly pattern: RegExp | ((env: RedactEnv) => RegExp | undefined);
  readonly replace: Replace;
}

// A literal `\n`, `\r`, `\t` (JSON-escaped text) right before a run counts as a boundary.
const ESC = String.raw`(?<=\\[nrt])`;
/** Start of a run: not after one of `cls` (a character class body), or right after an escape. */
const startNotAfter = (cls: string): string => `(?:(?<![${cls}])|${ESC})`;

// ---------------------------------------------------------------------------------------------
// Paths and URLs
// ---------------------------------------------------------------------------------------------

// A path segment: anything but whitespace, separators, quotes, brackets and the characters that
// end a path in messages (`:` so `file.js:10:5` keeps its line:col, `,` `;` `|` `*` `?`).
const SEG_CHAR = String.raw`[^\s"'\x60<>()\[\]{}:,;|*?\\/…]`;
const SEG = `${SEG_CHAR}+`;
// A word after a space inside a segment: no `=`, so `HOME=/home/a TMPDIR=/tmp` stays two paths.
const SEG_CONT = String.raw`[^\s"'\x60<>()\[\]{}:,;|*?\\/…=]+`;
// Intermediate segments may contain short runs of spaces ("My Project/") because they are
// followed by a separator; the last one may only when it ends a stack location (`x y.js:1:2)`).
const INNER = (sep: string): string => `(?:${SEG}(?: {1,3}${SEG_CONT}){0,16}${sep})*`;
const LAST = `(?:${SEG}(?: {1,3}${SEG_CONT}){1,16}(?=:\\d+:\\d+\\)?(?!\\S))|${SEG})?`;
const LINE_COL = String.raw`(?::\d+){0,2}`;

// URL: scheme, optional userinfo (greedy up to the last `@` on the line within 128 chars, so a
// password may contain `/` or a space), authority, rest.
const URL_RE = new RegExp(
  String.raw`${startNotAfter(String.raw`A-Za-z0-9+.\-\\`)}([A-Za-z][A-Za-z0-9+.\-]{0,30}):\/\/` +
    String.raw`(?:([^\s/?#@<>"'\x60\\]*:[^@\r\n<>"'\x60]{0,128}|[^\s/?#@:<>"'\x60\\]{1,256})@(?=[A-Za-z0-9\[]))?` +
    String.raw`([^\s/?#"'\x60<>\\(){}]*)([^\s"'\x60<>(){}\[\]\\]*)`,
  'g',
);
// `file:relative` / `file:/x` (no `//`): a location all the same.
const FILE_NO_SLASHES_RE = new RegExp(String.raw`${startNotAfter(String.raw`A-Za-z0-9+.\-\\`)}file:(?!\/\/)((?:${SEG_CHAR}|[\\/])+)`, 'gi');
// Windows UNC `\\server\share\...` (more backslashes when the text was JSON-escaped, once or twice).
const UNC_SRC = String.raw`${startNotAfter(String.raw`\\A-Za-z0-9`)}\\{2,16}(?=${SEG_CHAR})${INNER(String.raw`[\\/]+`)}${LAST}`;
// Windows drive path `C:\...` or `C:/...`.
const WIN_SRC = String.raw`${startNotAfter('A-Za-z0-9')}[A-Za-z]:[\\/]+${INNER(String.raw`[\\/]+`)}${LAST}`;
// POSIX absolute path (or `~/...`): must start a token (after whitespace, a bracket, a quote,
// `=`, `:`, `,`, `;`, `|`) so `node_modules/x`, `a/b`, `node:internal/x` are never treated as one.
// `//` only when not right after `scheme:` (that is a URL, or what the URL rule left of one).
const POSIX_SRC = String.raw`(?:(?<=^|[\s(\[{"'\x60=,;:|*])|${ESC})(?:~?\/(?!\/)|(?<![A-Za-z0-9+.\-]:)\/\/)(?=${SEG_CHAR})${INNER('\\/+')}${LAST}`;
const ABSOLUTE_RE = new RegExp(`(?:${UNC_SRC})|(?:${WIN_SRC})|(?:${POSIX_SRC})`, 'gu');
// Percent-encoded paths: `%2Fhome%2Fzed%2F…`, `C%3A%5CUsers%5C…`, `file%3A%2F%2F…`.
const PCT_PATH_RE = /(?<![A-Za-z0-9%])(?:file%3A|[A-Za-z]%3A|~)?(?:%2F|%5C)(?:[A-Za-z0-9._~!$&*+=@-]|%[0-9A-Fa-f]{2})+/gi;
// A separator inside a relative path: `/`, or a backslash that is not a JSON escape (`\n`, `\"`…).
const REL_SEP = String.raw`(?:\/+|\\{2}|\\(?![nrt"\\]))`;
// Relative paths that start with `./` or `../` (`.\` on Windows).
const DOT_RELATIVE_RE = new RegExp(String.raw`(?:(?<=^|[\s(\[{"'\x60=,;:|])|${ESC})\.{1,2}[\\/]+(?:${SEG_CHAR}+[\\/]+)*(?:${SEG_CHAR}+)?`, 'gu');
// A quoted string that is a relative path: `'out/model'`, `"data\\train"` (also JSON-escaped quotes).
const QUOTED_RELATIVE_RE = /(?<=['"\x60])[^\s'"\x60<>\\/:()[\]{}]+(?:(?:\\{2}|\\(?![nrt"\\])|\/)[^\s'"\x60<>\\/:()[\]{}]+)+(?:\\{2}|\/)?(?=\\?['"\x60])/g;
// Where a message says what follows is a location: `path out/model`, `from data/x`.
const CONTEXT_RELATIVE_RE = new RegExp(
  String.raw`(?<![A-Za-z])((?:path|url|uri|file|filename|dir|directory|folder|location|model|checkpoint|open|load|save|read|write|from|into|to)[ \t]*[:=]?[ \t]+)(?![<…])` +
    String.raw`(${SEG_CONT}(?:${REL_SEP}${SEG_CONT})+(?:\/|\\{2})?)`,
  'gi',
);
// Any relative path whose last segment has a file extension: `data/train.csv`, `src/a.js:3:4`.
// (Segments without `=`: a run may start after any `=`, and must not reach over the next start.)
const EXT_RELATIVE_RE = new RegExp(String.raw`(?:(?<=^|[\s(\[{=,;|])|${ESC})${SEG_CONT}(?:${REL_SEP}${SEG_CONT})+${LINE_COL}`, 'gu');
const FILE_EXT_RE = /\.[A-Za-z][A-Za-z0-9_]{0,9}$/;
const MIME_RE = /^(?:application|text|image|audio|video|multipart|font|model|message)\/[\w.+-]+$/i;
// A file name on its own: data and model files anywhere; code files only as a stack location.
// (Not `.log`, `.env`, `.model`, `.engine`, `.weights`, `.json`: `console.log`, `process.env`,
// `tf.engine`, `layer.weights`, `res.json` are code, not files.)
const DATA_EXTS = 'onnx|ort|bin|pb|pbtxt|tflite|safetensors|gguf|ggml|pt|pth|ckpt|h5|hdf5|keras|msgpack|npz|npy|csv|tsv|parquet|jsonl|ndjson|arrow|feather|pkl|pickle|joblib|mlmodel|txt|zip|tar|gz|tgz|7z|sqlite|sqlite3|xlsx|xls|docx|pdf|png|jpe?g|webp|wav|mp3|flac|mp4|yaml|yml|toml|ini|pem|crt|p12|pfx';
const BARE_FILE_RE = new RegExp(
  String.raw`${startNotAfter(String.raw`A-Za-z0-9_.\-/\\<@`)}[A-Za-z0-9_][A-Za-z0-9_.\-]{0,200}(?:\.(?:${DATA_EXTS})(?![A-Za-z0-9_])${LINE_COL}|\.(?:[cm]?[jt]sx?|py|node|wasm|json)(?=:\d+\b)${LINE_COL})`,
  'gi',
);

// ---------------------------------------------------------------------------------------------
// Token-like secrets
// ---------------------------------------------------------------------------------------------

// PEM blocks: BEGIN, then base64 chunks separated by line breaks or spaces (flattened PEMs in
// environment variables), also literal `\n` in escaped text, up to END. A chunk is a base64 line
// (16+ chars), a padded short last line, or whatever stands right before END, so the words of a
// message after a cut-off block are not taken for its body.
const PEM_CHUNK = String.raw`(?:[A-Za-z0-9+/]{16,}={0,2}|[A-Za-z0-9+/]{1,15}={1,2}(?=\s|\\[nrt]|$)|[A-Za-z0-9+/=]{1,80}(?=(?:\s|\\[nrt])*-----END))`;
const PEM_RE = new RegExp(String.raw`-----BEGIN [A-Z0-9 ]{1,40}-----(?:(?:\s|\\[nrt])+${PEM_CHUNK})*(?:(?:\s|\\[nrt])*-----END [A-Z0-9 ]{1,40}-----)?`, 'g');
// JSON Web Tokens (and JWE): header always starts with `{"` → `eyJ`.
const JWT_RE = new RegExp(String.raw`${startNotAfter('A-Za-z0-9_\\-')}eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){1,3}`, 'g');
// `Bearer <token>` / `Basic <base64>` / `Token <t>`; the value must look like a token (digit or
// >= 20 chars), so "Basic information" survives.
const BEARER_RE = /(?<![A-Za-z0-9])(Bearer|bearer|BEARER|Basic|basic|BASIC)([ \t]+)(?![<…])([A-Za-z0-9._~+/-]+=*)/g;
// A Cookie / Set-Cookie header: the whole value, whatever the cookie names.
const COOKIE_RE = /(?<![A-Za-z0-9_-])((?:set-)?cookie["']?[ \t]*[:=][ \t]*)(?![\s<…])((?:[^\r\n"'\\]|\\(?![nrt"]))+)/gi;
// key=value / key: value / "key": "value" where the key ends in a word that names a secret;
// sensitiveKey() decides on the whole key (word boundaries, ML vocabulary).
const KV_RE = new RegExp(
  String.raw`${startNotAfter(String.raw`A-Za-z0-9_.\-<`)}([A-Za-z0-9_.\-]{0,48}?(?:key|token|secret|passw(?:or)?d|pwd|pass|passphrase|credentials?|creds|auth|authorization|signature|sig|[cx]srf[a-z_]{0,24}|session(?:id)?|sessid|sid|cookie|dsn|jwt|otp|salt|sas|connection[_-]?string))((?:\\{0,7}["'])?[ \t]*[:=][ \t]*)` +
    String.raw`(?:(\\{1,7})"((?:[^"\\\r\n]|\\(?!\\{0,6}"))*)(?:\\{1,7}"|$)|"([^"\r\n]*)(?:"|$)|'([^'\r\n]*)(?:'|$)|(?!(?:Bearer|Basic|Token)[ \t]+<)((?:(?:Bearer|Basic|Token)[ \t]+)?)(?![<…])((?:[^\s"'\x60,;&<>(){}\[\]…\\]|\\(?!["\\nrt]))+))`,
  'gi',
);
// CLI flags: `--token abc`, `--password hunter2` (the `--password=x` form is KV's).
const FLAG_RE = /(?<![A-Za-z0-9-])(--?(?:pass(?:word|wd|phrase)?|token|api[_-]?key|secret|access[_-]?token|auth[_-]?token|hf[_-]?token|key|client[_-]?secret))([ \t]+)(?![<…-])([^\s"'`<>…]+)/gi;

// Provider key shapes (gitleaks / detect-secrets / GitHub secret scanning lists).
const API_KEY_SHAPES = [
  'sk-(?:proj-|ant-(?:api|admin)\\d\\d-|svcacct-|admin-|or-v1-)?[A-Za-z0-9_-]{20,}', // OpenAI, Anthropic, OpenRouter
  '(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}', // Stripe
  'whsec_[A-Za-z0-9]{20,}', // Stripe webhooks
  'gh[pousr]_[A-Za-z0-9]{30,}', // GitHub
  'github_pat_[A-Za-z0-9_]{22,}',
  '(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])', // AWS access key id
  'xox[abposre]-[A-Za-z0-9-]{10,}', // Slack
  'xapp-[A-Za-z0-9-]{10,}',
  '(?:hf_|api_org_)[A-Za-z0-9]{20,}', // Hugging Face
  'gl(?:pat|dt|rt|ptt|ft|cbt|soat)-[A-Za-z0-9_-]{20,}', // GitLab
  'AIza[0-9A-Za-z_-]{35}', // Google API key
  'ya29\\.[0-9A-Za-z_-]{20,}', // Google OAuth access token
  'GOCSPX-[A-Za-z0-9_-]{20,}', // Google OAuth client secret
  'npm_[A-Za-z0-9]{36}', // npm
  'pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{20,}', // PyPI
  'SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}', // SendGrid
  'r8_[A-Za-z0-9]{30,}', // Replicate
  'gsk_[A-Za-z0-9]{40,}', // Groq
  'pplx-[A-Za-z0-9]{40,}', // Perplexity
  'xai-[A-Za-z0-9]{40,}', // xAI
  'lin_(?:api|oauth)_[A-Za-z0-9]{30,}', // Linear
  '(?:secret|ntn)_[A-Za-z0-9]{40,}', // Notion
  'shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}', // Shopify
  'do[opr]_v1_[a-f0-9]{64}', // DigitalOcean
  'dapi[a-f0-9]{32}', // Databricks
  'dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,}', // Doppler
  '(?:AC|SK)[a-f0-9]{32}', // Twilio
  'key-[a-f0-9]{32}', // Mailgun
  '[a-f0-9]{32}-us\\d{1,2}', // Mailchimp
  'sq0(?:atp|csp)-[A-Za-z0-9_-]{22,}', // Square
  'PMAK-[a-f0-9]{24}-[a-f0-9]{34}', // Postman
  'sntr[ysu]_[A-Za-z0-9+/=_-]{30,}', // Sentry
  'gl(?:c|sa)_[A-Za-z0-9+/=_-]{30,}', // Grafana
  'hv[sbr]\\.[A-Za-z0-9_-]{24,}', // HashiCorp Vault
  '[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,}', // Terraform Cloud
  'AGE-SECRET-KEY-1[0-9A-Z]{58}', // age
  'ATATT3[A-Za-z0-9_=-]{50,}', // Atlassian
  'dckr_pat_[A-Za-z0-9_-]{20,}', // Docker Hub
  'fo1_[A-Za-z0-9_-]{30,}', // Fly.io
  'rnd_[A-Za-z0-9]{30,}', // Render
  'wandb_v1_[A-Za-z0-9_-]{30,}', // Weights & Biases (new form)
  'nvapi-[A-Za-z0-9_-]{40,}', // NVIDIA
  '\\d{8,10}:AA[A-Za-z0-9_-]{33}', // Telegram bot
  '[A-Za-z0-9_~.]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}', // Azure AD client secret
];
const API_KEY_RE = new RegExp(`${startNotAfter('A-Za-z0-9_\\-')}(?:${API_KEY_SHAPES.join('|')})`, 'g');
// Any other provider's `prefix_<random>` / `prefix-live_<random>` key (the body decides, in code).
const PREFIXED_KEY_RE = new RegExp(`${startNotAfter('A-Za-z0-9_\\-')}([a-z][a-z0-9]{1,9}[_-](?:[a-z0-9]{2,8}[_-])?)([A-Za-z0-9]{16,})(?![A-Za-z0-9_-])`, 'g');

// A token-like value right after `=` or `:` whatever the key (`AccountKey=…`, `SIGNING_KEY=…`);
// not after a digest name (`sha256:<hex>` is a hash, e.g. of a model name).
const AFTER_SEP_RE = /(?<=[=:][ \t]{0,3}(?:\\{0,7}["'])?)(?<!(?:sha(?:1|224|256|384|512)?|md5)[ \t]*:[ \t]{0,3}(?:\\{0,7}["'])?)[A-Za-z0-9+/_.~-]{16,}={0,3}(?![A-Za-z0-9+/_.~=-])/gi;

const EMAIL_RE = new RegExp(String.raw`${startNotAfter('A-Za-z0-9._%+\\-')}[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])`, 'g');

// Candidate card numbers (13–19 digits, optional space/dash groups); Luhn and IIN decide.
const CARD_RE = new RegExp(String.raw`${startNotAfter(String.raw`0-9A-Za-z.\-`)}[2-6]\d(?:[ -]?\d){11,17}(?![0-9A-Za-z]|[.,]\d)`, 'g');

// MAC: 6 or 8 colon/dash groups, or Cisco's dotted form `001a.2b3c.4d5e`.
const MAC_RE = new RegExp(
  String.raw`${startNotAfter(String.raw`0-9A-Za-z:.\-`)}(?:[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?:(?:\1[0-9A-Fa-f]{2}){2})?(?![0-9A-Za-z-]|:[0-9A-Za-z])|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![0-9A-Za-z]|\.[0-9A-Za-z]))`,
  'g',
);

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_SRC = `${OCTET}(?:\\.${OCTET}){3}`;
const H16 = '[0-9A-Fa-f]{1,4}';
// Full 8-group form, or a compressed form with `::` (optionally ending in an embedded IPv4).
// Times (10:20:30) have neither 8 groups nor `::`; candidates are filtered in code (isIpv6).
const IPV6_RE = new RegExp(
  `${startNotAfter('0-9A-Za-z:.')}(?:(?:${H16}:){7}${H16}|(?:${H16}(?::${H16}){0,6})?::(?:(?:${H16}:){0,5}${IPV4_SRC}|${H16}(?::${H16}){0,6})?)(?:%[0-9A-Za-z._-]{1,32})?(?![0-9A-Za-z]|:[0-9A-Za-z:])`,
  'g',
);
// Exactly four dotted octets, not part of a longer dotted run (versions `1.2.3.4.5` stay).
const IPV4_RE = new RegExp(`${startNotAfter('0-9A-Za-z.')}${IPV4_SRC}(?![0-9A-Za-z]|\\.\\d)`, 'g');

const HEX_RE = new RegExp(String.raw`${startNotAfter('A-Za-z0-9')}(?:0x)?[0-9A-Fa-f]{32,}(?![A-Za-z0-9])`, 'g');
// Candidate base64 / base64url runs (also right after `=`); looksRandom() decides.
const B64_RE = new RegExp(String.raw`${startNotAfter('A-Za-z0-9+/_\\-')}[A-Za-z0-9+/_-]{32,}={0,2}(?![A-Za-z0-9+/_=-])`, 'g');

// ---------------------------------------------------------------------------------------------
// Decisions made in code
// ---------------------------------------------------------------------------------------------

/**
 * Is a base64/base64url-alphabet run random enough to be a secret? Ordinary identifiers and
 * paths (`TensorFlowBackendWebGL2Implementation`, `my-model-v2/epoch-10`) change character class
 * (upper/lower/digit) rarely; random data changes it on ~60% of adjacent pairs.
 */
export function looksRandom(run: string, afterSeparator = false): boolean {
  if (/(?:^|\/)node_modules(?:\/|$)/.test(run)) return false;
  let upper = 0;
  let lower = 0;
  let digit = 0;
  let pairs = 0;
  let changes = 0;
  let prev = 0;
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    const cls = c >= 65 && c <= 90 ? 1 : c >= 97 && c <= 122 ? 2 : c >= 48 && c <= 57 ? 3 : 0;
    if (cls === 1) upper++;
    else if (cls === 2) lower++;
    else if (cls === 3) digit++;
    if (cls && prev) {
      pairs++;
      if (cls !== prev) changes++;
    }
    prev = cls;
  }
  if (pairs === 0 || upper + lower === 0) return false;
  const ratio = changes / pairs;
  // Right after `=` / `:` the context already says "value": letters and digits mixed at all is
  // enough (an identifier with digits may go too; a random key must not stay).
  if (afterSeparator) return digit >= 1 ? ratio >= 0.2 : upper > 0 && lower > 0 && ratio >= 0.45;
  if (digit >= 2) return ratio >= 0.3;
  if (digit === 1) return ratio >= 0.45;
  return upper > 0 && lower > 0 && ratio >= 0.55;
}

function isHexSecret(v: string): boolean {
  return /^[0-9A-Fa-f]{16,}$/.test(v) && /[A-Fa-f]/.test(v) && (v.match(/\d/g) ?? []).length >= 2;
}

function isIpv6(candidate: string): boolean {
  const addr = candidate.replace(/%.*$/, '');
  if (!addr.includes('::')) return true; // full 8-group form
  if (/\d+\.\d+\.\d+\.\d+$/.test(addr)) return true; // embedded IPv4
  const groups = addr.split(':').filter(Boolean);
  if (groups.length > 7) return false;
  // `::1`, `[1::2]` (array slicing) stay; real compressed addresses have >= 3 groups or a long
  // group (fe80::1, 2001:db8::1).
  return groups.length >= 3 || groups.some((g) => g.length >= 3);
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes of the card networks (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro). */
const CARD_IIN_RE = /^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|35|6(?:011|5|4[4-9]|2)|5[06-9]|6)/;

// Last words of a key that make its value a secret (keys are split at `_ - .` and camelCase).
const SENSITIVE_WORDS: ReadonlySet<string> = new Set([
  'key', 'token', 'secret', 'password', 'passwd', 'pwd', 'pass', 'passphrase', 'credential', 'credentials', 'creds',
  'auth', 'authorization', 'signature', 'sig', 'csrf', 'csrftoken', 'xsrf', 'xsrftoken', 'csrfmiddlewaretoken',
  'sessionid', 'sessid', 'sid', 'session', 'jsessionid', 'phpsessid', 'cookie', 'dsn', 'apikey', 'jwt', 'otp', 'salt',
  'privatekey', 'accesskey', 'secretkey', 'accountkey', 'sharedaccesskey', 'clientsecret', 'authtoken', 'accesstoken',
  'refreshtoken', 'idtoken', 'bearer', 'connectionstring', 'sas',
]);
// Special-token names of ML configs (`pad_token: "[PAD]"`): their values are vocabulary.
const VOCAB_WORDS: ReadonlySet<string> = new Set(['pad', 'eos', 'bos', 'unk', 'cls', 'sep', 'mask', 'start', 'end', 'special', 'additional', 'decoder', 'sentinel', 'image', 'audio', 'vision', 'max', 'num', 'total', 'input', 'output', 'prompt', 'completion']);

export function sensitiveKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.\-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  const last = words[words.length - 1];
  if (last === undefined) return false;
  if (SENSITIVE_WORDS.has(words.join(''))) return true;
  if (!SENSITIVE_WORDS.has(last)) return false;
  if (last === 'token' && words.slice(0, -1).some((w) => VOCAB_WORDS.has(w))) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// The rules, in order
// ---------------------------------------------------------------------------------------------

const S = TOKENS.secret;

export const RULES: readonly RedactionRule[] = [
  // PEM first: its body has `/` and `+` that the path rules would cut into pieces.
  { name: 'pem', what: 'PEM blocks (private keys, certificates)', pattern: PEM_RE, replace: () => S },
  // URLs before paths (`//host/path`) and e-mails (`user:pass@host`).
  {
    name: 'url',
    what: 'URLs: credentials, path, query and fragment of network URLs; every `file:`/`smb:`/other-scheme URL as a path',
    pattern: URL_RE,
    replace: (env, _m, scheme, userinfo, hostPort, rest) => mapUrl(scheme!, userinfo, hostPort ?? '', rest ?? '', env),
  },
  { name: 'file-url', what: '`file:` URLs without `//`', pattern: FILE_NO_SLASHES_RE, replace: (env, _m, p) => mapPathInText(p!, env) },
  { name: 'absolute-path', what: 'absolute paths: POSIX, `~/`, Windows drive, UNC', pattern: ABSOLUTE_RE, replace: (env, m) => mapPathInText(m, env) },
  { name: 'percent-encoded-path', what: 'percent-encoded paths (`%2Fhome%2F…`)', pattern: PCT_PATH_RE, replace: (env, m) => pathToken(env, m) },
  { name: 'dot-relative-path', what: 'relative paths starting with `./` or `../`', pattern: DOT_RELATIVE_RE, replace: (env, m) => mapPathInText(m, env) },
  {
    name: 'quoted-relative-path',
    what: 'quoted relative paths (`\'out/model\'`)',
    pattern: QUOTED_RELATIVE_RE,
    replace: (env, m) => (MIME_RE.test(m) ? m : mapPath(m, env)),
  },
  {
    name: 'context-relative-path',
    what: 'relative paths after a word that says a location follows (`path`, `file`, `from`, `save`…)',
    pattern: CONTEXT_RELATIVE_RE,
    replace: (env, m, lead, p) => (MIME_RE.test(p!) ? m : lead! + mapPathInText(p!, env)),
  },
  {
    name: 'file-relative-path',
    what: 'relative paths ending in a file name (`data/train.csv`, `src/a.js:3:4`)',
    pattern: EXT_RELATIVE_RE,
    replace: (env, m) => {
      const p = m.replace(/(?::\d+){1,2}$/, '').replace(/[.,]+$/, '');
      return FILE_EXT_RE.test(p) && !MIME_RE.test(p) ? mapPathInText(m, env) : m;
    },
  },
  { name: 'file-name', what: 'file names of data and model files, and of code files in stack locations (`train.mjs:175:17`)', pattern: BARE_FILE_RE, replace: (env, m) => mapPathInText(m, env) },
  // Token shapes. JWTs before base64 (which would only catch their segments one by one); key and
  // bearer context before the shapes, so short values no shape rule knows are still removed.
  { name: 'jwt', what: 'JSON Web Tokens', pattern: JWT_RE, replace: () => S },
  {
    name: 'bearer',
    what: '`Bearer` and `Basic` credentials',
    pattern: BEARER_RE,
    replace: (_env, m, kw, sp, v) => (/\d/.test(v!) || v!.length >= 20 ? `${kw}${sp}${S}` : m),
  },
  { name: 'cookie', what: 'Cookie and Set-Cookie header values', pattern: COOKIE_RE, replace: (_env, _m, head) => `${head}${S}` },
  {
    name: 'key-value',
    what: 'values of keys that name a secret (`password=`, `AccountKey=`, `csrftoken=`, `"api_key": "…"`)',
    pattern: KV_RE,
    replace: (_env, m, key, sep, esc, escQuoted, dq, sq, scheme, bare) => {
      if (!sensitiveKey(key!)) return m;
      if (escQuoted !== undefined) return escQuoted === '' ? m : `${key}${sep}${esc}"${S}${esc}"`;
      if (dq !== undefined) return dq === '' ? m : `${key}${sep}"${S}"`;
      if (sq !== undefined) return sq === '' ? m : `${key}${sep}'${S}'`;
      if (bare === undefined) return m;
      return `${key}${sep}${scheme ?? ''}${S}`;
    },
  },
  { name: 'cli-flag', what: 'secret CLI flags (`--token x`)', pattern: FLAG_RE, replace: (_env, _m, flag, sp) => `${flag}${sp}${S}` },
  {
    name: 'api-key',
    what: 'API keys of known providers (OpenAI, Anthropic, GitHub, AWS, Slack, Hugging Face, Google, Stripe, GitLab, npm, PyPI, …)',
    pattern: API_KEY_RE,
    replace: (_env, m) => (m.startsWith('sk-') && !/\d/.test(m) ? m : S),
  },
  {
    name: 'prefixed-key',
    what: 'keys of other providers: a short lower-case prefix, `_` or `-`, and a random body of 16+ characters',
    pattern: PREFIXED_KEY_RE,
    replace: (_env, m, _prefix, body) => (looksRandom(body!) ? S : m),
  },
  {
    name: 'value-after-separator',
    what: 'token-like values right after `=` or `:`, whatever the key',
    pattern: AFTER_SEP_RE,
    replace: (_env, m) => (isHexSecret(m) || looksRandom(m, true) ? S : m),
  },
  { name: 'email', what: 'e-mail addresses', pattern: EMAIL_RE, replace: () => TOKENS.email },
  {
    name: 'card',
    what: 'payment card numbers (Luhn-valid, known issuer prefix)',
    pattern: CARD_RE,
    replace: (_env, m) => {
      // The run may go on past the card (`4111… 123`): try the longest valid prefix.
      const ends: number[] = []; // ends[k] = index in m just after its (k+1)-th digit
      for (let i = 0; i < m.length; i++) if (m[i] !== ' ' && m[i] !== '-') ends.push(i + 1);
      const digits = m.replace(/[ -]/g, '');
      for (let n = Math.min(19, digits.length); n >= 13; n--) {
        const d = digits.slice(0, n);
        if (CARD_IIN_RE.test(d) && luhn(d)) return TOKENS.card + m.slice(ends[n - 1]);
      }
      return m;
    },
  },
  // MAC before IPv6 (both are colon-separated hex groups), IPv6 before IPv4 (embedded v4).
  { name: 'mac', what: 'MAC addresses (`00:1A:…`, `00-1a-…`, `001a.2b3c.4d5e`, EUI-64)', pattern: MAC_RE, replace: () => TOKENS.mac },
  { name: 'ipv6', what: 'IPv6 addresses', pattern: IPV6_RE, replace: (_env, m) => (isIpv6(m) ? TOKENS.ip : m) },
  { name: 'ipv4', what: 'IPv4 addresses', pattern: IPV4_RE, replace: () => TOKENS.ip },
  { name: 'long-hex', what: 'hex runs of 32+ digits', pattern: HEX_RE, replace: () => S },
  { name: 'long-base64', what: 'random-looking base64 / base64url runs of 32+ characters', pattern: B64_RE, replace: (_env, m) => (looksRandom(m) ? S : m) },
  // User and host names last, as whole words: earlier rules remove the larger structures
  // (paths, e-mails, URLs) they usually appear in, with better context.
  {
    name: 'identity',
    what: 'this machine\'s user name and host name',
    pattern: (env) => env.identityRe,
    replace: (env, m) => env.kind.get(m.toLowerCase()) ?? TOKENS.user,
  },
];
