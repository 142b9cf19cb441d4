import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/protect/redaction-engine.js';
import { CORPUS_CONTEXT, PLANTED_HOST, PLANTED_USER, REDACT_CORPUS, type CorpusCategory } from './redact-corpus.js';

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
