import { describe, expect, it } from 'vitest';
import { declaredUsageKeys, validateDescription } from '../../src/api/description.js';
import { checkUsage } from '../../src/api/usage-events.js';

const valid = {
  product: 'acme', serviceName: 'acme', serviceVersion: '1.2.3', endpoint: 'https://telemetry.acme.dev',
  optOutEnv: ['ACME_TELEMETRY_DISABLED'], enableEnv: ['ACME_TELEMETRY'], consentDefault: 'opt-in',
  why: 'To see which optimisations help.', deletionContact: 'privacy@acme.dev', retention: '12 months',
  events: { optimize: { compiler: { type: 'string', values: ['onnxruntime', 'tfjs'] }, latency_ms: { type: 'number', unit: 'ms' }, cached: { type: 'boolean' } } },
  commands: ['optimize'],
};

describe('validateDescription', () => {
  it('accepts the example description of docs/for-maintainers.md', () => {
    expect(validateDescription(valid)).toEqual([]);
  });

  it.each([
    [{ events: { e: { a: { type: 'int' } } } }, /attribute "a": unknown type "int"; use "string" \(with "values"\), "number" \(optional "unit"\) or "boolean"/],
    [{ events: { e: { a: { type: 'string' } } } }, /attribute "a": a string attribute needs "values"/],
    [{ events: { e: { a: { type: 'string', values: [] } } } }, /needs "values"/],
    [{ events: { e: { a: { type: 'string', values: ['a b'] } } } }, /value "a b" is not allowed/],
    [{ events: { 'my-event': {} } }, /event "my-event": the name is not a simple identifier/],
    [{ events: { e: { 'latency.ms': { type: 'number' } } } }, /attribute "latency\.ms": the name is not a simple identifier/],
    [{ events: { e: { '1st': { type: 'boolean' } } } }, /attribute "1st": the name is not a simple identifier/],
    [{ events: { e: { name: { type: 'boolean' } } } }, /"name" is reserved/],
    [{ events: { command: {} } }, /"command" is reserved/],
    [{ events: { e: { n: { type: 'number', values: ['1'] } } } }, /unknown field "values" for type number/],
    [{ product: 'My Tool' }, /"product": "My Tool" is not a product name/],
    [{ endpoint: 'telemetry.acme.dev' }, /is not an http\(s\) URL/],
    [{ optOutEnv: 'ACME_OFF' }, /"optOutEnv" must be a list/],
    [{ enableEnv: ['ACME TELEMETRY'] }, /not an environment variable name/],
    [{ consentDefault: 'on' }, /"consentDefault" must be "opt-in" or "opt-out"/],
    [{ evnets: {} }, /unknown field "evnets"/],
    [{ commands: ['optimize all'] }, /"commands": "optimize all" is not a simple identifier/],
  ])('%j is refused with a clear error', (d, message) => {
    const errors = validateDescription(d);
    expect(errors.some((e) => message.test(e)), errors.join('\n')).toBe(true);
  });

  it('refuses what is not an object', () => {
    for (const d of [null, [], 'acme', 3]) expect(validateDescription(d)).toHaveLength(1);
  });

  it('lists every key recordUsage may send', () => {
    expect(declaredUsageKeys(valid as any).sort()).toEqual(['usage.cached', 'usage.compiler', 'usage.latency_ms']);
  });
});

describe('checkUsage', () => {
  const d = valid as any;
  it('keeps declared attributes with valid values and counts the rest by reason', () => {
    const r = checkUsage(d, 'optimize', { compiler: 'tfjs', latency_ms: 1, cached: true, extra: 1, other: 'x' });
    expect(r.attributes).toEqual({ 'usage.name': 'optimize', 'usage.compiler': 'tfjs', 'usage.latency_ms': 1, 'usage.cached': true });
    expect(Object.fromEntries(r.dropped)).toEqual({ undeclared_attribute: 2 });
    const bad = checkUsage(d, 'optimize', { compiler: 'gcc', latency_ms: Number.NaN, cached: 'no' });
    expect(bad.attributes).toEqual({ 'usage.name': 'optimize' });
    expect(Object.fromEntries(bad.dropped)).toEqual({ value_not_allowed: 1, wrong_type: 2 });
  });

  it('drops undeclared events whole, including names of Object.prototype', () => {
    for (const e of ['upload', 'toString', '__proto__', 42]) {
      const r = checkUsage(d, e, { compiler: 'tfjs' });
      expect(r.attributes).toBeUndefined();
      expect(Object.fromEntries(r.dropped)).toEqual({ undeclared_event: 1 });
    }
    expect(checkUsage(d, 'optimize', { constructor: 'x' }).dropped.get('undeclared_attribute')).toBe(1);
  });
});

describe('consent() with a name that is not a product', () => {
  it('never throws and touches nothing; every method says why', async () => {
    const { consent } = await import('../../src/api/index.js');
    const c = consent('My Tool');
    expect(c.status()).toMatchObject({ enabled: false, reason: expect.stringMatching(/is not a product name/) });
    expect(c.enable().message).toMatch(/nothing was changed/);
    expect(c.id()).toBeUndefined();
  });
});
