import { DATA_VERSION } from '../catalog.js';
import type { ConsentRead } from './consent-store.js';
import { isOptOutSet, readSwitch, type Env } from './env-flags.js';

export interface ConsentOptions {
  /** What happens when nobody decided: 'opt-in' (default, nothing is sent) or 'opt-out'. */
  readonly consentDefault?: 'opt-in' | 'opt-out';
  /** An embedding tool's own opt-out variables, e.g. SPEEDSTER_DISABLE_TELEMETRY. */
  readonly optOutEnv?: readonly string[];
  /** An embedding tool's own enable variables, read like TELEMETRY_AGENT_ENABLED. */
  readonly enableEnv?: readonly string[];
}

export interface ConsentInputs {
  readonly env: Env;
  readonly options?: ConsentOptions;
  /** Lazily read, so rules 1–3 never touch the disk. */
  readonly readProject: () => ConsentRead;
  readonly readUser: () => ConsentRead;
  /** Name of the detected CI provider, if any; asked only by the rules that need it. */
  readonly ci: () => string | undefined;
}

export interface ConsentDecision {
  /** Rule 1: OTEL_SDK_DISABLED — nothing beyond the decision may load, not even inspect mode. */
  readonly sdkDisabled: boolean;
  readonly granted: boolean;
  /** Which rule of the SPEC decided (1–5). */
  readonly rule: 1 | 2 | 3 | 4 | 5;
  /** Plain words for `status`, e.g. "DO_NOT_TRACK=1 is set". */
  readonly reason: string;
  /** Nobody decided yet: the one-time notice may be shown. */
  readonly undecided: boolean;
  /** Saved consent existed but was given for an older list of collected data. */
  readonly staleConsent?: { readonly file: string; readonly dataVersion: number };
  /** Configuration problems, each a one-line explanation with the fix. */
  readonly problems: readonly string[];
}

const BUILTIN_OPT_OUT = ['DO_NOT_TRACK', 'TELEMETRY_AGENT_DISABLED'];
const BUILTIN_ENABLE = ['TELEMETRY_AGENT_ENABLED'];

export function decideConsent(input: ConsentInputs): ConsentDecision {
  const { env, options = {} } = input;
  const problems: string[] = [];
  const result = (granted: boolean, rule: ConsentDecision['rule'], reason: string, extra: Partial<ConsentDecision> = {}): ConsentDecision =>
    ({ sdkDisabled: false, granted, rule, reason, undecided: false, problems, ...extra });

  // Rule 1
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') {
    return result(false, 1, 'OTEL_SDK_DISABLED=true is set', { sdkDisabled: true });
  }
  // Rule 2
  for (const name of [...BUILTIN_OPT_OUT, ...(options.optOutEnv ?? [])]) {
    if (isOptOutSet(env[name])) return result(false, 2, `${name}=${env[name]} is set`);
  }
  // Rule 3
  for (const name of [...BUILTIN_ENABLE, ...(options.enableEnv ?? [])]) {
    const sw = readSwitch(env[name]);
    if (sw === 'on') return result(true, 3, `${name}=${env[name]} is set`);
    if (sw === 'off') return result(false, 3, `${name}=${env[name]} is set`);
    if (sw === 'invalid') {
      problems.push(`${name}=${JSON.stringify(env[name])} is not understood; set it to 1/true/yes/on to send telemetry or 0/false/no/off to turn it off. Telemetry is off for this run.`);
      return result(false, 3, `${name}=${env[name]} is not a valid value (telemetry stays off while in doubt)`);
    }
  }
  // Rule 4: the project's committed choice overrides the user's.
  let staleConsent: ConsentDecision['staleConsent'];
  for (const [scope, read] of [['project', input.readProject], ['user', input.readUser]] as const) {
    const r = read();
    if (r.kind === 'none') continue;
    if (r.kind === 'corrupt') {
      problems.push(`consent file ${r.file} ${r.problem}; run \`telemetry-agent enable\` or \`telemetry-agent disable\`${scope === 'project' ? ' --project' : ''} to rewrite it. Telemetry is off for this run.`);
      return result(false, 4, `the ${scope} consent file ${r.file} is unreadable (telemetry stays off while in doubt)`);
    }
    if (r.consent.dataVersion < DATA_VERSION) {
      staleConsent ??= { file: r.file, dataVersion: r.consent.dataVersion };
      continue;
    }
    if (!r.consent.enabled) return result(false, 4, `disabled in the ${scope} consent file ${r.file}`);
    const ci = input.ci();
    if (ci) return result(false, 5, `running in CI (${ci}); saved consent does not apply in CI, set TELEMETRY_AGENT_ENABLED=1 to send from CI`);
    return result(true, 4, `enabled in the ${scope} consent file ${r.file}`);
  }
  // Rule 5
  // Opt-in needs no CI check (nothing is sent either way), which keeps ci-info off the default path.
  if (options.consentDefault === 'opt-out') {
    const ci = input.ci();
    if (ci) return result(false, 5, `running in CI (${ci}); set TELEMETRY_AGENT_ENABLED=1 to send from CI`, { staleConsent });
    return result(true, 5, 'nobody decided yet and this tool sends telemetry by default (opt-out)', { undecided: true, staleConsent });
  }
  return result(false, 5, staleConsent
    ? `consent was saved for an older list of collected data (version ${staleConsent.dataVersion}, now ${DATA_VERSION}); run \`telemetry-agent enable\` again to send`
    : 'nobody decided yet (opt-in: nothing is sent until you enable it)', { undecided: true, staleConsent });
}
