// The one redaction step every outgoing string passes (exception messages, stack traces,
// attribute values, anything that slipped past the model-name filter). See docs/privacy.md.
//
// Replacement tokens (all of the form `<word>`; `<` and `>` are excluded from every rule's
// character classes, so a token can never be matched, extended or joined by a later rule):
//   <path>    an absolute path with no usable file name (a directory, the home directory)
//   <url>     the dropped part of a URL that had credentials, a query string or a fragment
//   <email>   an e-mail address
//   <ip>      an IPv4 / IPv6 address (also the host of a redacted URL when it was an IP)
//   <mac>     a MAC address
//   <secret>  API keys, bearer tokens, JWTs, password=/token: values, long hex / base64 runs
//   <user>    the current user name (or home-directory name)
//   <host>    the current host name
// Absolute paths are not replaced by a token but shortened: `node_modules/<pkg>/<rest>` for
// dependencies, a path relative to the app root for the app's own files, otherwise the file name.
//
// Guarantees:
//   - never throws: any failure returns FAILED_TOKEN ("<redacted>") instead of the input;
//   - idempotent: the rule pipeline is re-run until it reaches a fixed point (normally the
//     second run changes nothing, so this costs one extra linear pass);
//   - bounded: output is at most `maxLength` characters (MAX_STRING_LENGTH, or
//     MAX_STACK_LENGTH for stack traces) ending with TRUNCATION_MARKER when cut; inputs
//     larger than 16× the cap (at least 64 KiB) are cut *before* redaction so work is bounded;
//   - linear time: every regex is precompiled, anchored by a lookbehind at the start of a run
//     (so each run is scanned from one position only) and has no nested ambiguous quantifiers.

import os from 'node:os';

export interface RedactContext {
  homeDir?: string;
  userName?: string;
  hostName?: string;
  appRoot?: string;
}

export interface RedactOptions {
  /** Output cap in characters (default MAX_STRING_LENGTH). */
  maxLength?: number;
}

/** A redactor; `.stack` is the same redactor with the larger stack-trace cap. */
export type Redactor = ((text: string) => string) & { readonly stack: (text: string) => string };

/** Cap for messages and attribute values. */
export const MAX_STRING_LENGTH = 4096;
/** Cap for stack traces (`exception.stacktrace`). */
export const MAX_STACK_LENGTH = 16384;
/** Appended when a string was cut. Starts with a space so it never joins the text before it. */
export const TRUNCATION_MARKER = ' …[truncated]';
/** Returned if redaction itself fails: fail closed, never pass the input through. */
export const FAILED_TOKEN = '<redacted>';
/** Attribute arrays longer than this are cut. */
export const MAX_ARRAY_LENGTH = 128;

export const TOKENS = {
  path: '<path>',
  url: '<url>',
  email: '<email>',
  ip: '<ip>',
  mac: '<mac>',
  secret: '<secret>',
  user: '<user>',
  host: '<host>',
} as const;

/**
 * Account and host names so generic that replacing them as words would only mangle text
 * (`root cause`, `node_modules`, `runner` on CI) while identifying nobody; plus the words
 * used inside our own tokens, so a user called "secret" cannot rewrite `<secret>`.
 */
const GENERIC_NAMES: ReadonlySet<string> = new Set([
  'root', 'admin', 'administrator', 'user', 'users', 'runner', 'ubuntu', 'debian', 'fedora', 'alpine',
  'node', 'app', 'vscode', 'codespace', 'codespaces', 'docker', 'jenkins', 'circleci', 'gitlab-runner',
  'ec2-user', 'default', 'guest', 'test', 'www-data', 'nobody', 'home', 'localhost', 'localhost.localdomain',
  'localdomain', 'local', 'runneradmin', 'buildkite', 'travis', 'system', 'unknown',
  'path', 'url', 'email', 'mac', 'secret', 'host', 'redacted', 'truncated',
]);

// ---------------------------------------------------------------------------------------------
// Regexes (compiled once at module load)
// ---------------------------------------------------------------------------------------------

// A path segment: anything but whitespace, separators, quotes, brackets and the characters that
// end a path in messages (`:` so `file.js:10:5` keeps its line:col, `,` `;` `|` `*` `?`).
const SEG_CHAR = String.raw`[^\s"'\x60<>()\[\]{}:,;|*?\\/…]`;
const SEG = `${SEG_CHAR}+`;
// A word after a space inside a segment: no `=`, so `HOME=/home/a TMPDIR=/tmp` stays two paths.
const SEG_CONT = String.raw`[^\s"'\x60<>()\[\]{}:,;|*?\\/…=]+`;
// Intermediate segments may contain single/short runs of spaces ("My Project/") because they are
// followed by a separator; the last one may only when it ends a stack location (`x y.js:1:2)`).
const INNER = (sep: string): string => `(?:${SEG}(?: {1,3}${SEG_CONT}){0,16}${sep})*`;
const LAST = `(?:${SEG}(?: {1,3}${SEG_CONT}){1,16}(?=:\\d+:\\d+\\)?(?!\\S))|${SEG})?`;

// URL with a scheme. Authority excludes `/?#`; the rest stops at whitespace, quotes, brackets.
const URL_SRC = String.raw`(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{0,30}:\/\/[^\s/?#"'\x60<>\\(){}]*[^\s"'\x60<>(){}\[\]\\]*`;
// Windows UNC `\\server\share\...` (2–4 backslashes so JSON-escaped text matches too).
const UNC_SRC = String.raw`(?<![\\A-Za-z0-9])\\{2,4}(?=${SEG_CHAR})${INNER(String.raw`[\\/]+`)}${LAST}`;
// Windows drive path `C:\...` or `C:/...`.
const WIN_SRC = String.raw`(?<![A-Za-z0-9])[A-Za-z]:[\\/]+${INNER(String.raw`[\\/]+`)}${LAST}`;
// POSIX absolute path (or `~/...`): must start a token (after whitespace, a bracket, a quote,
// `=`, `:`, `,`, `;`, `|`) so `node_modules/x`, `a/b`, `node:internal/x` are never treated as one.
// Not after `>`: `http://<ip>/x` (a redacted URL host) must not turn into a path on the next pass.
const POSIX_SRC = String.raw`(?<=^|[\s(\[{"'\x60=,;:|*])~?\/{1,2}(?=${SEG_CHAR})${INNER('\\/+')}${LAST}`;

const STRUCTURAL_RE = new RegExp(`(${URL_SRC})|(${UNC_SRC})|(${WIN_SRC})|(${POSIX_SRC})`, 'gu');

const URL_PARTS_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([\s\S]*)$/;

// JSON Web Tokens: header.payload.signature, header always starts with `{"` → `eyJ`.
const JWT_RE = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;

// `Bearer <token>` / `Basic <base64>`; value must look like a token (digit or >= 20 chars), so
// "Basic information" survives.
const BEARER_RE = /(?<![A-Za-z0-9])(Bearer|bearer|BEARER|Basic|basic|BASIC)([ \t]+)(?![<…])([A-Za-z0-9._~+/-]+=*)/g;

// key=value / key: value / "key": "value" with sensitive keys. The key must not be preceded by
// a letter (so `db_password`, `HF_TOKEN`, `x-api-key` match, `tokenizer`/`max_tokens` do not:
// the key must be followed directly by the separator). Special-token names used in ML configs
// (`pad_token: "[PAD]"`) are excluded.
const KV_KEYS = String.raw`pass(?:word|wd|phrase)|pwd|secret(?:[_-]?(?:access[_-]?)?key)?|client[_-]?secret|(?<!(?:pad|eos|bos|unk|cls|sep|mask|start|end)[_-])token|api[_-]?key|apikey|access[_-]?key(?:[_-]?id)?|private[_-]?key|auth(?:orization)?|credentials?|cookie|session[_-]?(?:id|key|token)|sessionid|dsn|connection[_-]?string`;
const KV_RE = new RegExp(
  String.raw`(?<![A-Za-z])(${KV_KEYS})(["']?[ \t]*[:=][ \t]*)(?:"([^"\r\n]{1,512})"|'([^'\r\n]{1,512})'|(?!(?:Bearer|Basic|Token)[ \t]+<)((?:(?:Bearer|Basic|Token)[ \t]+)?)(?![<…])([^\s"'\x60,;&<>(){}\[\]…]+))`,
  'gi',
);
// CLI flags: `--token abc`, `--password hunter2` (the `--password=x` form is KV_RE's).
const FLAG_RE = /(?<![A-Za-z0-9-])(--?(?:pass(?:word|wd|phrase)|token|api[_-]?key|secret|access[_-]?token|auth[_-]?token|hf[_-]?token))([ \t]+)(?![<…-])([^\s"'`<>…]+)/gi;

// API-key shapes with well-known prefixes.
const API_KEY_RE = new RegExp(
  '(?<![A-Za-z0-9_-])(?:' +
    [
      'sk-(?:proj-|ant-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}', // OpenAI / Anthropic
      '(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}', // Stripe
      'gh[pousr]_[A-Za-z0-9]{30,}', // GitHub
      'github_pat_[A-Za-z0-9_]{22,}',
      '(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?![A-Za-z0-9])', // AWS access key id
      'xox[abposr]-[A-Za-z0-9-]{10,}', // Slack
      'xapp-[A-Za-z0-9-]{10,}',
      'hf_[A-Za-z0-9]{20,}', // Hugging Face
      'glpat-[A-Za-z0-9_-]{20,}', // GitLab
      'AIza[0-9A-Za-z_-]{35}', // Google
      'npm_[A-Za-z0-9]{36}', // npm
      'SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}', // SendGrid
      'r8_[A-Za-z0-9]{30,}', // Replicate
    ].join('|') +
    ')',
  'g',
);

const EMAIL_RE = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;

const MAC_RE = /(?<![0-9A-Za-z:-])[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![0-9A-Za-z:-])/g;

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_SRC = `${OCTET}(?:\\.${OCTET}){3}`;
const H16 = '[0-9A-Fa-f]{1,4}';
// Full 8-group form, or a compressed form with `::` (optionally ending in an embedded IPv4).
// Times (10:20:30) have neither 8 groups nor `::`; candidates are filtered in code (see isIpv6).
const IPV6_RE = new RegExp(
  `(?<![0-9A-Za-z:.])(?:(?:${H16}:){7}${H16}|(?:${H16}(?::${H16}){0,6})?::(?:(?:${H16}:){0,5}${IPV4_SRC}|${H16}(?::${H16}){0,6})?)(?:%[0-9A-Za-z._-]{1,32})?(?![0-9A-Za-z:])`,
  'g',
);
// Exactly four dotted octets, not part of a longer dotted run, so versions `1.2.3` and
// `4.22.0` are untouched.
const IPV4_RE = new RegExp(`(?<![0-9A-Za-z.])${IPV4_SRC}(?![0-9A-Za-z]|\\.\\d)`, 'g');
const IPV4_FULL_RE = new RegExp(`^${IPV4_SRC}$`);

const HEX_RE = /(?<![A-Za-z0-9])(?:0x)?[0-9A-Fa-f]{32,}(?![A-Za-z0-9])/g;
// Candidate base64 / base64url runs; looksRandom() decides.
const B64_RE = /(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{32,}={0,2}(?![A-Za-z0-9+/_=-])/g;

const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// ---------------------------------------------------------------------------------------------
// Context
// ---------------------------------------------------------------------------------------------

interface Env {
  homeSegs: string[] | undefined; // lower-cased segments of the home directory
  appSegs: string[] | undefined; // lower-cased segments of the app root, when usable
  identities: string[]; // lower-cased user/host names (>= 3 chars, not generic)
  identityRe: RegExp | undefined;
  kind: Map<string, string>; // lower-cased name → token
}

function segments(p: string): string[] {
  return p.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
}

function isPrefix(prefix: readonly string[], of: readonly string[]): boolean {
  if (prefix.length > of.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== of[i]) return false;
  return true;
}

function escapeRe(s: string): string {
  // Syntax characters only: with the `u` flag, escaping anything else (e.g. `-`) is an error.
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

function usableName(n: unknown): string | undefined {
  if (typeof n !== 'string') return undefined;
  const t = n.trim().toLowerCase();
  if (t.length < 3 || t.length > 256 || /[<>]/.test(t) || GENERIC_NAMES.has(t)) return undefined;
  return t;
}

function buildEnv(ctx: RedactContext): Env {
  const kind = new Map<string, string>();
  const add = (name: unknown, token: string): void => {
    const n = usableName(name);
    if (n && !kind.has(n)) kind.set(n, token);
  };
  const host = typeof ctx.hostName === 'string' ? ctx.hostName : undefined;
  add(host, TOKENS.host);
  if (host && host.includes('.')) add(host.split('.')[0], TOKENS.host);
  add(ctx.userName, TOKENS.user);
  const homeSegs = typeof ctx.homeDir === 'string' && ctx.homeDir ? segments(ctx.homeDir).map((s) => s.toLowerCase()) : undefined;
  if (homeSegs && homeSegs.length > 0) add(homeSegs[homeSegs.length - 1], TOKENS.user);
  let appSegs = typeof ctx.appRoot === 'string' && ctx.appRoot ? segments(ctx.appRoot).map((s) => s.toLowerCase()) : undefined;
  // An app root that is a filesystem root, the home directory or one of its ancestors would
  // make "relative" paths expose the user's whole tree (Documents/secret-project/...): ignore it.
  if (appSegs && (appSegs.length === 0 || (appSegs.length === 1 && /^[a-z]:$/.test(appSegs[0])) || (homeSegs && isPrefix(appSegs, homeSegs)))) {
    appSegs = undefined;
  }
  // Longest first so `alice-laptop` wins over `alice`.
  const identities = [...kind.keys()].sort((a, b) => b.length - a.length);
  const identityRe = identities.length
    ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${identities.map(escapeRe).join('|')})(?![\\p{L}\\p{N}])`, 'giu')
    : undefined;
  return { homeSegs, appSegs, identities, identityRe, kind };
}

// ---------------------------------------------------------------------------------------------
// Paths and URLs
// ---------------------------------------------------------------------------------------------

function mentionsIdentity(s: string, env: Env): boolean {
  const l = s.toLowerCase();
  return env.identities.some((n) => l.includes(n));
}

/**
 * Shortens an absolute path (any flavour, already stripped of `file://`):
 *   1. inside node_modules → `node_modules/<pkg>/<rest>` after the LAST node_modules segment
 *      (pnpm / nested installs), scoped packages keep `@scope/pkg` naturally;
 *   2. the home directory itself → `<path>`;
 *   3. under the app root → the relative path, unless it mentions the user/host name;
 *   4. otherwise the file name (last segment), or `<path>` if there is none.
 */
function mapPath(raw: string, env: Env): string {
  let segs = segments(raw);
  if (segs[0] === '~' && env.homeSegs) segs = [...env.homeSegs, ...segs.slice(1)];
  else if (segs[0] === '~') segs = segs.slice(1);
  const nm = segs.lastIndexOf('node_modules');
  if (nm >= 0) {
    const rest = segs.slice(nm + 1);
    return rest.length ? `node_modules/${rest.join('/')}` : 'node_modules';
  }
  const lower = segs.map((s) => s.toLowerCase());
  if (env.homeSegs && lower.length === env.homeSegs.length && isPrefix(lower, env.homeSegs)) return TOKENS.path;
  if (env.appSegs && lower.length > env.appSegs.length && isPrefix(env.appSegs, lower)) {
    const rel = segs.slice(env.appSegs.length).join('/');
    if (!mentionsIdentity(rel, env)) return rel;
  }
  const base = segs[segs.length - 1];
  if (base === undefined || /^[A-Za-z]:$/.test(base)) return TOKENS.path;
  return base;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function isIpHost(host: string): boolean {
  return host.startsWith('[') || IPV4_FULL_RE.test(host) || (/^[0-9a-f:]+$/i.test(host) && host.includes(':'));
}

function mapUrl(url: string, env: Env): string {
  // Give back trailing sentence punctuation ("see https://x/?a=b.").
  let trail = '';
  const t = /[.,;:!]+$/.exec(url);
  if (t) {
    trail = t[0];
    url = url.slice(0, t.index);
  }
  const m = URL_PARTS_RE.exec(url);
  if (!m) return url + trail;
  const scheme = m[1];
  const authority = m[2];
  let rest = m[3];
  if (scheme.toLowerCase() === 'file') {
    // file:///home/a/x.mjs:3:7 → keep the :line:col suffix outside the mapped path.
    let loc = '';
    const lc = /(?::\d+){1,2}$/.exec(rest);
    if (lc) {
      loc = lc[0];
      rest = rest.slice(0, lc.index);
    }
    const host = authority.toLowerCase() === 'localhost' ? '' : authority;
    const p = safeDecode(host ? `//${host}${rest}` : rest);
    return mapPath(p.replace(/^\/([A-Za-z]:)/, '$1'), env) + loc + trail;
  }
  const at = authority.lastIndexOf('@');
  const hasCreds = at >= 0;
  const hostPort = authority.slice(at + 1);
  const hasQuery = /[?#;]/.test(rest);
  if (!hasCreds && !hasQuery) return url + trail;
  let host: string;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    host = close >= 0 ? hostPort.slice(0, close + 1) : hostPort;
  } else {
    const colon = hostPort.indexOf(':');
    host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
  }
  const hostOut = host === '' ? '' : isIpHost(host) ? TOKENS.ip : host.toLowerCase();
  return `${scheme}://${hostOut}/${TOKENS.url}${trail}`;
}

function mapStructural(text: string, env: Env): string {
  return text.replace(STRUCTURAL_RE, (whole: string, url?: string) => {
    if (url !== undefined) return mapUrl(url, env);
    // Paths: give back a trailing full stop / comma ("... /home/a/x.txt.").
    let trail = '';
    let p = whole;
    const t = /[.,]+$/.exec(p);
    if (t && t.index > 0) {
      trail = t[0];
      p = p.slice(0, t.index);
    }
    return mapPath(p, env) + trail;
  });
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

/**
 * Is a base64/base64url-alphabet run random enough to be a secret? Ordinary identifiers and
 * paths (`node_modules/...`, `TensorFlowBackendWebGL2Implementation`, `my-model-v2/epoch-10`)
 * change character class (upper/lower/digit) rarely; random data changes it on ~60% of
 * adjacent pairs. Requires letters and digits (or both letter cases with very high churn).
 */
function looksRandom(run: string): boolean {
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
  if (digit >= 2) return ratio >= 0.3;
  if (digit === 1) return ratio >= 0.45;
  return upper > 0 && lower > 0 && ratio >= 0.55;
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

function pipeline(input: string, env: Env): string {
  let s = input;
  // 1. Paths and URLs first: URLs contain `//host/path` (which the path rule would mangle) and
  //    `user:pass@host` (which the e-mail rule would half-eat); paths contain user names and
  //    node_modules package paths that the token rules below must see already shortened.
  s = mapStructural(s, env);
  // 2. JWTs before the base64 rule, which would only catch their segments one by one.
  s = s.replace(JWT_RE, TOKENS.secret);
  // 3. Bearer/Basic and key=value before API keys / base64, so the key word stays as context
  //    and short values that no shape rule would recognise are still removed.
  s = s.replace(BEARER_RE, (m: string, kw: string, sp: string, v: string) =>
    /\d/.test(v) || v.length >= 20 ? `${kw}${sp}${TOKENS.secret}` : m,
  );
  s = s.replace(KV_RE, (m: string, key: string, sep: string, dq?: string, sq?: string, scheme?: string) => {
    if (dq !== undefined) return `${key}${sep}"${TOKENS.secret}"`;
    if (sq !== undefined) return `${key}${sep}'${TOKENS.secret}'`;
    return `${key}${sep}${scheme ?? ''}${TOKENS.secret}`;
  });
  s = s.replace(FLAG_RE, (_m: string, flag: string, sp: string) => `${flag}${sp}${TOKENS.secret}`);
  // 4. Known API-key shapes (before identities: a user name inside a key must not split it).
  s = s.replace(API_KEY_RE, (m: string) => (m.startsWith('sk-') && !/\d/.test(m) ? m : TOKENS.secret));
  // 5. E-mails before host/user names (addresses often contain them) and before IPs.
  s = s.replace(EMAIL_RE, TOKENS.email);
  // 6. MAC before IPv6 (both are colon-separated hex groups), IPv6 before IPv4 (embedded v4).
  s = s.replace(MAC_RE, TOKENS.mac);
  s = s.replace(IPV6_RE, (m: string) => (isIpv6(m) ? TOKENS.ip : m));
  s = s.replace(IPV4_RE, TOKENS.ip);
  // 7. Long hex / random-looking base64 runs.
  s = s.replace(HEX_RE, TOKENS.secret);
  s = s.replace(B64_RE, (m: string) => (looksRandom(m) ? TOKENS.secret : m));
  // 8. User and host names last, as whole words: earlier rules remove the larger structures
  //    (paths, e-mails, URLs) they usually appear in, with better context.
  if (env.identityRe) s = s.replace(env.identityRe, (m: string) => env.kind.get(m.toLowerCase()) ?? TOKENS.user);
  return s;
}

/** Runs the pipeline until nothing changes (bounded), which makes redaction idempotent. */
function fixpoint(s: string, env: Env): string {
  let cur = pipeline(s, env);
  for (let i = 0; i < 4; i++) {
    const next = pipeline(cur, env);
    if (next === cur) return cur;
    cur = next;
  }
  return cur;
}

/** Cuts to at most `limit` chars, preferring the last whitespace in the final 256 chars. */
function cutAt(s: string, limit: number): string {
  if (s.length <= limit) return s;
  let end = limit;
  const ws = s.slice(Math.max(0, limit - 256), limit + 1).search(/\s(?=\S*$)/);
  if (ws >= 0) end = Math.max(0, limit - 256) + ws;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--; // never split a surrogate pair
  return s.slice(0, Math.max(0, end));
}

function toText(text: unknown): string {
  if (typeof text === 'string') return text;
  try {
    return String(text);
  } catch {
    return '';
  }
}

export function createRedactor(ctx: RedactContext, options: RedactOptions = {}): Redactor {
  let env: Env | undefined;
  const getEnv = (): Env => (env ??= buildEnv(ctx ?? {}));
  const make = (maxLength: number): ((text: string) => string) => {
    const cap = Math.max(Number.isNaN(maxLength) ? MAX_STRING_LENGTH : maxLength, TRUNCATION_MARKER.length + 16);
    const inputLimit = Math.max(cap * 16, 65536);
    return (text: string): string => {
      try {
        let s = toText(text).replace(LONE_SURROGATE_RE, '\uFFFD');
        let cut = false;
        if (s.length > inputLimit) {
          s = cutAt(s, inputLimit);
          cut = true;
        }
        const e = getEnv();
        let out = fixpoint(s, e);
        if (cut || out.length > cap) {
          out = fixpoint(cutAt(out, cap - TRUNCATION_MARKER.length), e);
          if (out.length > cap - TRUNCATION_MARKER.length) out = cutAt(out, cap - TRUNCATION_MARKER.length);
          out += TRUNCATION_MARKER;
        }
        return out;
      } catch {
        return FAILED_TOKEN;
      }
    };
  };
  const main = make(options.maxLength ?? MAX_STRING_LENGTH);
  const stack = make(Math.max(options.maxLength ?? 0, MAX_STACK_LENGTH));
  return Object.assign(main, { stack });
}

// ---------------------------------------------------------------------------------------------
// Process-wide default
// ---------------------------------------------------------------------------------------------

function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** The current process's context; os.userInfo() throws for uids without a passwd entry. */
export function processContext(): RedactContext {
  return {
    homeDir: attempt(() => os.homedir()),
    userName: attempt(() => os.userInfo().username) ?? process.env.USER ?? process.env.USERNAME ?? process.env.LOGNAME,
    hostName: attempt(() => os.hostname()),
    appRoot: attempt(() => process.cwd()),
  };
}

let defaultRedactor: Redactor | undefined;
function getDefault(): Redactor {
  return (defaultRedactor ??= createRedactor(processContext()));
}

/** Redacts with the current process's context (built on first use), capped at MAX_STRING_LENGTH. */
export function redact(text: string): string {
  try {
    return getDefault()(text);
  } catch {
    return FAILED_TOKEN;
  }
}

/** Like redact() with the larger MAX_STACK_LENGTH cap, for stack traces. */
export function redactStack(text: string): string {
  try {
    return getDefault().stack(text);
  } catch {
    return FAILED_TOKEN;
  }
}

// ---------------------------------------------------------------------------------------------
// Attributes
// ---------------------------------------------------------------------------------------------

export type SafeAttributeValue = string | number | boolean | string[] | number[];

const STACK_KEYS: ReadonlySet<string> = new Set(['exception.stacktrace']);

/**
 * Keeps only allow-listed keys (others are dropped, not redacted). Strings and string-array
 * members are redacted and capped; numbers must be finite; arrays must be all-string or
 * all-number (cut to MAX_ARRAY_LENGTH); anything else (objects, bigint, null, mixed arrays) is
 * dropped. `exception.stacktrace` uses the stack cap (`redactor.stack` when the redactor has one).
 */
export function redactAttributes(
  attrs: Record<string, unknown>,
  allowedKeys: ReadonlySet<string>,
  redactor?: (text: string) => string,
): Record<string, SafeAttributeValue> {
  const out: Record<string, SafeAttributeValue> = {};
  if (attrs === null || typeof attrs !== 'object') return out;
  let keys: string[];
  try {
    keys = Object.keys(attrs);
  } catch {
    return out;
  }
  const r = redactor ?? redact;
  for (const key of keys) {
    try {
      if (!allowedKeys.has(key)) continue;
      const v: unknown = attrs[key];
      const rs = STACK_KEYS.has(key) ? ((redactor as Partial<Redactor> | undefined)?.stack ?? (redactor ? r : redactStack)) : r;
      let safe: SafeAttributeValue | undefined;
      if (typeof v === 'string') safe = rs(v);
      else if (typeof v === 'boolean') safe = v;
      else if (typeof v === 'number') safe = Number.isFinite(v) ? v : undefined;
      else if (Array.isArray(v)) {
        const items = v.slice(0, MAX_ARRAY_LENGTH);
        if (items.every((x) => typeof x === 'string')) safe = (items as string[]).map((x) => rs(x));
        else if (items.every((x) => typeof x === 'number')) safe = (items as number[]).filter((x) => Number.isFinite(x));
      }
      if (safe !== undefined) Object.defineProperty(out, key, { value: safe, enumerable: true, writable: true, configurable: true });
    } catch {
      /* drop the key */
    }
  }
  return out;
}
