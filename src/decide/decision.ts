import { decideConsent, type ConsentDecision, type ConsentOptions } from './consent.js';
import { projectConsentFile, readConsentFile, userConsentFile } from './consent-store.js';
import { detectCi } from './ci.js';
import type { Env } from './env-flags.js';
import { readExportConfig, type ExportConfig } from './export-config.js';
import { detectProcessRole, type ProcessRole } from './process-role.js';

export interface StartOptions extends ConsentOptions {
  readonly serviceName?: string;
  readonly serviceVersion?: string;
  readonly endpoint?: string;
  /** Organisations whose model ids are public and may be sent as-is (added to the defaults). */
  readonly publicModelOrgs?: readonly string[];
}

export interface Decision {
  readonly consent: ConsentDecision;
  readonly role: ProcessRole;
  readonly ci: string | undefined;
  readonly config: ExportConfig;
  /** The pipeline runs (to send, or only to print in inspect mode). */
  readonly active: boolean;
  /** Payloads may leave the process. */
  readonly send: boolean;
  /** One-line explanations of configuration problems, for stderr. */
  readonly problems: readonly string[];
}

/**
 * Everything the agent needs to know before loading anything heavy. Never throws, touches at most
 * two small files. The process role is worked out only when asked (it loads worker_threads).
 */
export function decide(env: Env, options: StartOptions = {}, ownCli?: string, knownRole?: ProcessRole): Decision {
  const ci = detectCi(env);
  const consent = decideConsent({
    env,
    options,
    ci,
    readProject: () => {
      const file = projectConsentFile();
      return file === undefined ? { kind: 'none' } : readConsentFile(file);
    },
    readUser: () => readConsentFile(userConsentFile()),
  });
  const problems = [...consent.problems];
  const config = readExportConfig(env, problems, { endpoint: options.endpoint, serviceName: options.serviceName });
  let role = knownRole;
  const candidate = !consent.sdkDisabled && (consent.granted || config.inspect);
  return {
    consent,
    ci,
    config,
    problems,
    get role() {
      return (role ??= detectProcessRole(env, process.argv, undefined, ownCli));
    },
    get active() {
      return candidate && this.role.main;
    },
    get send() {
      return this.active && consent.granted && config.valid;
    },
  };
}

/** Consent was withdrawn at start (opt-out variable, explicit off, saved "disabled"): queued data must go. */
export function consentRevoked(c: ConsentDecision): boolean {
  return !c.granted && (c.rule === 2 || c.rule === 3 || (c.rule === 4 && c.reason.startsWith('disabled')));
}
