import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_VERSION } from '../catalog.js';
import { writeFileAtomic } from './atomic-file.js';
import { PROJECT_CONSENT_FILE, USER_CONSENT_FILE, agentPaths, findProjectRoot } from './paths.js';

export interface SavedConsent {
  readonly enabled: boolean;
  /** The version of the collected-data list the choice was made for (catalog DATA_VERSION). */
  readonly dataVersion: number;
  readonly decidedAt?: string;
}

export type ConsentRead =
  | { kind: 'none' }
  | { kind: 'saved'; consent: SavedConsent; file: string }
  | { kind: 'corrupt'; file: string; problem: string };

export function readConsentFile(file: string): ConsentRead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'none' };
    return { kind: 'corrupt', file, problem: `cannot be read (${code ?? 'error'})` };
  }
  try {
    const v = JSON.parse(text) as Partial<SavedConsent>;
    if (typeof v !== 'object' || v === null || typeof v.enabled !== 'boolean') {
      return { kind: 'corrupt', file, problem: 'has no boolean "enabled" field' };
    }
    const dataVersion = typeof v.dataVersion === 'number' ? v.dataVersion : 0;
    return { kind: 'saved', consent: { enabled: v.enabled, dataVersion, decidedAt: v.decidedAt }, file };
  } catch {
    return { kind: 'corrupt', file, problem: 'is not valid JSON' };
  }
}

export function userConsentFile(): string {
  return join(agentPaths().configDir, USER_CONSENT_FILE);
}

export function projectConsentFile(cwd?: string): string | undefined {
  const root = findProjectRoot(cwd);
  return root === undefined ? undefined : join(root, PROJECT_CONSENT_FILE);
}

/** Saves a choice for the current data version. Returns the file written; throws with the reason. */
export function saveConsent(enabled: boolean, scope: 'user' | 'project', cwd?: string): string {
  const file = scope === 'user' ? userConsentFile() : projectConsentFile(cwd);
  if (file === undefined) throw new Error('no package.json found in this directory or above; run it inside a project, or drop --project');
  const body: SavedConsent = { enabled, dataVersion: DATA_VERSION, decidedAt: new Date().toISOString() };
  writeFileAtomic(file, JSON.stringify(body, null, 2) + '\n', scope === 'user' ? 0o600 : 0o644);
  return file;
}

export function forgetUserConsent(): string {
  const file = userConsentFile();
  rmSync(file, { force: true });
  return file;
}
