// The decision (decision.ts) with the export settings read through a function given by the caller:
// what the preload's small first bundle runs on every start.
import { decideConsent, type ConsentDecision, type ConsentOptions } from './consent.js';
import { projectConsentFile, readConsentFile, readProjectConsent } from './consent-store.js';
import { detectCi } from './ci.js';
import { readSwitch, type Env } from './env-flags.js';
import type { ExportConfig, ExportOverrides } from './export-config.js';
import { detectProcessRole, type ProcessRole } from './process-role.js';
import { productOf, productPaths, type ProductPaths } from './paths.js';
import { declaredFingerprint } from './declared-fingerprint.js';

export interface StartOptions extends ConsentOptions {
  readonly serviceName?: string;
  readonly serviceVersion?: string;
  readonly endpoint?: string;
  /** Organisations whose model ids are public and may be sent as-is (added to the defaults). */
  readonly publicModelOrgs?: readonly string[];
  /** Where the tool's telemetry page is published; the notice points there. */
  readonly docsUrl?: string;
}

export interface Decision {
  /** Whose consent, IDs and queue these are (`telemetry-agent`, or the embedding tool's product). */
  readonly product: string;
  /** Where that product's state lives (built on first use: the "off" path never needs it). */
  readonly paths: ProductPaths;
  readonly consent: ConsentDecision;
  readonly role: ProcessRole;
  readonly ci: string | undefined;
  /** TELEMETRY_AGENT_INSPECT is on (also readable as config.inspect). */
  readonly inspect: boolean;
  readonly config: ExportConfig;
  /** The pipeline runs (to send, or only to print in inspect mode). */
  readonly active: boolean;
  /** Payloads may leave the process. */
  readonly send: boolean;
  /** One-line explanations of configuration problems, for stderr. */
  readonly problems: readonly string[];
}

/** Reads the export settings (decide/export-config.ts), adding one-line problems to `problems`. */
export type ConfigReader = (env: Env, problems: string[], overrides: ExportOverrides) => ExportConfig;

/**
 * Everything the agent needs to know before loading anything heavy. Never throws, touches at most
 * two small files. The export settings and the process role are worked out only when asked; the
 * settings through `readConfig`, so the preload can keep their code out of the "off" path (it
 * loads them from a second bundle: see boot.ts).
 */
export function decideWith(readConfig: ConfigReader, env: Env, options: StartOptions = {}, ownCli?: () => string | undefined, knownRole?: ProcessRole): Decision {
  let ci: { name: string | undefined } | undefined;
  const ciName = () => (ci ??= { name: detectCi(env) }).name;
  const product = productOf(options);
  let paths: ProductPaths | undefined;
  const productDirs = () => (paths ??= productPaths(product));
  const consent = decideConsent({
    env,
    options: { ...options, product },
    ci: ciName,
    readProject: () => {
      const file = projectConsentFile();
      return file === undefined ? { kind: 'none' } : readProjectConsent(file, product);
    },
    readUser: () => readConsentFile(productDirs().consentFile),
    declared: declaredFingerprint(options as { events?: unknown; commands?: unknown }),
  });
  let role = knownRole;
  let config: ExportConfig | undefined;
  const problems = [...consent.problems];
  const inspect = readSwitch(env.TELEMETRY_AGENT_INSPECT) === 'on';
  const candidate = !consent.sdkDisabled && (consent.granted || inspect);
  return {
    product,
    get paths() {
      return productDirs();
    },
    consent,
    get ci() {
      return ciName();
    },
    inspect,
    // The export settings and the process role are worked out only when asked: the common
    // "telemetry is off" start never needs them.
    get config() {
      // The product decides whether OTEL_RESOURCE_ATTRIBUTES applies (the telemetry-agent product only).
      return (config ??= readConfig(env, problems, { endpoint: options.endpoint, serviceName: options.serviceName, product }));
    },
    get problems() {
      void this.config;
      return problems;
    },
    get role() {
      return (role ??= detectProcessRole(env, process.argv, undefined, ownCli?.()));
    },
    get active() {
      return candidate && this.role.main;
    },
    get send() {
      return this.active && consent.granted && this.config.valid;
    },
  };
}

/** Consent was withdrawn at start (opt-out variable, explicit off, saved "disabled"): queued data must go. */
export function consentRevoked(c: ConsentDecision): boolean {
  return !c.granted && (c.rule === 2 || c.rule === 3 || (c.rule === 4 && c.reason.startsWith('disabled')));
}
