import { lstatSync, mkdirSync, renameSync, type Stats } from 'node:fs';
import { join } from 'node:path';

/**
 * The first release kept consent, install ID, salt and notice marker at the config root, shared
 * by every product. They were given for the agent itself, so they move (rename, never copy: a
 * link stays a link) into its product directory the first time that directory is asked for.
 * A file already present there wins; nothing is created when there is nothing to move, so a run
 * without consent still writes nothing. Never throws: a failed move only means the old file is
 * left where it was and the product starts fresh.
 */
export function migrateGlobalState(fromDir: string, toDir: string, names: readonly string[]): void {
  for (const name of names) {
    const from = join(fromDir, name);
    const to = join(toDir, name);
    // This runs on every start: no exception for the usual "nothing there" (each costs 5-50 µs);
    // other failures (ENOTDIR, EACCES) still throw, and mean there is nothing to move.
    const st = lstatOrUndefined(from);
    if (!st || (!st.isFile() && !st.isSymbolicLink())) continue; // nothing to migrate
    if (lstatOrUndefined(to)) continue; // the product already has its own
    try {
      mkdirSync(toDir, { recursive: true, mode: 0o700 });
      renameSync(from, to);
    } catch { /* left in place */ }
  }
}

/** undefined: no such file; null: it cannot be told (not a directory on the way, no permission). */
function lstatOrUndefined(path: string): Stats | undefined | null {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return null;
  }
}
