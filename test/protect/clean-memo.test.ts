// Resource values the redactor returned unchanged, remembered across runs (src/protect/clean-memo.ts):
// only unchanged values, only for the same redactor, only from a file this user owns.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprint, loadCleanMemo, MAX_CLEAN_LENGTH } from '../../src/protect/clean-memo.js';
import { createProtectGate } from '../../src/protect/gate.js';
import { createRedactor } from '../../src/protect/redaction-engine.js';
import { CORPUS_CONTEXT, REDACT_CORPUS } from './redact-corpus.js';

const dir = () => mkdtempSync(join(tmpdir(), 'ta-memo-'));

describe('loadCleanMemo', () => {
  it('round-trips what was added, for the same key only', () => {
    const file = join(dir(), 'memo.json');
    const a = loadCleanMemo(file, 'k1');
    expect(a.has('linux')).toBe(false);
    a.add('linux');
    a.add('x'.repeat(MAX_CLEAN_LENGTH + 1));
    a.save();
    expect(loadCleanMemo(file, 'k1').has('linux')).toBe(true);
    expect(loadCleanMemo(file, 'k1').has('x'.repeat(MAX_CLEAN_LENGTH + 1))).toBe(false);
    expect(loadCleanMemo(file, 'k2').has('linux')).toBe(false);
  });

  it('ignores a link, a corrupt or oversized file, and entries that are not short strings', () => {
    const d = dir();
    const real = join(d, 'real.json');
    writeFileSync(real, JSON.stringify({ v: 1, key: 'k', clean: ['ok', 5, 'y'.repeat(MAX_CLEAN_LENGTH + 1)] }));
    expect(loadCleanMemo(real, 'k').has('ok')).toBe(true);
    expect(loadCleanMemo(real, 'k').has('y'.repeat(MAX_CLEAN_LENGTH + 1))).toBe(false);
    const link = join(d, 'link.json');
    symlinkSync(real, link);
    expect(loadCleanMemo(link, 'k').has('ok')).toBe(false);
    writeFileSync(join(d, 'corrupt.json'), '{"v":1,"key":"k","clean":["ok"');
    expect(loadCleanMemo(join(d, 'corrupt.json'), 'k').has('ok')).toBe(false);
    writeFileSync(join(d, 'big.json'), JSON.stringify({ v: 1, key: 'k', clean: ['ok', 'z'.repeat(70_000)] }));
    expect(loadCleanMemo(join(d, 'big.json'), 'k').has('ok')).toBe(false);
  });

  it('saving where no directory can be made is silent', () => {
    const notADir = join(dir(), 'file');
    writeFileSync(notADir, '');
    const m = loadCleanMemo(join(notADir, 'memo.json'), 'k');
    m.add('a');
    expect(() => m.save()).not.toThrow();
  });

  it('fingerprint: stable, 16 hex characters, different for different inputs', () => {
    expect(fingerprint('abc')).toBe(fingerprint('abc'));
    expect(fingerprint('abc')).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint('abc')).not.toBe(fingerprint('abd'));
  });
});

describe('the gate with a memo', () => {
  it('remembers only resource values the redactor left unchanged; never a planted secret', () => {
    const file = join(dir(), 'memo.json');
    const gate = createProtectGate(createRedactor(CORPUS_CONTEXT), loadCleanMemo(file, 'k'));
    const rows = REDACT_CORPUS.slice(0, 60);
    for (const row of rows) gate.resource({ 'service.name': row.template, 'os.type': 'linux' });
    gate.saveCleanMemo();
    const saved = readFileSync(file, 'utf8');
    expect(JSON.parse(saved).clean).toContain('linux');
    for (const row of rows) expect(saved).not.toContain(row.secret);
  });

  it('a remembered value skips the redactor for the resource only; span and metric values are always redacted', () => {
    const d = dir();
    const file = join(d, 'memo.json');
    const calls: string[] = [];
    const real = createRedactor(CORPUS_CONTEXT);
    const redactor = (t: string, cap?: number) => { calls.push(t); return real(t, cap); };
    createProtectGate(redactor, loadCleanMemo(file, 'k')).resource({ 'os.type': 'linux' });
    createProtectGate(redactor, loadCleanMemo(file, 'k')).saveCleanMemo();
    const first = createProtectGate(redactor, loadCleanMemo(file, 'k'));
    first.resource({ 'os.type': 'linux' });
    first.saveCleanMemo();
    calls.length = 0;
    const next = createProtectGate(redactor, loadCleanMemo(file, 'k'));
    expect(next.resource({ 'os.type': 'linux' })['os.type']).toBe('linux');
    expect(calls).toEqual([]);
  });
});
