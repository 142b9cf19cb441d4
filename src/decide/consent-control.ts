// One product's consent, as the CLI (`telemetry-agent enable --product acme`) and a tool's own
// commands (`consent('acme')` → `acme telemetry enable`) change and show it. Both go through
// here, so they say the same thing and touch only that product's state.
import { readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file.js';
import { forgetUserConsent, saveProjectDenial, saveUserConsent } from './consent-store.js';
import { consentCommandLine, productOptOutVars, productEnableVars } from './consent.js';
import { decide, type StartOptions } from './decision.js';
import { declaredFingerprint } from './declared-fingerprint.js';
import { deleteQueuedData } from './delete-queue.js';
import type { Env } from './env-flags.js';
import { AGENT_PRODUCT, legacyQueueDir, productPaths, type ProductPaths } from './paths.js';
import { maskUrl } from './mask-secrets.js';

/** What of a tool's description the generic CLI needs to decide like the tool does. */
export type ConsentProfile = Pick<StartOptions, 'product' | 'serviceName' | 'serviceVersion' | 'endpoint' | 'optOutEnv' | 'enableEnv' | 'consentDefault' | 'consentCommand' | 'docsUrl'> & {
  /** A tool's declared events and commands (from its description): saved consent records their fingerprint. */
  readonly events?: unknown;
  readonly commands?: unknown;
};

const PROFILE_FILE = 'product.json';

export interface ProductStatus {
  readonly product: string;
  /** An app (or the tool) started now with this environment would send telemetry. */
  readonly enabled: boolean;
  readonly rule: number;
  /** The deciding rule in words, as `telemetry-agent status` prints it. */
  readonly reason: string;
  readonly optOutEnv: readonly string[];
  readonly enableEnv: readonly string[];
  /** Masked: credentials and query values never shown. */
  readonly endpoint: string;
  /** OTEL_RESOURCE_ATTRIBUTES is set but not attached (only the telemetry-agent product takes it). */
  readonly resourceAttributesIgnored: boolean;
  readonly installId: string | null;
  readonly installIdFile: string;
  readonly configDir: string;
  readonly queueDir: string;
  readonly problems: readonly string[];
  /** A project file says `"enabled": true`, which never turns telemetry on. */
  readonly ignoredProjectEnable?: string;
  /** For a tool whose description is known: each declared usage event and the attribute keys it may send. */
  readonly usageEvents?: Readonly<Record<string, readonly string[]>>;
}

export interface ProductConsent {
  readonly product: string;
  status(): ProductStatus;
  /** Saves "on" for this product only. `effective` is false (with the reason) when something else still denies. */
  enable(): { file: string; effective: boolean; reason: string; message: string };
  /** Saves "off" for this product only and deletes its queued payloads. */
  disable(): { file: string; deleted: number; message: string };
  /** Forgets consent and the install ID and deletes queued payloads; a new ID is made the next time telemetry is sent. */
  reset(): { deleted: number; message: string };
  /** The install ID to quote in a deletion request; undefined while none exists (nothing was ever sent). Never creates one. */
  id(): string | undefined;
}

/**
 * The profile a tool last ran with, kept beside its consent, so that `telemetry-agent status
 * --product acme` knows ACME_TELEMETRY_DISABLED. Written only with the tool's consent state.
 */
export function readProfile(paths: ProductPaths): ConsentProfile {
  try {
    const v = JSON.parse(readFileSync(`${paths.configDir}/${PROFILE_FILE}`, 'utf8')) as ConsentProfile;
    const strings = (a: unknown) => (Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string') : undefined);
    return {
      serviceName: typeof v.serviceName === 'string' ? v.serviceName : undefined,
      endpoint: typeof v.endpoint === 'string' ? v.endpoint : undefined,
      optOutEnv: strings(v.optOutEnv),
      enableEnv: strings(v.enableEnv),
      consentDefault: v.consentDefault === 'opt-out' ? 'opt-out' : undefined,
      consentCommand: typeof v.consentCommand === 'string' ? v.consentCommand : undefined,
      docsUrl: typeof v.docsUrl === 'string' ? v.docsUrl : undefined,
      events: typeof v.events === 'object' && v.events !== null ? v.events : undefined,
      commands: Array.isArray(v.commands) ? v.commands : undefined,
    };
  } catch {
    return {};
  }
}

export function saveProfile(paths: ProductPaths, p: ConsentProfile): void {
  if (paths.product === AGENT_PRODUCT) return;
  const body = { serviceName: p.serviceName, endpoint: p.endpoint, optOutEnv: p.optOutEnv, enableEnv: p.enableEnv, consentDefault: p.consentDefault, consentCommand: p.consentCommand, docsUrl: p.docsUrl, events: p.events, commands: p.commands };
  try { writeFileAtomic(`${paths.configDir}/${PROFILE_FILE}`, JSON.stringify(body, null, 2) + '\n'); } catch { /* only status loses detail */ }
}

function readId(file: string): string | undefined {
  try {
    const v = readFileSync(file, 'utf8').trim();
    return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function deleteAllQueued(paths: ProductPaths): { deleted: number; notes: string[] } {
  const own = deleteQueuedData(paths.queueDir);
  const notes = own.note ? [own.note] : [];
  let deleted = own.deleted;
  // The first release's queue was shared; it was filled by the agent itself, so its product owns it.
  if (paths.product === AGENT_PRODUCT) {
    const legacy = deleteQueuedData(legacyQueueDir());
    deleted += legacy.deleted;
    if (legacy.note) notes.push(legacy.note);
  }
  return { deleted, notes };
}

const payloads = (n: number) => `deleted ${n} queued payload${n === 1 ? '' : 's'}`;

/**
 * `profile` is the tool's description when the tool itself asks; the CLI passes only the product
 * name and falls back to what the tool saved.
 */
export function productConsent(product: string, profile: ConsentProfile = {}, env: Env = process.env): ProductConsent {
  const paths = productPaths(product);
  const options = (): StartOptions & ConsentProfile => ({ ...readProfile(paths), ...stripUndefined(profile), product });
  const status = (): ProductStatus => {
    const o = options();
    // The CLI is never the exporting process; ask what an app started from here would do.
    const d = decide(env, o, undefined, { main: true, reason: 'status' });
    const installId = readId(paths.installIdFile) ?? null;
    return {
      product,
      enabled: d.send,
      rule: d.consent.rule,
      reason: d.consent.reason,
      optOutEnv: productOptOutVars(o),
      enableEnv: productEnableVars(o),
      endpoint: maskUrl(d.config.endpoint), // credentials and query tokens are never shown
      resourceAttributesIgnored: d.config.resourceAttributesIgnored,
      installId,
      installIdFile: paths.installIdFile,
      configDir: paths.configDir,
      queueDir: paths.queueDir,
      problems: d.problems,
      ...(d.consent.ignoredProjectEnable ? { ignoredProjectEnable: d.consent.ignoredProjectEnable } : {}),
      ...(o.events && typeof o.events === 'object' ? { usageEvents: Object.fromEntries(Object.entries(o.events as Record<string, object>).map(([e, attrs]) => [e, Object.keys(attrs ?? {}).map((a) => `usage.${a}`)])) } : {}),
    };
  };
  const forProduct = product === AGENT_PRODUCT ? '' : ` for ${product}`;
  return {
    product,
    status,
    enable() {
      const file = saveUserConsent(product, true, declaredFingerprint(options()));
      saveProfile(paths, options());
      const s = status();
      const message = s.enabled
        ? `telemetry enabled${forProduct}; saved in ${file}`
        : `saved your choice to enable telemetry${forProduct} in ${file}, but telemetry stays off: ${s.reason}${s.problems.length > 0 ? ` (${s.problems.join(' ')})` : ''}`;
      return { file, effective: s.enabled, reason: s.reason, message };
    },
    disable() {
      const file = saveUserConsent(product, false);
      saveProfile(paths, options());
      const { deleted, notes } = deleteAllQueued(paths);
      return { file, deleted, message: [`telemetry disabled${forProduct}; saved in ${file}`, `${payloads(deleted)}${forProduct}`, ...notes].join('\n') };
    },
    reset() {
      const forgot = forgetUserConsent(product);
      rmSync(paths.installIdFile, { force: true });
      rmSync(paths.saltFile, { force: true });
      rmSync(paths.noticeFile, { force: true });
      const { deleted, notes } = deleteAllQueued(paths);
      return {
        deleted,
        message: [
          `forgot the install ID of ${product}; a new one is made the next time telemetry is sent`,
          `forgot saved consent; removed ${forgot}`,
          `${payloads(deleted)}${forProduct}`,
          ...notes,
        ].join('\n'),
      };
    },
    id: () => readId(paths.installIdFile),
  };
}

/** `disable --project`: commits "off" for this project (every product, or one). */
export function denyForProject(product: string | undefined, cwd?: string): string {
  return saveProjectDenial(product, cwd);
}

export function enableCommandFor(product: string, profile: ConsentProfile = {}): string {
  return consentCommandLine({ ...profile, product }, 'enable');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
