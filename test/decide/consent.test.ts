import { describe, expect, it } from 'vitest';
import { DATA_VERSION } from '../../src/catalog.js';
import { decideConsent, type ConsentInputs } from '../../src/decide/consent.js';
import type { ConsentRead } from '../../src/decide/consent-store.js';

const none = (): ConsentRead => ({ kind: 'none' });
const saved = (enabled: boolean, dataVersion = DATA_VERSION, file = '/cfg/consent.json') => (): ConsentRead => ({ kind: 'saved', consent: { enabled, dataVersion }, file });
const input = (o: Partial<ConsentInputs> & { env?: Record<string, string> }): ConsentInputs => ({ env: {}, readProject: none, readUser: none, ci: () => undefined, ...o });

describe('consent rules, first match wins', () => {
  it('rule 1: OTEL_SDK_DISABLED=true beats everything, and reads no file', () => {
    const boom = () => { throw new Error('must not read'); };
    const d = decideConsent(input({ env: { OTEL_SDK_DISABLED: 'TRUE', TELEMETRY_AGENT_ENABLED: '1' }, readProject: boom, readUser: boom }));
    expect(d).toMatchObject({ sdkDisabled: true, granted: false, rule: 1 });
  });

  it('rule 2: DO_NOT_TRACK, TELEMETRY_AGENT_DISABLED and a tool opt-out beat ENABLED; 0/false/empty do not opt out', () => {
    expect(decideConsent(input({ env: { DO_NOT_TRACK: '1', TELEMETRY_AGENT_ENABLED: '1' } }))).toMatchObject({ granted: false, rule: 2, reason: 'DO_NOT_TRACK=1 is set' });
    expect(decideConsent(input({ env: { TELEMETRY_AGENT_DISABLED: 'yes', TELEMETRY_AGENT_ENABLED: '1' } }))).toMatchObject({ granted: false, rule: 2 });
    expect(decideConsent(input({ env: { SPEEDSTER_DISABLE_TELEMETRY: 'anything', TELEMETRY_AGENT_ENABLED: '1' }, options: { optOutEnv: ['SPEEDSTER_DISABLE_TELEMETRY'] } }))).toMatchObject({ granted: false, rule: 2 });
    for (const v of ['0', 'false', 'FALSE', '']) {
      expect(decideConsent(input({ env: { DO_NOT_TRACK: v, TELEMETRY_AGENT_ENABLED: '1' } }))).toMatchObject({ granted: true, rule: 3 });
    }
  });

  it('rule 3: explicit switches; a tool enable variable counts the same; invalid values keep it off with a problem line', () => {
    for (const v of ['1', 'true', 'yes', 'on', 'ON']) expect(decideConsent(input({ env: { TELEMETRY_AGENT_ENABLED: v } }))).toMatchObject({ granted: true, rule: 3 });
    for (const v of ['0', 'false', 'no', 'off']) expect(decideConsent(input({ env: { TELEMETRY_AGENT_ENABLED: v }, readUser: saved(true) }))).toMatchObject({ granted: false, rule: 3 });
    expect(decideConsent(input({ env: { TOOL_TELEMETRY: '1' }, options: { enableEnv: ['TOOL_TELEMETRY'] } }))).toMatchObject({ granted: true, rule: 3 });
    const bad = decideConsent(input({ env: { TELEMETRY_AGENT_ENABLED: 'maybe' }, readUser: saved(true) }));
    expect(bad).toMatchObject({ granted: false, rule: 3 });
    expect(bad.problems).toHaveLength(1);
    expect(bad.problems[0]).toMatch(/TELEMETRY_AGENT_ENABLED="maybe" is not understood; set it to 1\/true\/yes\/on/);
  });

  it('rule 3 grants even in CI (explicit consent)', () => {
    expect(decideConsent(input({ env: { TELEMETRY_AGENT_ENABLED: '1' }, ci: () => 'GITHUB_ACTIONS' }))).toMatchObject({ granted: true, rule: 3 });
  });

  it('rule 4: a project can only deny; a committed "enabled": true never turns telemetry on', () => {
    expect(decideConsent(input({ readProject: saved(false, DATA_VERSION, '/p/.telemetry-agent.json'), readUser: saved(true) }))).toMatchObject({ granted: false, rule: 4, reason: 'disabled in the project consent file /p/.telemetry-agent.json' });
    expect(decideConsent(input({ readProject: saved(true, DATA_VERSION, '/p/.telemetry-agent.json'), readUser: saved(false) }))).toMatchObject({ granted: false, rule: 4, ignoredProjectEnable: '/p/.telemetry-agent.json' });
    expect(decideConsent(input({ readProject: saved(true) }))).toMatchObject({ granted: false, rule: 5, undecided: true });
    expect(decideConsent(input({ readUser: saved(true) }))).toMatchObject({ granted: true, rule: 4, undecided: false });
  });

  it('rule 4: a saved "no" counts whatever data list it was given for', () => {
    expect(decideConsent(input({ readUser: saved(false, DATA_VERSION - 1) }))).toMatchObject({ granted: false, rule: 4 });
    expect(decideConsent(input({ readProject: saved(false, 0) }))).toMatchObject({ granted: false, rule: 4 });
  });

  it('products: TELEMETRY_AGENT_ENABLED grants only telemetry-agent; a tool\'s enable variable only that tool; opt-outs deny all', () => {
    const tool = { product: 'acme', enableEnv: ['ACME_TELEMETRY'], optOutEnv: ['ACME_TELEMETRY_DISABLED'] };
    expect(decideConsent(input({ env: { TELEMETRY_AGENT_ENABLED: '1' } }))).toMatchObject({ product: 'telemetry-agent', granted: true, rule: 3 });
    expect(decideConsent(input({ env: { TELEMETRY_AGENT_ENABLED: '1' }, options: tool }))).toMatchObject({ product: 'acme', granted: false, rule: 5 });
    expect(decideConsent(input({ env: { ACME_TELEMETRY: '1' }, options: tool }))).toMatchObject({ granted: true, rule: 3 });
    expect(decideConsent(input({ env: { ACME_TELEMETRY: '1' } }))).toMatchObject({ granted: false, rule: 5 });
    expect(decideConsent(input({ env: { ACME_TELEMETRY: '1', ACME_TELEMETRY_DISABLED: '1' }, options: tool }))).toMatchObject({ granted: false, rule: 2 });
    expect(decideConsent(input({ env: { ACME_TELEMETRY_DISABLED: '1', TELEMETRY_AGENT_ENABLED: '1' } }))).toMatchObject({ granted: true, rule: 3 });
    for (const v of ['DO_NOT_TRACK', 'TELEMETRY_AGENT_DISABLED']) {
      expect(decideConsent(input({ env: { [v]: '1', ACME_TELEMETRY: '1' }, options: tool }))).toMatchObject({ granted: false, rule: 2 });
    }
    expect(decideConsent(input({ env: { OTEL_SDK_DISABLED: 'true', ACME_TELEMETRY: '1' }, options: tool }))).toMatchObject({ granted: false, rule: 1, sdkDisabled: true });
    // In CI a tool's own saved consent does not count, and the hint names the tool's variable.
    expect(decideConsent(input({ readUser: saved(true), ci: () => 'CI', options: tool })).reason).toMatch(/set ACME_TELEMETRY=1 to send from CI/);
  });

  it('rule 4: consent saved for an older data list no longer counts; the notice is due again', () => {
    const d = decideConsent(input({ readUser: saved(true, DATA_VERSION - 1) }));
    expect(d).toMatchObject({ granted: false, rule: 5, undecided: true, staleConsent: { dataVersion: DATA_VERSION - 1 } });
    expect(d.reason).toMatch(/older list of collected data/);
  });

  it('rule 4: a corrupt file keeps telemetry off and explains how to fix it', () => {
    const d = decideConsent(input({ readUser: () => ({ kind: 'corrupt', file: '/cfg/consent.json', problem: 'is not valid JSON' }) }));
    expect(d).toMatchObject({ granted: false, rule: 4 });
    expect(d.problems[0]).toMatch(/consent file \/cfg\/consent\.json is not valid JSON; run `telemetry-agent enable` or `telemetry-agent disable` to rewrite it/);
  });

  it('rule 5: opt-in by default, opt-out when the tool says so, and never in CI', () => {
    expect(decideConsent(input({}))).toMatchObject({ granted: false, rule: 5, undecided: true });
    expect(decideConsent(input({ options: { consentDefault: 'opt-out' } }))).toMatchObject({ granted: true, rule: 5, undecided: true });
    expect(decideConsent(input({ options: { consentDefault: 'opt-out' }, ci: () => 'CI' }))).toMatchObject({ granted: false, rule: 5, reason: expect.stringMatching(/^running in CI/) });
    expect(decideConsent(input({ readUser: saved(true), ci: () => 'CI' }))).toMatchObject({ granted: false, rule: 5 });
  });

  it('rule 4: a tool\'s saved "yes" counts only for the usage events it was given for', () => {
    const yes = (declared?: string) => (): ConsentRead => ({ kind: 'saved', consent: { enabled: true, dataVersion: DATA_VERSION, ...(declared ? { declared } : {}) }, file: '/cfg/consent.json' });
    const tool = { product: 'acme' };
    expect(decideConsent(input({ options: tool, readUser: yes('aaa'), declared: 'aaa' }))).toMatchObject({ granted: true, rule: 4 });
    const changed = decideConsent(input({ options: tool, readUser: yes('aaa'), declared: 'bbb' }));
    expect(changed).toMatchObject({ granted: false, rule: 5, undecided: true, staleConsent: { declaredChanged: true } });
    expect(changed.reason).toMatch(/different list of usage events/);
    // Unknown on either side (saved by a CLI that did not know the events): it counts.
    expect(decideConsent(input({ options: tool, readUser: yes(), declared: 'bbb' }))).toMatchObject({ granted: true });
    expect(decideConsent(input({ options: tool, readUser: yes('aaa') }))).toMatchObject({ granted: true });
    // A saved "no" stays a no.
    expect(decideConsent(input({ options: tool, readUser: () => ({ kind: 'saved', consent: { enabled: false, dataVersion: DATA_VERSION, declared: 'aaa' }, file: 'f' }), declared: 'bbb' }))).toMatchObject({ granted: false, rule: 4 });
  });
});

