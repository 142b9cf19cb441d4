import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../decide/atomic-file.js';
import { randomHex } from '../collect/random-id.js';
import type { Destinations } from './destination.js';
import type { ClaimedPayload, OfflineStore } from './offline-store.js';
import type { SignalKind } from './transport.js';

export type { ClaimedPayload } from './offline-store.js';

export interface DiskQueueOptions {
  /** The product's queue directory (decide/paths.ts builds it). */
  readonly dir: string;
  /** Entries carry it; an entry of another product is never sent. */
  readonly product: string;
  readonly maxBytes: number;
  readonly maxFiles: number;
  readonly debug: (m: string) => void;
  /** How long a payload whose destination is no longer configured is kept before it is dropped (counted). */
  readonly orphanAfterMs?: number;
  /** The user the directory must belong to: this process's by default (tests pass another). */
  readonly uid?: number;
}

/** A week: long enough for a run with a one-off endpoint not to cost the usual one its backlog. */
export const ORPHAN_AFTER_MS = 7 * 24 * 3600 * 1000;

/** `<ms>-<pid>-<random>.<destination fingerprint>.<signal>.json`: the name says where it may go, so others' entries are never opened. */
const ENTRY = /^(\d{13})-\d+-[0-9a-f]+\.([0-9a-f]{32})\.(traces|metrics)\.json$/;
/** The first release's entries carry no destination: they cannot be sent anywhere safely. */
const LEGACY = /^\d{13}-\d+-[0-9a-f]+\.(traces|metrics)\.json$/;
/** `<entry or count file>.claimed-<pid>-<token>` (older versions wrote no token). */
const CLAIMED = /^(.+\.(?:json|count))\.claimed-(\d+)(?:-([0-9a-f]+))?$/;
const DROPPED = /^dropped-\d+-[0-9a-f]+\.count$/;
/** Temp files of writeFileAtomic: `<name>.<pid>.<random>.tmp`, left behind only by a process killed mid-write. */
const TEMP = /\.(\d+)\.[0-9a-f]+\.tmp$/;
const FORMAT = 2;
const MAX_COUNT_FILE_BYTES = 64;

interface EntryHeader {
  readonly v: number;
  readonly product: string;
  readonly signal: SignalKind;
  readonly destination: string;
}

/** Random hex from crypto: file names never draw from the app's Math.random. */
function token(bytes: number): string {
  return randomHex(bytes * 2);
}

/**
 * Who holds a claim: the pid alone is not enough, since a container restarted on the same volume
 * often runs as the same pid as the run that died holding the claim.
 */
const OWNER = `${process.pid}-${token(4)}`;

/** O_NOFOLLOW: an entry that is a link is never read through (it could point at anyone's secrets). */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Undeliverable OTLP JSON request bodies, one file each, oldest first by name, each bound to its
 * product and destination. Writes are atomic (temp + rename) and processes claim a file by renaming
 * it, so two runs never send it twice. The directory is used only while it is private to this user;
 * entries are opened without following links and their size is checked before anything is read.
 * Every method swallows file-system errors: a broken cache dir must never break the app.
 */
export class DiskQueue implements OfflineStore {
  readonly dir: string;
  private readonly uid: number | undefined;
  private readonly orphanAfterMs: number;
  /** A cache dir that cannot be written is reported once, not once per payload. */
  private reportedFailure = false;
  /** Why the directory is not used, once found (reported once). */
  private refusal: string | undefined;
  private reportedOrphans = false;

  constructor(private readonly o: DiskQueueOptions) {
    this.dir = o.dir;
    this.uid = o.uid ?? process.geteuid?.();
    this.orphanAfterMs = o.orphanAfterMs ?? ORPHAN_AFTER_MS;
  }

  /** Synchronous so it also works in the process 'exit' handler. */
  put(signal: SignalKind, destination: string, body: Uint8Array): boolean {
    try {
      if (!this.trusted(true)) return false;
      const header: EntryHeader = { v: FORMAT, product: this.o.product, signal, destination };
      const data = Buffer.concat([Buffer.from(JSON.stringify(header) + '\n'), body]);
      if (data.byteLength > this.o.maxBytes) {
        this.o.debug(`a ${signal} payload of ${data.byteLength} bytes is larger than the queue bound (${this.o.maxBytes} bytes); dropped`);
        this.addDropped(1);
        return false;
      }
      writeFileAtomic(join(this.dir, `${Date.now()}-${process.pid}-${token(4)}.${destination}.${signal}.json`), data);
      this.enforceLimits();
      return true;
    } catch (e) {
      this.storageFailure(`cannot queue ${signal} on disk in ${this.dir} (${(e as NodeJS.ErrnoException).code ?? e}); undeliverable payloads of this run are lost`);
      return false;
    }
  }

  /** Nothing waits here and no drop is left to report (or the directory is not there). */
  isEmpty(): boolean {
    return this.entries().length === 0;
  }

  /** Names of waiting payloads (every destination), oldest first. */
  pending(): string[] {
    return this.entries().filter((n) => ENTRY.test(n) || LEGACY.test(n)).sort();
  }

  hasPending(destinations: Destinations): boolean {
    if (!this.trusted(false)) return false;
    return this.pending().some((n) => {
      const m = ENTRY.exec(n);
      return m !== null && destinations.get(m[3] as SignalKind) === m[2];
    });
  }

  claimOldest(destinations: Destinations): ClaimedPayload | undefined {
    if (!this.trusted(false)) return undefined;
    this.recoverStaleClaims();
    let orphans = 0;
    try {
      for (const name of this.pending()) {
        const m = ENTRY.exec(name);
        if (!m) {
          if (this.remove(join(this.dir, name))) { this.o.debug(`dropped ${name}: an entry without a destination (first-release format) is never sent`); this.addDropped(1); }
          continue;
        }
        const [, at, destination, signal] = m as unknown as [string, string, string, SignalKind];
        if (destinations.get(signal) !== destination) {
          // Bound to a destination this run does not have: never sent here; dropped once old enough.
          if (Date.now() - Number(at) > this.orphanAfterMs && this.remove(join(this.dir, name))) orphans++;
          continue;
        }
        const from = join(this.dir, name);
        const claimed = `${from}.claimed-${OWNER}`;
        try {
          renameSync(from, claimed); // atomic: whoever renames first owns it
        } catch {
          continue;
        }
        const body = this.readEntry(claimed, name, { product: this.o.product, signal, destination, v: FORMAT });
        if (!body) continue;
        let settled = false;
        return {
          signal,
          body,
          done: () => { if (!settled) { settled = true; this.remove(claimed); } },
          release: () => {
            if (settled) return;
            settled = true;
            try { renameSync(claimed, from); } catch { /* gone */ }
          },
        };
      }
      return undefined;
    } finally {
      if (orphans > 0) {
        this.addDropped(orphans);
        if (!this.reportedOrphans) {
          this.reportedOrphans = true;
          this.o.debug(`dropped ${orphans} queued payload(s) whose destination (endpoint and credentials) has not been configured for ${Math.round(this.orphanAfterMs / 3_600_000)} h`);
        }
      }
    }
  }

  /** Counts payloads dropped (full queue, destination gone, oversize, corrupt), and resets the count. */
  takeDropped(): number {
    if (!this.trusted(false)) return 0;
    let total = 0;
    for (const name of this.entries().filter((n) => DROPPED.test(n))) {
      const file = join(this.dir, name);
      const claimed = `${file}.claimed-${OWNER}`;
      try {
        renameSync(file, claimed);
      } catch {
        continue; // another process took it
      }
      const text = this.readSmall(claimed, MAX_COUNT_FILE_BYTES);
      total += Number(text) > 0 ? Math.floor(Number(text)) : 0;
      this.remove(claimed);
    }
    return total;
  }

  /**
   * Reads a claimed entry: never through a link, never a non-file, never more than the queue bound.
   * What cannot be sent is removed (and counted, if it was a payload). Undefined when not usable.
   */
  private readEntry(path: string, name: string, expected: EntryHeader): Uint8Array | undefined {
    let fd: number;
    try {
      fd = openSync(path, OPEN_FLAGS);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP' || code === 'EMLINK') {
        // Not something the agent wrote: the link is removed, what it points to is never read.
        this.remove(path);
        this.o.debug(`removed queue entry ${name}: a link (never followed)`);
      }
      return undefined;
    }
    let data: Buffer;
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) {
        this.remove(path);
        this.o.debug(`removed queue entry ${name}: not a regular file`);
        return undefined;
      }
      if (st.size > this.o.maxBytes) {
        // Deleted unread: reading it would cost the app its memory and an event-loop stall.
        this.remove(path);
        this.addDropped(1);
        this.o.debug(`dropped queue entry ${name} unread: ${st.size} bytes is more than the queue bound (${this.o.maxBytes} bytes)`);
        return undefined;
      }
      data = Buffer.allocUnsafe(st.size);
      let off = 0;
      while (off < st.size) {
        const n = readSync(fd, data, off, st.size - off, off);
        if (n === 0) break;
        off += n;
      }
      data = data.subarray(0, off);
    } catch {
      this.remove(path);
      return undefined;
    } finally {
      try { closeSync(fd); } catch { /* closed */ }
    }
    const nl = data.indexOf(0x0a);
    try {
      const header = JSON.parse(data.subarray(0, nl).toString('utf8')) as EntryHeader;
      if (nl < 0 || header.v !== expected.v || header.product !== expected.product || header.signal !== expected.signal || header.destination !== expected.destination) throw new Error('header');
      const body = data.subarray(nl + 1);
      JSON.parse(body.toString('utf8'));
      return body;
    } catch {
      this.o.debug(`dropped corrupt queued payload ${name}`);
      if (this.remove(path)) this.addDropped(1);
      return undefined;
    }
  }

  /** A small file (a drop count), read the same careful way. */
  private readSmall(path: string, max: number): string {
    let fd: number | undefined;
    try {
      fd = openSync(path, OPEN_FLAGS);
      const st = fstatSync(fd);
      if (!st.isFile() || st.size > max) return '';
      const buf = Buffer.alloc(st.size);
      const n = readSync(fd, buf, 0, st.size, 0);
      return buf.subarray(0, n).toString('utf8');
    } catch {
      return '';
    } finally {
      if (fd !== undefined) try { closeSync(fd); } catch { /* closed */ }
    }
  }

  private enforceLimits(): void {
    const names = this.pending();
    const sizes = names.map((n) => { try { return lstatSync(join(this.dir, n)).size; } catch { return 0; } });
    let bytes = sizes.reduce((a, b) => a + b, 0);
    let left = names.length;
    let dropped = 0;
    for (let i = 0; i < names.length && (left > this.o.maxFiles || bytes > this.o.maxBytes); i++) {
      // Another process enforcing the limit at the same time may remove the same file: only the
      // one whose unlink succeeds counts it, so the drop count stays exact.
      if (this.remove(join(this.dir, names[i]!))) dropped++;
      bytes -= sizes[i]!;
      left--;
    }
    if (dropped > 0) {
      this.o.debug(`queue full: dropped the ${dropped} oldest payload(s)`);
      this.addDropped(dropped);
    }
  }

  /** Records drops for whichever run reports them next; folds earlier counts so they do not pile up. */
  addDropped(n: number): void {
    if (n <= 0 || !this.trusted(false)) return;
    const total = n + this.takeDropped();
    try {
      writeFileAtomic(join(this.dir, `dropped-${Date.now()}-${token(4)}.count`), String(total));
    } catch { /* counted nowhere, but the debug line said it */ }
  }

  /** Puts back what dead processes had claimed, and removes temp files they left half-written. */
  private recoverStaleClaims(): void {
    for (const name of this.entries()) {
      const m = CLAIMED.exec(name);
      if (m) {
        const pid = Number(m[2]);
        const stale = pid === process.pid ? `${pid}-${m[3]}` !== OWNER : !isAlive(pid);
        if (!stale) continue;
        try { renameSync(join(this.dir, name), join(this.dir, m[1]!)); } catch { /* someone else recovered it */ }
        continue;
      }
      const t = TEMP.exec(name);
      if (t && Number(t[1]) !== process.pid && !isAlive(Number(t[1]))) this.remove(join(this.dir, name));
    }
  }

  /**
   * The directory may be used: it exists (or was just created, 0700), is not a link, belongs to
   * this user, and no other user can write to it or swap it. Otherwise one debug line, and the
   * queue is neither written nor read this run.
   */
  private trusted(create: boolean): boolean {
    if (this.refusal) return false;
    try {
      if (create) mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const why = untrustedReason(this.dir, lstatSync(this.dir), this.uid);
      if (why) {
        this.refusal = why;
        this.o.debug(`not using the queue directory ${this.dir}: ${why}. Nothing is queued in it or sent from it; remove it and the agent creates a private one`);
        return false;
      }
      return true;
    } catch (e) {
      if (!create && (e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      this.storageFailure(`cannot use the queue directory ${this.dir} (${(e as NodeJS.ErrnoException).code ?? e}); undeliverable payloads of this run are lost`);
      return false;
    }
  }

  private storageFailure(line: string): void {
    if (this.reportedFailure) return;
    this.reportedFailure = true;
    this.o.debug(line);
  }

  private entries(): string[] {
    try {
      return readdirSync(this.dir);
    } catch {
      return [];
    }
  }

  /** True when this call removed it (false: already gone, e.g. removed by another process). */
  private remove(file: string): boolean {
    try {
      unlinkSync(file);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Why a queue directory must not be used, or undefined. `uid` undefined (Windows): no owner or
 * mode bits to check. Ancestors may be shared only the way /tmp is (sticky) and must belong to
 * this user or root: anyone else could swap the directory for one they filled.
 */
export function untrustedReason(dir: string, st: Stats, uid: number | undefined): string | undefined {
  if (st.isSymbolicLink()) return 'it is a symbolic link';
  if (!st.isDirectory()) return 'it is not a directory';
  if (uid === undefined) return undefined;
  if (st.uid !== uid) return `it belongs to another user (uid ${st.uid})`;
  if ((st.mode & 0o022) !== 0) return `other users can write to it (mode ${(st.mode & 0o777).toString(8)})`;
  for (let p = dirname(dir); ; p = dirname(p)) {
    const a = statSync(p);
    if ((a.mode & 0o002) !== 0 && (a.mode & 0o1000) === 0) return `${p} can be written by every user`;
    if (a.uid !== uid && a.uid !== 0 && (a.mode & 0o1000) === 0) return `${p} belongs to another user (uid ${a.uid})`;
    if (dirname(p) === p) return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
