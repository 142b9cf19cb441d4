// How a string is scanned and rewritten: the rules of redaction-rules.ts applied in order until
// nothing changes, then the length cap. What a secret is lives in the rules, not here.
//
// Guarantees:
//   - never throws: any failure returns FAILED_TOKEN ("<redacted>") instead of the input;
//   - idempotent: the rules are re-run until they reach a fixed point (normally the second run
//     changes nothing, so this costs one extra linear pass);
//   - redact first, then truncate: the output is at most `maxLength` characters, ending with
//     TRUNCATION_MARKER when cut. Inputs above MAX_INPUT (far above any cap) are first cut back
//     to a line or word boundary and the run that straddles the cut is dropped whole, so no
//     part of a secret can survive by being split there;
//   - linear time: every pattern is precompiled and linear (see redaction-rules.ts).

import { buildEnv, type RedactContext, type RedactEnv } from './redaction-context.js';
import { RULES, TOKENS } from './redaction-rules.js';
import { MAX_STRING_LENGTH } from './redaction-limits.js';

export type { RedactContext } from './redaction-context.js';
export { processContext } from './redaction-context.js';

/** Redacts `text` and caps the result at `maxLength` (default MAX_STRING_LENGTH) characters. */
export type Redactor = (text: string, maxLength?: number) => string;

export { MAX_STACK_LENGTH, MAX_STRING_LENGTH } from './redaction-limits.js';
/** Appended when a string was cut. Starts with a space so it never joins the text before it. */
export const TRUNCATION_MARKER = ' …[truncated]';
/** Returned if redaction itself fails: fail closed, never pass the input through. */
export const FAILED_TOKEN = '<redacted>';
/** Work bound: longer inputs are cut (at a boundary, see above) before the rules run. */
export const MAX_INPUT = 256 * 1024;

const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function runRules(input: string, env: RedactEnv): string {
  let s = input;
  for (const rule of RULES) {
    const re = typeof rule.pattern === 'function' ? rule.pattern(env) : rule.pattern;
    if (!re) continue;
    re.lastIndex = 0;
    s = s.replace(re, (match: string, ...rest: unknown[]) => {
      // replace() passes the groups, then offset, whole string (and named groups): keep the groups.
      const groups = rest.slice(0, countGroups(rest)) as Array<string | undefined>;
      return rule.replace(env, match, ...groups);
    });
  }
  return s;
}

/** The capture groups among replace()'s extra arguments: everything before the numeric offset. */
function countGroups(rest: unknown[]): number {
  let i = 0;
  while (i < rest.length && typeof rest[i] !== 'number') i++;
  return i;
}

/** Runs the rules until nothing changes (bounded), which makes redaction idempotent. */
function fixpoint(s: string, env: RedactEnv): string {
  let cur = runRules(s, env);
  for (let i = 0; i < 4; i++) {
    const next = runRules(cur, env);
    if (next === cur) return cur;
    cur = next;
  }
  return cur;
}

/**
 * Cuts already-redacted text to at most `limit` chars: at the last whitespace in the final 256
 * chars when there is one, never inside a `<token>` or a surrogate pair.
 */
function cutAt(s: string, limit: number): string {
  if (s.length <= limit) return s;
  let end = limit;
  const ws = s.slice(Math.max(0, limit - 256), limit + 1).search(/\s(?=\S*$)/);
  if (ws >= 0) end = Math.max(0, limit - 256) + ws;
  const open = s.lastIndexOf('<', end - 1);
  if (open >= 0 && s.indexOf('>', open) >= end) end = open;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return s.slice(0, Math.max(0, end));
}

/**
 * Cuts raw (not yet redacted) text for the work bound: back to the last line break in the second
 * half, else the last whitespace, so every run of non-space characters is either whole or gone.
 */
function cutRawAtBoundary(s: string, limit: number): string {
  const head = s.slice(0, limit + 1);
  // A cut right before whitespace leaves the last run whole.
  const nl = head.lastIndexOf('\n');
  if (nl >= limit / 2) return head.slice(0, nl);
  const ws = head.search(/\s(?=\S*$)/);
  return ws > 0 ? head.slice(0, ws) : '';
}

function toText(text: unknown): string {
  if (typeof text === 'string') return text;
  try {
    return String(text);
  } catch {
    return '';
  }
}

export function createRedactor(ctx: RedactContext): Redactor {
  let env: RedactEnv | undefined;
  const getEnv = (): RedactEnv => (env ??= buildEnv(ctx ?? {}, TOKENS));
  return (text: string, maxLength = MAX_STRING_LENGTH): string => {
    try {
      const cap = Math.max(Number.isNaN(maxLength) ? MAX_STRING_LENGTH : maxLength, TRUNCATION_MARKER.length + 16);
      let s = toText(text).replace(LONE_SURROGATE_RE, '\uFFFD');
      let cut = false;
      if (s.length > MAX_INPUT) {
        s = cutRawAtBoundary(s, MAX_INPUT);
        cut = true;
        if (s === '') return FAILED_TOKEN + TRUNCATION_MARKER;
      }
      const e = getEnv();
      let out = fixpoint(s, e);
      if (cut || out.length > cap) {
        const room = cap - TRUNCATION_MARKER.length;
        // A prefix of redacted text may form a new match (`a/b.csvx` → `a/b.csv`): redact it again.
        out = fixpoint(cutAt(out, room), e);
        if (out.length > room) out = cutAt(out, room);
        out += TRUNCATION_MARKER;
      }
      return out;
    } catch {
      return FAILED_TOKEN;
    }
  };
}
