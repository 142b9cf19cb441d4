import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { migrateGlobalState } from './migrate-global-state.js';
import { userDirs } from './user-dirs.js';

// The one place that builds where the agent keeps files. Everything a user consents to or can
// delete (consent, install ID, salt, notice marker, disk queue) lives under one product's
// directory, so enabling one product never touches another's state.

export interface AgentPaths {
  /** User config root: `$XDG_CONFIG_HOME/telemetry-agent/` on Linux. */
  readonly configDir: string;
  /** User cache root: `$XDG_CACHE_HOME/telemetry-agent/` on Linux (the shared hardware probe cache). */
  readonly cacheDir: string;
}

export interface ProductPaths {
  readonly product: string;
  /** `<config root>/products/<product>/`: consent, install ID, salt, notice marker. */
  readonly configDir: string;
  /** `<cache root>/products/<product>/`. */
  readonly cacheDir: string;
  /** `<cache root>/products/<product>/queue`: this product's undelivered payloads, and only its own. */
  readonly queueDir: string;
  readonly consentFile: string;
  readonly installIdFile: string;
  readonly saltFile: string;
  readonly noticeFile: string;
}

/** The preload's product: a user's own observability of their own runs. */
export const AGENT_PRODUCT = 'telemetry-agent';

export const USER_CONSENT_FILE = 'consent.json';
export const INSTALL_ID_FILE = 'install-id';
export const SALT_FILE = 'salt';
export const NOTICE_FILE = 'notice.json';
export const PROJECT_CONSENT_FILE = '.telemetry-agent.json';
const PRODUCTS_DIR = 'products';

let cached: AgentPaths | undefined;

export function agentPaths(): AgentPaths {
  if (cached) return cached;
  const p = userDirs('telemetry-agent');
  cached = { configDir: p.config, cacheDir: p.cache };
  return cached;
}

/** A product name is a directory name: lower-case letters, digits, `.`, `_`, `-`; at most 64 characters. */
export const PRODUCT_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function isProductName(s: string): boolean {
  return PRODUCT_NAME.test(s) && !s.includes('..');
}

/**
 * The product a start() call belongs to: `product`, else derived from `serviceName`, else the
 * agent's own. Derivation keeps what a directory name may hold, so "My Tool" becomes "my-tool".
 */
export function productOf(options: { readonly product?: string; readonly serviceName?: string } = {}): string {
  for (const raw of [options.product, options.serviceName]) {
    if (raw === undefined) continue;
    const name = raw.trim().toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/\.{2,}/g, '.').replace(/^[^a-z0-9]+/, '').slice(0, 64);
    if (isProductName(name)) return name;
  }
  return AGENT_PRODUCT;
}

const products = new Map<string, ProductPaths>();

/**
 * Paths of one product's state. For the agent's own product this also moves state a release
 * before products existed kept at the config root (consent, install ID, salt, notice) into the
 * product's directory, once, so nobody is asked again and the install ID stays the same.
 */
export function productPaths(product: string = AGENT_PRODUCT): ProductPaths {
  const known = products.get(product);
  if (known) return known;
  if (!isProductName(product)) throw new Error(`invalid product name ${JSON.stringify(product)} (use lower-case letters, digits, ".", "_" or "-")`);
  const root = agentPaths();
  const configDir = join(root.configDir, PRODUCTS_DIR, product);
  const cacheDir = join(root.cacheDir, PRODUCTS_DIR, product);
  const p: ProductPaths = {
    product,
    configDir,
    cacheDir,
    queueDir: join(cacheDir, 'queue'),
    consentFile: join(configDir, USER_CONSENT_FILE),
    installIdFile: join(configDir, INSTALL_ID_FILE),
    saltFile: join(configDir, SALT_FILE),
    noticeFile: join(configDir, NOTICE_FILE),
  };
  if (product === AGENT_PRODUCT) migrateGlobalState(root.configDir, configDir, [USER_CONSENT_FILE, INSTALL_ID_FILE, SALT_FILE, NOTICE_FILE]);
  products.set(product, p);
  return p;
}

/** The queue a release before products existed kept for everyone: deleted with the agent's own product's data. */
export function legacyQueueDir(): string {
  return join(agentPaths().cacheDir, 'queue');
}

/** Products with state on this machine (for `status`), the agent's own first. */
export function knownProducts(): string[] {
  const seen = new Set<string>([AGENT_PRODUCT]);
  for (const root of [agentPaths().configDir, agentPaths().cacheDir]) {
    try {
      const fs = process.getBuiltinModule('node:fs') as typeof import('node:fs');
      for (const e of fs.readdirSync(join(root, PRODUCTS_DIR), { withFileTypes: true })) {
        if (e.isDirectory() && isProductName(e.name)) seen.add(e.name);
      }
    } catch { /* none yet */ }
  }
  return [...seen];
}

/** The root of the nearest package.json above `from`, where a project's committed consent lives. */
export function findProjectRoot(from: string = process.cwd()): string | undefined {
  let dir = from;
  for (let i = 0; i < 64; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}
