import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/protect/redaction-engine.js';
import { CORPUS_CONTEXT, PLANTED_HOST, PLANTED_USER, REDACT_CORPUS, type CorpusCategory } from './redact-corpus.js';
import { CLASSES, plantedSecret, type Planted } from './secret-grammar.js';

const r = createRedactor(CORPUS_CONTEXT);
// REDACT_PROP_RUNS=20000 for a longer local hunt.
const NUM_RUNS = Number(process.env.REDACT_PROP_RUNS) || 400;

// Any UTF-16 code unit (lone surrogates included), any code point, printable graphemes, and the
// characters the rules care about, so random text often sits right next to the planted secret.
const unit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  fc.constantFrom(...'/\\:@.-_=?&#%<>"\'()[]{} \n\tAZaz09+~'.split('')),
);
const text = fc.string({ unit, maxLength: 80 });

// Fragments that build strings exercising the interactions between rules.
const FRAGMENTS = [
  '/home/', PLANTED_USER, PLANTED_HOST, ' ', '  ', '/', '\\', 'C:', 'C:\\', '\\\\', 'file://', 'http://', 'https://', '@', '.', ':', '::', '1', '255',
  '192.168.0.1', '10:20:30', '4.22.0', 'password=', 'token: ', '"', "'", 'Bearer ', 'Basic ', 'sk-', 'hf_', 'ghp_', 'AKIA', 'eyJ', 'node_modules',
  '@scope', 'pkg', '<secret>', '<user>', '<', '>', '?', '=', '&', '#', 'a', 'Z', '9', 'ff', 'deadbeef', '(', ')', '[', ']', '\n', ',', ';',
  'x.js', ':10:5', '    at ', 'example.com', 'AbC1dE2fG3hI4jK5', '+', '-', '_', '~', '%20', '…', '[truncated]', 'é', '\uD800',
];
const soup = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join(''));

// Rows whose secret is recognisable on its own, without the surrounding template.
const SELF_CONTAINED: ReadonlySet<CorpusCategory> = new Set(['api-key', 'jwt', 'long-hex', 'long-base64', 'email', 'ipv4', 'ipv6', 'mac', 'user-name', 'host-name', 'home-dir']);
const plants = REDACT_CORPUS.flatMap((row) => {
  const out = [{ row, plant: row.template }];
  if (SELF_CONTAINED.has(row.category)) out.push({ row, plant: row.secret });
  return out;
});

// Where a program prints a message: as it is, inside JSON (escaped), after a literal `\n` of
// escaped text, inside a stack trace, in quotes.
const WORDS = ['Error:', 'failed', 'while', 'loading', 'model', 'epoch', '3', 'at', 'tfjs', 'the', 'value', '(', ')', ',', ';', '->', 'batch=32', 'loss: 0.25', 'v4.22.0'];
const words = fc.array(fc.constantFrom(...WORDS), { maxLength: 6 }).map((w) => w.join(' '));
const SEP = [' ', '\n', '\t', ', ', ': ', ' (', ') ', ' "', '" ', ' = '];
type Context = (p: Planted, before: string, after: string, sep: [string, string]) => string;
const CONTEXTS: Record<string, Context> = {
  plain: (p, b, a, [s1, s2]) => `${b}${s1}${p.text}${s2}${a}`,
  json: (p, b, a) => JSON.stringify({ message: `${b}\n${p.text}\n${a}`, level: 'error' }),
  'json-twice': (p, b, a) => JSON.stringify({ log: JSON.stringify({ msg: `${b} ${p.text} ${a}` }) }),
  'escaped-newline': (p, b) => `${b}\\n${p.text}\\n`,
  stack: (p, b) => `Error: ${b}\n    at load (node_modules/@tensorflow/tfjs-core/dist/io.js:1:2)\n    ${p.text}\n    at node:internal/main:1:1`,
  quoted: (p, b, a) => `${b} '${p.text}' ${a}`,
};
const leaked = (out: string, secret: string): boolean => {
  const o = out.toLowerCase();
  return [secret, JSON.stringify(secret).slice(1, -1), JSON.stringify(JSON.stringify(secret)).slice(2, -2)].some((s) => o.includes(s.toLowerCase()));
};

describe('secrets generated from each class grammar', () => {
  for (const cls of CLASSES) {
    it(`${cls}: never comes out, in any context, and redaction is idempotent`, () => {
      fc.assert(
        fc.property(plantedSecret(cls), words, words, fc.constantFrom(...Object.keys(CONTEXTS)), fc.constantFrom(...SEP), fc.constantFrom(...SEP), (p, before, after, ctx, s1, s2) => {
          const input = CONTEXTS[ctx](p, before, after, [s1, s2]);
          const out = r(input, Number.POSITIVE_INFINITY);
          expect(leaked(out, p.secret), `${ctx}: ${JSON.stringify(input)} → ${JSON.stringify(out)}`).toBe(false);
          expect(r(out, Number.POSITIVE_INFINITY)).toBe(out);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  }

  it("this machine's user and host names (any non-generic name) never come out", () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9]{2,7}(?:-[a-z0-9]{2,6}){0,2}$/);
    fc.assert(
      fc.property(label, label, fc.constantFrom(...Object.keys(CONTEXTS)), (user, host, ctx) => {
        fc.pre(!/^(?:root|admin|user|users|runner|ubuntu|debian|node|app|test|home|local|guest|system|path|url|email|mac|secret|host|card)$/.test(user) && user !== host);
        fc.pre(!['failed', 'while', 'loading', 'model', 'epoch', 'tfjs', 'the', 'value', 'batch', 'loss', 'load', 'error', 'level', 'message', 'log', 'msg', 'internal', 'main', 'node_modules', 'tensorflow', 'core', 'dist'].some((w) => user.includes(w) || host.includes(w) || w.includes(user) || w.includes(host)));
        const rr = createRedactor({ userName: user, hostName: `${host}.corp.example.com`, homeDir: `/home/${user}`, salt: 's' });
        const p: Planted = { cls: 'identity', secret: user, text: `${user}@${host}: permission denied for ${user.toUpperCase()} on ${host}` };
        const out = rr(CONTEXTS[ctx](p, 'Error:', 'x', [' ', ' ']), Number.POSITIVE_INFINITY);
        expect(leaked(out, user), out).toBe(false);
        expect(leaked(out, host), out).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('several secrets of different classes in one message: none comes out', () => {
    fc.assert(
      fc.property(fc.array(plantedSecret(), { minLength: 2, maxLength: 6 }), words, (ps, glue) => {
        const input = ps.map((p) => p.text).join(`\n${glue} `);
        const out = r(input, Number.POSITIVE_INFINITY);
        for (const p of ps) expect(leaked(out, p.secret), `${p.cls}: ${JSON.stringify(input)} → ${JSON.stringify(out)}`).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('redaction properties', () => {
  it('a planted corpus secret inserted at a random position never comes out', () => {
    fc.assert(
      fc.property(text, fc.nat(), fc.constantFrom(...plants), fc.constantFrom(' ', '\n', '\t', ' \n'), (host, pos, { row, plant }, sep) => {
        const i = pos % (host.length + 1);
        const input = host.slice(0, i) + sep + plant + sep + host.slice(i);
        const out = r(input);
        expect(out.toLowerCase()).not.toContain(row.secret.toLowerCase());
      }),
      { numRuns: NUM_RUNS * 4 },
    );
  });

  it('is idempotent on arbitrary unicode strings', () => {
    fc.assert(
      fc.property(text, (s) => {
        const once = r(s);
        expect(r(once)).toBe(once);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('is idempotent on strings built from rule-relevant fragments', () => {
    fc.assert(
      fc.property(soup, (s) => {
        const once = r(s);
        expect(r(once)).toBe(once);
      }),
      { numRuns: NUM_RUNS * 2 },
    );
  });

  it('is idempotent and capped when truncating', () => {
    const small = (s: string) => r(s, 48);
    fc.assert(
      fc.property(fc.oneof(soup, text), (s) => {
        const once = small(s);
        expect(once.length).toBeLessThanOrEqual(48);
        expect(small(once)).toBe(once);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('never throws and always returns a string, for any value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), text, soup), (x) => {
        const out = r(x as string);
        expect(typeof out).toBe('string');
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
