// Who "we" are, for redaction: the home directory, user and host names of this process, and the
// app root. Built once per redactor; the rules read it (identities to replace, paths to recognise).

import os from 'node:os';
import { randomHex } from '../collect/random-id.js';

export interface RedactContext {
  homeDir?: string;
  userName?: string;
  hostName?: string;
  appRoot?: string;
  /**
   * Salt for the hashes that replace the app's own paths (`<path:1a2b3c4d>`), so one file keeps
   * one hash within an install without the hash being reversible by guessing common names.
   * A random one is drawn when absent.
   */
  salt?: string;
}

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
  'path', 'url', 'email', 'mac', 'secret', 'host', 'redacted', 'truncated', 'card',
]);

/** What the rules need, derived once from a RedactContext. */
export interface RedactEnv {
  /** Lower-cased segments of the home directory. */
  readonly homeSegs: readonly string[] | undefined;
  /** Lower-cased user/host names (>= 3 chars, not generic), longest first. */
  readonly identities: readonly string[];
  readonly identityRe: RegExp | undefined;
  /** Lower-cased name → token. */
  readonly kind: ReadonlyMap<string, string>;
  readonly salt: string;
}

export function pathSegments(p: string): string[] {
  return p.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
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

export function buildEnv(ctx: RedactContext, tokens: { user: string; host: string }): RedactEnv {
  const kind = new Map<string, string>();
  const add = (name: unknown, token: string): void => {
    const n = usableName(name);
    if (n && !kind.has(n)) kind.set(n, token);
  };
  const host = typeof ctx.hostName === 'string' ? ctx.hostName : undefined;
  add(host, tokens.host);
  if (host && host.includes('.')) add(host.split('.')[0], tokens.host);
  add(ctx.userName, tokens.user);
  const homeSegs = typeof ctx.homeDir === 'string' && ctx.homeDir ? pathSegments(ctx.homeDir).map((s) => s.toLowerCase()) : undefined;
  if (homeSegs && homeSegs.length > 0) add(homeSegs[homeSegs.length - 1], tokens.user);
  // Longest first so `alice-laptop` wins over `alice`.
  const identities = [...kind.keys()].sort((a, b) => b.length - a.length);
  const identityRe = identities.length
    ? new RegExp(`(?:(?<![\\p{L}\\p{N}])|(?<=\\\\[nrt]))(?:${identities.map(escapeRe).join('|')})(?![\\p{L}\\p{N}])`, 'giu')
    : undefined;
  const salt = typeof ctx.salt === 'string' && ctx.salt ? ctx.salt : randomSalt();
  return { homeSegs, identities, identityRe, kind, salt };
}

function randomSalt(): string {
  return randomHex(32);
}

function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** The current process's identity; os.userInfo() throws for uids without a passwd entry. */
export function processContext(salt?: string): RedactContext {
  return {
    homeDir: attempt(() => os.homedir()),
    userName: attempt(() => os.userInfo().username) ?? process.env.USER ?? process.env.USERNAME ?? process.env.LOGNAME,
    hostName: attempt(() => os.hostname()),
    appRoot: attempt(() => process.cwd()),
    salt,
  };
}
