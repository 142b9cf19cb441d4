import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomHex, randomUuid } from './random-id.js';
import { createFileExclusive, writeFileAtomic } from '../decide/atomic-file.js';

const ID_FILE = 'install-id';
const SALT_FILE = 'salt';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface PersistedId {
  readonly value: string;
  /** Where it lives, or undefined when it could not be saved (read-only home): then it is new every run. */
  readonly file: string | undefined;
  /** This call created and saved it (the first run of a product on this machine, or after a reset). */
  readonly created: boolean;
}

/** The value saved in `file` if it is there and valid. */
function readValid(file: string, valid: (s: string) => boolean): string | undefined {
  try {
    const v = readFileSync(file, 'utf8').trim();
    return valid(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

const isUuid = (s: string) => UUID.test(s);
const isSalt = (s: string) => /^[0-9a-f]{64}$/.test(s);

/**
 * Reads a random value saved in `dir`, creating it on first use. Concurrent first runs agree
 * through an exclusive create; a corrupt file is replaced; a read-only home gets a per-run value.
 */
function persisted(dir: string, name: string, valid: (s: string) => boolean, fresh: () => string, debug: (m: string) => void): PersistedId {
  const file = join(dir, name);
  const read = () => readValid(file, valid);
  const existing = read();
  if (existing) return { value: existing, file, created: false };
  const value = fresh();
  try {
    if (createFileExclusive(file, value + '\n')) return { value, file, created: true };
    const winner = read();
    if (winner) return { value: winner, file, created: false };
    writeFileAtomic(file, value + '\n'); // the file exists but is corrupt: replace it
    return { value, file, created: true };
  } catch (e) {
    debug(`cannot save ${file} (${(e as NodeJS.ErrnoException).code ?? e}); using a one-run value`);
    return { value, file: undefined, created: false };
  }
}

export function installId(configDir: string, debug: (m: string) => void = () => {}): PersistedId {
  return persisted(configDir, ID_FILE, isUuid, randomUuid, debug);
}

/** Salt for model-name hashes. It never leaves the machine. */
export function localSalt(configDir: string, debug: (m: string) => void = () => {}): string {
  return persisted(configDir, SALT_FILE, isSalt, () => randomHex(64), debug).value;
}

/** The saved install ID and salt, without creating them: undefined on a product's first run (or a corrupt file). */
export function savedIds(configDir: string): { installId: string; salt: string } | undefined {
  const installId = readValid(join(configDir, ID_FILE), isUuid);
  const salt = installId === undefined ? undefined : readValid(join(configDir, SALT_FILE), isSalt);
  return installId !== undefined && salt !== undefined ? { installId, salt } : undefined;
}

export function installIdFile(configDir: string): string {
  return join(configDir, ID_FILE);
}
