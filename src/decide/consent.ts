import { DATA_VERSION } from '../data-version.js';
import type { ConsentRead } from './consent-store.js';
import { isOptOutSet, readSwitch, type Env } from './env-flags.js';
import { AGENT_PRODUCT } from './paths.js';

export interface ConsentOptions {
  /** Whose consent this is: `telemetry-agent` (the preload) or an embedding tool's product name. */
  readonly product?: string;
  /** What happens when nobody decided: 'opt-in' (default, nothing is sent) or 'opt-out'. */
  readonly consentDefault?: 'opt-in' | 'opt-out';
  /** An embedding tool's own opt-out variables, e.g. SPEEDSTER_DISABLE_TELEMETRY. */
  readonly optOutEnv?: readonly string[];
  /** An embedding tool's own enable variables, read like TELEMETRY_AGENT_ENABLED. */
  readonly enableEnv?: readonly string[];
  /** The tool's own consent command, e.g. `acme telemetry` (for messages); default `telemetry-agent … --product <name>`. */
  readonly consentCommand?: string;
}

export interface ConsentInputs {
  readonly env: Env;
  readonly options?: ConsentOptions;
  /** Lazily read, so rules 1–3 never touch the disk. */
  readonly readProject: () => ConsentRead;
  readonly readUser: () => ConsentRead;
  /** Name of the detected CI provider, if any; asked only by the rules that need it. */
  readonly ci: () => string | undefined;
  /** Fingerprint of the usage events the tool declares now (declared-fingerprint.ts), if known. */
  readonly declared?: string;
}

export interface ConsentDecision {
  readonly product: string;
  /** Rule 1: OTEL_SDK_DISABLED — nothing beyond the decision may load, not even inspect mode. */
  readonly sdkDisabled: boolean;
  readonly granted: boolean;
  /** Which consent rule decided (1–5, in the order docs/configuration.md lists them). */
  readonly rule: 1 | 2 | 3 | 4 | 5;
  /** Plain words for `status`, e.g. "DO_NOT_TRACK=1 is set". */
  readonly reason: string;
  /** Nobody decided yet: the one-time notice may be shown. */
  readonly undecided: boolean;
  /** Saved consent existed but was given for an older list of collected data. */
  readonly staleConsent?: { readonly file: string; readonly dataVersion: number; readonly declaredChanged?: boolean };
  /** A project file said `"enabled": true`, which never turns telemetry on. */
  readonly ignoredProjectEnable?: string;
  /** Configuration problems, each a one-line explanation with the fix. */
  readonly problems: readonly string[];
}

/** Opt-out variables that deny every product. */
export const GLOBAL_OPT_OUT_ENV: readonly string[] = ['DO_NOT_TRACK', 'TELEMETRY_AGENT_DISABLED'];
/** The enable variable of the agent's own product (and of no other). */
export const AGENT_ENABLE_ENV = 'TELEMETRY_AGENT_ENABLED';

export function productOptOutVars(o: ConsentOptions = {}): string[] {
  return [...GLOBAL_OPT_OUT_ENV, ...(o.optOutEnv ?? [])];
}

export function productEnableVars(o: ConsentOptions = {}): string[] {
  return [...((o.product ?? AGENT_PRODUCT) === AGENT_PRODUCT ? [AGENT_ENABLE_ENV] : []), ...(o.enableEnv ?? [])];
}

/** The command that turns this product on or off, for messages: `acme telemetry enable` or `telemetry-agent enable --product acme`. */
export function consentCommandLine(o: ConsentOptions, verb: 'enable' | 'disable' | 'status' | 'id' | 'reset'): string {
  if (o.consentCommand) return `${o.consentCommand} ${verb}`;
  const product = o.product ?? AGENT_PRODUCT;
  return product === AGENT_PRODUCT ? `telemetry-agent ${verb}` : `telemetry-agent ${verb} --product ${product}`;
}

export function decideConsent(input: ConsentInputs): ConsentDecision {
  const { env, options = {} } = input;
  const product = options.product ?? AGENT_PRODUCT;
  const problems: string[] = [];
  const result = (granted: boolean, rule: ConsentDecision['rule'], reason: string, extra: Partial<ConsentDecision> = {}): ConsentDecision =>
    ({ product, sdkDisabled: false, granted, rule, reason, undecided: false, problems, ...extra });
  const enableVars = productEnableVars(options);
  const enableHint = enableVars.length > 0 ? `set ${enableVars[0]}=1` : 'enable it explicitly';

  // Rule 1
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') {
    return result(false, 1, 'OTEL_SDK_DISABLED=true is set', { sdkDisabled: true });
  }
  // Rule 2
  for (const name of productOptOutVars(options)) {
    if (isOptOutSet(env[name])) return result(false, 2, `${name}=${env[name]} is set`);
  }
  // Rule 3: only this product's own enable variables.
  for (const name of enableVars) {
    const sw = readSwitch(env[name]);
    if (sw === 'on') return result(true, 3, `${name}=${env[name]} is set`);
    if (sw === 'off') return result(false, 3, `${name}=${env[name]} is set`);
    if (sw === 'invalid') {
      problems.push(`${name}=${JSON.stringify(env[name])} is not understood; set it to 1/true/yes/on to send telemetry or 0/false/no/off to turn it off. Telemetry is off for this run.`);
      return result(false, 3, `${name}=${env[name]} is not a valid value (telemetry stays off while in doubt)`);
    }
  }
  // Rule 4: a project can only deny; then the user's own choice for this product.
  let ignoredProjectEnable: string | undefined;
  const project = input.readProject();
  if (project.kind === 'corrupt') {
    problems.push(`consent file ${project.file} ${project.problem}; fix it or run \`telemetry-agent disable --project\` to rewrite it. Telemetry is off for this run.`);
    return result(false, 4, `the project consent file ${project.file} is unreadable (telemetry stays off while in doubt)`);
  }
  if (project.kind === 'saved') {
    if (!project.consent.enabled) return result(false, 4, `disabled in the project consent file ${project.file}`);
    ignoredProjectEnable = project.file;
  }
  const extra = ignoredProjectEnable ? { ignoredProjectEnable } : {};
  let staleConsent: ConsentDecision['staleConsent'];
  const user = input.readUser();
  if (user.kind === 'corrupt') {
    problems.push(`consent file ${user.file} ${user.problem}; run \`${consentCommandLine(options, 'enable')}\` or \`${consentCommandLine(options, 'disable')}\` to rewrite it. Telemetry is off for this run.`);
    return result(false, 4, `the user consent file ${user.file} is unreadable (telemetry stays off while in doubt)`, extra);
  }
  if (user.kind === 'saved') {
    // A saved "no" counts whatever list it was given for; a saved "yes" only for the current list.
    if (!user.consent.enabled) return result(false, 4, `disabled in the user consent file ${user.file}`, extra);
    const declaredChanged = input.declared !== undefined && user.consent.declared !== undefined && user.consent.declared !== input.declared;
    if (user.consent.dataVersion < DATA_VERSION || declaredChanged) {
      staleConsent = { file: user.file, dataVersion: user.consent.dataVersion, ...(declaredChanged ? { declaredChanged } : {}) };
    } else {
      const ci = input.ci();
      if (ci) return result(false, 5, `running in CI (${ci}); saved consent does not apply in CI, ${enableHint} to send from CI`, extra);
      return result(true, 4, `enabled in the user consent file ${user.file}`, extra);
    }
  }
  // Rule 5
  // Opt-in needs no CI check (nothing is sent either way), which keeps ci-info off the default path.
  if (options.consentDefault === 'opt-out') {
    const ci = input.ci();
    if (ci) return result(false, 5, `running in CI (${ci}); ${enableHint} to send from CI`, { staleConsent, ...extra });
    return result(true, 5, 'nobody decided yet and this tool sends telemetry by default (opt-out)', { undecided: true, staleConsent, ...extra });
  }
  return result(false, 5, staleConsent?.declaredChanged
    ? `consent was saved for a different list of usage events than this version declares; run \`${consentCommandLine(options, 'enable')}\` again to send`
    : staleConsent
    ? `consent was saved for an older list of collected data (version ${staleConsent.dataVersion}, now ${DATA_VERSION}); run \`${consentCommandLine(options, 'enable')}\` again to send`
    : 'nobody decided yet (opt-in: nothing is sent until you enable it)', { undecided: true, staleConsent, ...extra });
}
