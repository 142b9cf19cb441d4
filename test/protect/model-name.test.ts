import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PUBLIC_MODEL_ORGS } from '../../src/catalog.js';
import { safeModelName } from '../../src/protect/model-name.js';

const opts = { publicOrgs: DEFAULT_PUBLIC_MODEL_ORGS, salt: 'test-salt-123' };
const expectedHash = (name: string, salt = opts.salt): string => 'sha256:' + createHash('sha256').update(salt + name).digest('hex').slice(0, 16);
const HASH_RE = /^sha256:[0-9a-f]{16}$/;

describe('safeModelName', () => {
  it('passes public-organisation hub ids through unchanged', () => {
    expect(safeModelName('Xenova/bert-base', opts)).toBe('Xenova/bert-base');
    expect(safeModelName('onnx-community/Qwen2.5-0.5B-Instruct', opts)).toBe('onnx-community/Qwen2.5-0.5B-Instruct');
    expect(safeModelName('Xenova/distilbert-base-uncased-finetuned-sst-2-english', opts)).toBe('Xenova/distilbert-base-uncased-finetuned-sst-2-english');
    for (const org of DEFAULT_PUBLIC_MODEL_ORGS) expect(safeModelName(`${org}/some-model_v1.2`, opts)).toBe(`${org}/some-model_v1.2`);
  });

  it('matches organisations case-sensitively', () => {
    expect(safeModelName('xenova/bert-base', opts)).toMatch(HASH_RE);
    expect(safeModelName('XENOVA/bert-base', opts)).toMatch(HASH_RE);
  });

  it('hashes public-org ids that carry anything beyond org/name', () => {
    for (const id of [
      'Xenova/bert-base/onnx/model.onnx',
      'Xenova/bert-base?token=abc',
      'Xenova/bert-base#main',
      ' Xenova/bert-base',
      'Xenova/bert-base\n',
      'Xenova/../../etc/passwd',
      '/Xenova/bert-base',
      'Xenova/bert-base/',
      'Xenova\\bert-base',
      'Xenova/model.onnx',
      'https://huggingface.co/Xenova/bert-base',
      'Xenova/bert base',
    ]) {
      const out = safeModelName(id, opts);
      expect(out, JSON.stringify(id)).toMatch(HASH_RE);
    }
  });

  it('hashes private hub ids with the salt: sha256: + 16 hex of sha256(salt + normalised id)', () => {
    const out = safeModelName('acme-corp/internal-model', opts);
    expect(out).toBe(expectedHash('acme-corp/internal-model'));
    expect(safeModelName('Acme-Corp/Internal-Model', opts)).toBe(out); // normalised: case-insensitive
    expect(safeModelName('acme-corp/internal-model', { ...opts, salt: 'other' })).not.toBe(out);
    expect(out).not.toContain('acme');
  });

  it('hashes paths by their base name only, whatever the directories', () => {
    const want = expectedHash('secret.onnx');
    for (const p of [
      '/home/alice/models/secret.onnx',
      '/srv/other/place/secret.onnx',
      'C:\\Users\\alice\\models\\secret.onnx',
      'D:/models/secret.onnx',
      '\\\\nas\\share\\secret.onnx',
      'file:///home/alice/models/secret.onnx',
      'file:///C:/Users/alice/secret.onnx',
      './models/secret.onnx',
      'models/secret.onnx',
      '~/secret.onnx',
      'https://cdn.example.com/m/secret.onnx?sig=abc',
      '/home/alice/models/SECRET.onnx',
    ]) {
      const out = safeModelName(p, opts);
      expect(out, p).toBe(want);
      expect(out).not.toContain('alice');
    }
  });

  it('hashes bare names and never returns them', () => {
    expect(safeModelName('bert-base-uncased', opts)).toBe(expectedHash('bert-base-uncased'));
    expect(safeModelName('my-secret-model', opts)).not.toContain('secret');
  });

  it("returns 'buffer' for bytes and undefined for other non-strings or empty strings", () => {
    expect(safeModelName(Buffer.from('onnx bytes'), opts)).toBe('buffer');
    expect(safeModelName(new Uint8Array(8), opts)).toBe('buffer');
    expect(safeModelName(new ArrayBuffer(8), opts)).toBe('buffer');
    expect(safeModelName(new Float32Array(2), opts)).toBe('buffer');
    for (const x of [undefined, null, 42, {}, [], true, Symbol('m'), () => 'x', '', '   ']) expect(safeModelName(x, opts)).toBeUndefined();
  });

  it('is deterministic for the same salt', () => {
    expect(safeModelName('/a/b/model.onnx', opts)).toBe(safeModelName('/a/b/model.onnx', opts));
  });

  it('never throws; returns a public id, a hash, buffer or undefined for any input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string({ unit: 'binary' }), fc.constantFrom('Xenova/x', 'a/b', '/x', 'C:\\x')), (x) => {
        const out = safeModelName(x, opts);
        if (out === undefined || out === 'buffer') return;
        if (HASH_RE.test(out)) return;
        // Passed through: must be exactly a public org/name.
        expect(out).toBe(x);
        expect(out).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/);
        expect(DEFAULT_PUBLIC_MODEL_ORGS).toContain(out.split('/')[0]);
      }),
      { numRuns: 500 },
    );
    expect(safeModelName('x', undefined as never)).toMatch(HASH_RE);
  });
});
