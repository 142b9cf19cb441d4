// Resource values the redactor returned unchanged in an earlier run. The first string a process
// redacts makes V8 compile every rule's regular expression: about 2.4 ms, the largest single cost
// of a short run's exit, spent to find again that "linux" or "unknown_service:node" hold no secret.
//
// What keeps this exact: only strings the redactor left exactly as they were are remembered (the
// file never holds anything the redactor would change, so nothing it would have removed), and
// only for the same rules (a fingerprint of this build's rules, their replacements and the agent
// version) and the same redaction context (home, user and host names, app root): any change and
// the memo starts empty. Only the resource's values use it — they are the same every run; span
// and metric values always go through the redactor. The file is read only when it is a regular
// file of this user (never through a link), and is bounded.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { writeFileAtomic } from '../decide/atomic-file.js';

/** Its name in the agent's cache dir (beside the hardware cache). */
export const CLEAN_MEMO_FILE = 'redaction-memo.json';
const MAX_FILE_BYTES = 64 * 1024;
const MAX_ENTRIES = 256;
/** Longer values are not remembered (the resource's are short). */
export const MAX_CLEAN_LENGTH = 512;
const FORMAT = 1;

export interface CleanMemo {
  has(value: string): boolean;
  /** Remembers a value the redactor returned unchanged. */
  add(value: string): void;
  /** Writes the file if something was added. Never throws. */
  save(): void;
}

/** FNV-1a over `text`, two lanes with different offsets: a 64-bit change detector, not a secret. */
export function fingerprint(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193) >>> 0;
    b = (b ^ (b >>> 13)) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

function readOwnFile(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
    const st = fstatSync(fd);
    const uid = process.geteuid?.();
    if (!st.isFile() || st.size > MAX_FILE_BYTES || (uid !== undefined && st.uid !== uid)) return undefined;
    const buf = Buffer.alloc(st.size);
    let at = 0;
    while (at < buf.length) {
      const n = readSync(fd, buf, at, buf.length - at, at);
      if (n <= 0) break;
      at += n;
    }
    return buf.toString('utf8', 0, at);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) try { closeSync(fd); } catch { /* already closed */ }
  }
}

/** The memo kept in `file` for the redactor whose fingerprint is `key`; empty when absent, foreign or stale. */
export function loadCleanMemo(file: string, key: string, debug: (m: string) => void = () => {}): CleanMemo {
  const known = new Set<string>();
  const text = readOwnFile(file);
  if (text !== undefined) {
    try {
      const doc = JSON.parse(text) as { v?: unknown; key?: unknown; clean?: unknown };
      if (doc.v === FORMAT && doc.key === key && Array.isArray(doc.clean)) {
        for (const s of doc.clean.slice(0, MAX_ENTRIES)) if (typeof s === 'string' && s.length <= MAX_CLEAN_LENGTH) known.add(s);
      }
    } catch { /* corrupt: start empty, rewritten on save */ }
  }
  let dirty = false;
  return {
    has: (value) => known.has(value),
    add(value) {
      if (value.length > MAX_CLEAN_LENGTH || known.has(value) || known.size >= MAX_ENTRIES) return;
      known.add(value);
      dirty = true;
    },
    save() {
      if (!dirty) return;
      dirty = false;
      try {
        writeFileAtomic(file, JSON.stringify({ v: FORMAT, key, clean: [...known] }) + '\n');
      } catch (e) {
        debug(`cannot save the redaction memo ${file} (${(e as NodeJS.ErrnoException).code ?? e})`);
      }
    },
  };
}
