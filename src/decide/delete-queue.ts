import { lstatSync, readdirSync, rmSync, rmdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

export interface QueueDeletion {
  /** Payloads removed (waiting or claimed by a run that died); temp files and drop counters are not payloads. */
  readonly deleted: number;
  /** Said to the user when something was not as expected (a link, an unreadable directory). */
  readonly note?: string;
}

/** Write-in-progress temp files and drop counters live beside the payloads but are not data. */
const NOT_A_PAYLOAD = /(\.tmp|\.count(\.claimed-.*)?)$/;

/**
 * Deletes one product's queued payloads and says how many. Never follows a link: a queue
 * directory that is a symbolic link is removed as a link (the agent never writes through one),
 * and entries are unlinked, not opened. Never throws.
 */
export function deleteQueuedData(dir: string): QueueDeletion {
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return { deleted: 0 };
  }
  if (st.isSymbolicLink()) {
    try { unlinkSync(dir); } catch { /* gone already */ }
    return { deleted: 0, note: `${dir} was a symbolic link, not the agent's queue; the link was removed and what it points to was left alone` };
  }
  if (!st.isDirectory()) {
    try { unlinkSync(dir); } catch { /* gone already */ }
    return { deleted: 0, note: `${dir} was not a directory; it was removed` };
  }
  let deleted = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    return { deleted: 0, note: `${dir} cannot be read (${(e as NodeJS.ErrnoException).code ?? e}); nothing was deleted` };
  }
  let failed = 0;
  for (const name of names) {
    const path = join(dir, name);
    try {
      const e = lstatSync(path);
      if (e.isDirectory()) rmSync(path, { recursive: true, force: true });
      else unlinkSync(path);
      if (e.isFile() && !NOT_A_PAYLOAD.test(name)) deleted++;
    } catch {
      failed++;
    }
  }
  try { rmdirSync(dir); } catch { /* a file appeared meanwhile, or it is not ours to remove */ }
  return failed > 0 ? { deleted, note: `${failed} entr${failed === 1 ? 'y' : 'ies'} in ${dir} could not be deleted` } : { deleted };
}
