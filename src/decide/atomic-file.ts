import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomHex } from '../collect/random-id.js';

function writeTemp(path: string, data: string | Uint8Array, mode: number): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Unique per writer; never from the app's Math.random (see random-id.ts).
  const tmp = `${path}.${process.pid}.${randomHex(8)}.tmp`;
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return tmp;
}

/** Replaces `path` atomically (temp file + rename), so readers never see half a file. Throws on failure. */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): void {
  const tmp = writeTemp(path, data, mode);
  try {
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
}

/**
 * Creates `path` only if it does not exist yet (temp file + hard link), so concurrent first
 * runs agree on one content. Returns false when another process won the race.
 */
export function createFileExclusive(path: string, data: string, mode = 0o600): boolean {
  const tmp = writeTemp(path, data, mode);
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    try { unlinkSync(tmp); } catch { /* already gone */ }
  }
}
