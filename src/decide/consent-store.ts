import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_VERSION } from '../data-version.js';
import { writeFileAtomic } from './atomic-file.js';
import { AGENT_PRODUCT, PROJECT_CONSENT_FILE, findProjectRoot, productPaths } from './paths.js';

export interface SavedConsent {
  readonly enabled: boolean;
  /** The version of the collected-data list the choice was made for (catalog DATA_VERSION). */
  readonly dataVersion: number;
  /** For a tool: the fingerprint of the usage events it declared when the choice was made. */
  readonly declared?: string;
  readonly decidedAt?: string;
}

export type ConsentRead =
  | { kind: 'none' }
  | { kind: 'saved'; consent: SavedConsent; file: string }
  | { kind: 'corrupt'; file: string; problem: string };

function readJson(file: string): { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'corrupt'; file: string; problem: string } {
  let text: string;
  // The usual case is no file at all: said without an exception (this runs on every start). Any
  // other failure (a directory on the way that cannot be searched) is reported as before.
  try {
    if (statSync(file, { throwIfNoEntry: false }) === undefined) return { kind: 'none' };
  } catch { /* told by the read below */ }
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'none' };
    return { kind: 'corrupt', file, problem: `cannot be read (${code ?? 'error'})` };
  }
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'corrupt', file, problem: 'is not valid JSON' };
  }
}

function asSaved(v: unknown): SavedConsent | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Partial<SavedConsent>;
  if (typeof o.enabled !== 'boolean') return undefined;
  return { enabled: o.enabled, dataVersion: typeof o.dataVersion === 'number' ? o.dataVersion : 0, ...(typeof o.declared === 'string' ? { declared: o.declared } : {}), decidedAt: o.decidedAt };
}

/** A user's saved choice for one product: `{ "enabled": bool, "dataVersion": n }`. */
export function readConsentFile(file: string): ConsentRead {
  const r = readJson(file);
  if (r.kind !== 'json') return r;
  const consent = asSaved(r.value);
  return consent ? { kind: 'saved', consent, file } : { kind: 'corrupt', file, problem: 'has no boolean "enabled" field' };
}

/**
 * A project's committed choice for one product. The file holds `"enabled"` for every product
 * and/or `"products": { "<name>": { "enabled": … } }`; a `false` anywhere that applies wins.
 * The caller treats `enabled: true` as no decision: a repository can opt its users out, never in.
 */
export function readProjectConsent(file: string, product: string): ConsentRead {
  const r = readJson(file);
  if (r.kind !== 'json') return r;
  const v = r.value as { products?: Record<string, unknown> } | null;
  const all = asSaved(v);
  const own = typeof v === 'object' && v !== null && typeof v.products === 'object' && v.products !== null ? asSaved(v.products[product]) : undefined;
  if (typeof v !== 'object' || v === null || ('enabled' in v && !all) || ('products' in v && (typeof v.products !== 'object' || v.products === null))) {
    return { kind: 'corrupt', file, problem: 'has no boolean "enabled" field' };
  }
  if (!all && !own) return { kind: 'none' };
  if (all && !all.enabled) return { kind: 'saved', consent: all, file };
  if (own && !own.enabled) return { kind: 'saved', consent: own, file };
  return { kind: 'saved', consent: (own ?? all)!, file };
}

export function userConsentFile(product: string = AGENT_PRODUCT): string {
  return productPaths(product).consentFile;
}

export function projectConsentFile(cwd?: string): string | undefined {
  const root = findProjectRoot(cwd);
  return root === undefined ? undefined : join(root, PROJECT_CONSENT_FILE);
}

/**
 * Saves a user's choice for one product, for the current data version and (for a tool) the
 * fingerprint of what it declares. Returns the file written; throws with the reason.
 */
export function saveUserConsent(product: string, enabled: boolean, declared?: string): string {
  const file = userConsentFile(product);
  const body: SavedConsent = { enabled, dataVersion: DATA_VERSION, ...(declared ? { declared } : {}), decidedAt: new Date().toISOString() };
  writeFileAtomic(file, JSON.stringify(body, null, 2) + '\n', 0o600);
  return file;
}

/**
 * Commits "off" for a project (every product, or one). There is no project "on": a repository
 * must never opt someone in. Keeps what the file already says for other products.
 */
export function saveProjectDenial(product: string | undefined, cwd?: string): string {
  const file = projectConsentFile(cwd);
  if (file === undefined) throw new Error('no package.json found in this directory or above; run it inside a project, or drop --project');
  const existing = readJson(file);
  const base = existing.kind === 'json' && typeof existing.value === 'object' && existing.value !== null ? { ...(existing.value as Record<string, unknown>) } : {};
  const entry = { enabled: false, dataVersion: DATA_VERSION };
  if (product === undefined) {
    Object.assign(base, entry);
  } else {
    const products = typeof base.products === 'object' && base.products !== null ? { ...(base.products as Record<string, unknown>) } : {};
    products[product] = entry;
    base.products = products;
  }
  writeFileAtomic(file, JSON.stringify(base, null, 2) + '\n', 0o644);
  return file;
}

export function forgetUserConsent(product: string = AGENT_PRODUCT): string {
  const file = userConsentFile(product);
  rmSync(file, { force: true });
  return file;
}
