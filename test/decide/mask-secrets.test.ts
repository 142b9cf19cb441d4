import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { maskSecretsInText, maskUrl } from '../../src/decide/mask-secrets.js';

describe('maskUrl', () => {
  it('hides user-info and query values, keeps scheme, host, port and path', () => {
    expect(maskUrl('https://user:pass@collector.example:4318/otlp?token=abc&x=1#f')).toBe('https://***@collector.example:4318/otlp?token=***&x=***');
    expect(maskUrl('http://localhost:4318')).toBe('http://localhost:4318');
    expect(maskUrl('http://token@host/')).toBe('http://***@host/');
  });

  it('hides passwords with /, ?, # or @ in them, and credentials in text that is not a URL', () => {
    expect(maskUrl('http://u:pa/ss@host:1')).toBe('http://***@host:1');
    expect(maskUrl('http://u:pa?ss@host:1')).toBe('http://***@host:1');
    expect(maskUrl('http://u:p@ss#w@host')).toBe('http://***@host');
    expect(maskUrl('user:secret@collector:4318')).toBe('***@collector:4318');
  });

  it('never lets a planted password or query value through (property)', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9!$&'()*+,;=:/?#._~-]{6,24}$/).filter((s) => /[A-Za-z0-9]{6}/.test(s));
    fc.assert(fc.property(secret, fc.stringMatching(/^[a-z]{1,8}$/), (pw, user) => {
      const token = pw.replace(/[^A-Za-z0-9]/g, '');
      const shown = maskUrl(`https://${user}:${pw}@collector.example:4318/p?k=${token}`);
      return !shown.includes(token) && shown.includes('collector.example');
    }));
  });
});

describe('maskSecretsInText', () => {
  it('masks every URL inside a line', () => {
    expect(maskSecretsInText('cannot reach http://a:b@h:1/v1/traces (ECONNREFUSED); also https://h2/?k=v')).toBe('cannot reach http://***@h:1/v1/traces (ECONNREFUSED); also https://h2/?k=***');
  });
});
