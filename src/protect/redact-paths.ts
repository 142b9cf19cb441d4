// How the path and URL rules rewrite what they found (the rules themselves, their patterns and
// their order, are in redaction-rules.ts).
//
// What of a path is kept (docs/privacy.md "Redaction"):
//   - a dependency's code file: `node_modules/<pkg>/<rest>`, after the LAST node_modules
//     segment (pnpm, nested installs), when the rest is code (no dot-directory such as
//     `.cache`, a code extension): that is what makes a stack trace useful to a maintainer;
//   - everything else, the app's own files included, becomes `<path:h>` where h is 8 hex digits
//     of sha256(salt + normalised path): a file name may be a model or customer name, but the
//     same file keeps the same token within an install, so frames can still be told apart.
//     A `:line:col` suffix is kept beside it (numbers say nothing about the user).
//   - network URLs keep scheme, host and port (an IP host becomes `<ip>`); credentials, path,
//     query and fragment become `/<url>`. URLs of other schemes (`file:`, `smb:`, `s3:`,
//     tfjs `indexeddb://`…) are paths.

import type { RedactEnv } from './redaction-context.js';

export const PATH_TOKEN_PREFIX = '<path:';

/** Schemes whose authority is a network host worth keeping; any other scheme names a location. */
const NETWORK_SCHEMES: ReadonlySet<string> = new Set([
  'http', 'https', 'ws', 'wss', 'ftp', 'ftps', 'grpc', 'grpcs', 'redis', 'rediss', 'postgres', 'postgresql',
  'mysql', 'mariadb', 'mongodb', 'mongodb+srv', 'amqp', 'amqps', 'mqtt', 'mqtts', 'nats', 'kafka', 'ldap', 'ldaps',
  'sqlserver', 'jdbc', 'tcp', 'udp', 'unix+http',
]);

const CODE_EXT_RE = /\.(?:[cm]?js|[cm]?ts|jsx|tsx|node|wasm|json)$/i;

function sha256hex(s: string): string {
  return (process.getBuiltinModule('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(s, 'utf8').digest('hex');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `<path:h>`: the same location gives the same token whatever way it was written. */
export function pathToken(env: RedactEnv, raw: string): string {
  const norm = safeDecode(raw).replace(/\\+/g, '/').replace(/\/{2,}/g, '/').replace(/\/$/, '').toLowerCase();
  return `${PATH_TOKEN_PREFIX}${sha256hex(env.salt + '\0' + norm).slice(0, 8)}>`;
}

/** `node_modules/<pkg>/<code file>` when `segs` (of any path) ends in a dependency's code. */
export function dependencyPath(segs: readonly string[]): string | undefined {
  const nm = segs.lastIndexOf('node_modules');
  if (nm < 0) return undefined;
  const rest = segs.slice(nm + 1);
  if (rest.length === 0) return 'node_modules';
  if (rest.some((s) => s.startsWith('.') || s.includes('%'))) return undefined;
  if (rest.length === 1 || (rest.length === 2 && rest[0].startsWith('@'))) return `node_modules/${rest.join('/')}`;
  return CODE_EXT_RE.test(rest[rest.length - 1]) ? `node_modules/${rest.join('/')}` : undefined;
}

/** Any path, absolute or relative, in any flavour: a dependency's code file, or a hash. */
export function mapPath(raw: string, env: RedactEnv): string {
  const segs = safeDecode(raw).split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  return dependencyPath(segs) ?? pathToken(env, raw);
}

const LINE_COL_RE = /(?::\d+){1,2}$/;

function splitLineCol(s: string): [string, string] {
  const m = LINE_COL_RE.exec(s);
  return m ? [s.slice(0, m.index), m[0]] : [s, ''];
}

/** A path matched in text: trailing sentence punctuation and `:line:col` stay outside the mapping. */
export function mapPathInText(whole: string, env: RedactEnv): string {
  let trail = '';
  let p = whole;
  // Trailing separators are given back: in JSON-escaped text a `\` may start the `\"` that
  // closes the string, and they carry no information.
  const t = /(?:[.,]+|[\\/]+)$/.exec(p);
  if (t && t.index > 0) {
    trail = t[0];
    p = p.slice(0, t.index);
  }
  const [path, loc] = splitLineCol(p);
  return mapPath(path, env) + loc + trail;
}

function isIpHost(host: string): boolean {
  return host.startsWith('[') || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) || (/^[0-9a-f:]+$/i.test(host) && host.includes(':'));
}

/**
 * A URL found in text. `userinfo` is the credentials part when the pattern found one (it may
 * contain `/` or spaces, which a URL parser would not accept).
 */
export function mapUrl(scheme: string, userinfo: string | undefined, hostPort: string, rest: string, env: RedactEnv): string {
  // Give back trailing sentence punctuation ("see https://x/?a=b.").
  let trail = '';
  const t = /[.,;:!]+$/.exec(rest === '' ? hostPort : rest);
  if (t) {
    trail = t[0];
    if (rest === '') hostPort = hostPort.slice(0, t.index);
    else rest = rest.slice(0, t.index);
  }
  const s = scheme.toLowerCase();
  if (!NETWORK_SCHEMES.has(s)) {
    // A location (file:, smb:, s3:, indexeddb:…): the whole thing is a path.
    const [path, loc] = splitLineCol(hostPort + rest);
    if (s === 'file') {
      const host = /^localhost$/i.test(hostPort) ? '' : hostPort;
      const p = (host ? `//${host}` : '') + splitLineCol(rest)[0];
      const mapped = mapPath(safeDecode(p).replace(/^\/([A-Za-z]:)/, '$1'), env);
      return mapped + splitLineCol(rest)[1] + trail;
    }
    return pathToken(env, `${s}://${path}`) + loc + trail;
  }
  let host: string;
  let port = '';
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    host = close >= 0 ? hostPort.slice(0, close + 1) : hostPort;
    port = close >= 0 ? hostPort.slice(close + 1) : '';
  } else {
    const colon = hostPort.indexOf(':');
    host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
    port = colon >= 0 ? hostPort.slice(colon) : '';
  }
  if (!/^:\d{1,5}$/.test(port)) port = '';
  const hostOut = host === '' ? '' : isIpHost(host) ? '<ip>' : host.toLowerCase();
  const dropped = userinfo !== undefined || (rest !== '' && rest !== '/');
  return `${scheme}://${hostOut}${port}${dropped ? '/<url>' : rest}${trail}`;
}
