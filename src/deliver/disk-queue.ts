import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { randomHex } from '../collect/random-id.js';
import { writeFileAtomic } from '../decide/atomic-file.js';

export type SignalKind = 'traces' | 'metrics';

export interface QueueLimits {
  readonly maxBytes: number;
  readonly maxFiles: number;
}

export interface ClaimedPayload {
  readonly signal: SignalKind;
  readonly body: Uint8Array;
  /** Delivered (or rejected for good): remove it. */
  done(): void;
  /** Not delivered: put it back for a later run. */
  release(): void;
}

const PAYLOAD = /^(\d{13})-\d+-[0-9a-f]+\.(traces|metrics)\.json$/;
/** `<payload or count file>.claimed-<pid>-<token>` (older versions wrote no token). */
const CLAIMED = /^(.+\.(?:json|count))\.claimed-(\d+)(?:-([0-9a-f]+))?$/;
const DROPPED = /^dropped-\d+-[0-9a-f]+\.count$/;
/** Temp files of writeFileAtomic: `<name>.<pid>.<random>.tmp`, left behind only by a process killed mid-write. */
const TEMP = /\.(\d+)\.[0-9a-f]+\.tmp$/;

/**
 * Who holds a claim: the pid alone is not enough, since a container restarted on the same volume
 * often runs as the same pid as the run that died holding the claim.
 */
const OWNER = `${process.pid}-${randomHex(8)}`;

/**
 * Undeliverable OTLP JSON request bodies, one file each, oldest first by name. Writes are atomic
 * (temp + rename) and processes claim a file by renaming it, so two runs never send it twice.
 * Every method swallows file-system errors: a broken cache dir must never break the app.
 */
export class DiskQueue {
  /** A cache dir that cannot be written is reported once, not once per payload. */
  private reportedFailure = false;

  constructor(readonly dir: string, private readonly limits: QueueLimits, private readonly debug: (m: string) => void) {}

  /** Synchronous so it also works in the process 'exit' handler. */
  enqueueSync(signal: SignalKind, body: Uint8Array): boolean {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const name = `${Date.now()}-${process.pid}-${randomHex(8)}.${signal}.json`;
      writeFileAtomic(join(this.dir, name), body);
      this.enforceLimits();
      return true;
    } catch (e) {
      if (!this.reportedFailure) {
        this.reportedFailure = true;
        this.debug(`cannot queue ${signal} on disk in ${this.dir} (${(e as NodeJS.ErrnoException).code ?? e}); undeliverable payloads of this run are lost`);
      }
      return false;
    }
  }

  /** Names of waiting payloads, oldest first. */
  pending(): string[] {
    return this.entries().filter((n) => PAYLOAD.test(n)).sort();
  }

  claimOldest(): ClaimedPayload | undefined {
    this.recoverStaleClaims();
    for (const name of this.pending()) {
      const from = join(this.dir, name);
      const claimed = `${from}.claimed-${OWNER}`;
      try {
        renameSync(from, claimed); // atomic: whoever renames first owns it
      } catch {
        continue;
      }
      let body: Uint8Array;
      try {
        body = readFileSync(claimed);
        JSON.parse(Buffer.from(body).toString('utf8'));
      } catch {
        this.debug(`skipping corrupt queued payload ${name}`);
        this.remove(claimed);
        continue;
      }
      const signal = PAYLOAD.exec(name)![2] as SignalKind;
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
  }

  /** Counts payloads dropped because the queue was full, and resets the count. */
  takeDropped(): number {
    let total = 0;
    for (const name of this.entries().filter((n) => DROPPED.test(n))) {
      const file = join(this.dir, name);
      const claimed = `${file}.claimed-${OWNER}`;
      try {
        renameSync(file, claimed);
        total += Number(readFileSync(claimed, 'utf8')) || 0;
      } catch { /* another process took it */ }
      this.remove(claimed);
    }
    return total;
  }

  /** Consent was revoked: nothing queued may ever be sent. */
  clear(): void {
    try { rmSync(this.dir, { recursive: true, force: true }); } catch { /* nothing to delete */ }
  }

  private enforceLimits(): void {
    const names = this.pending();
    const sizes = names.map((n) => { try { return statSync(join(this.dir, n)).size; } catch { return 0; } });
    let bytes = sizes.reduce((a, b) => a + b, 0);
    let dropped = 0;
    for (let i = 0; i < names.length && (names.length - dropped > this.limits.maxFiles || bytes > this.limits.maxBytes); i++) {
      this.remove(join(this.dir, names[i]!));
      bytes -= sizes[i]!;
      dropped++;
    }
    if (dropped > 0) {
      this.debug(`queue full: dropped the ${dropped} oldest payload(s)`);
      // Folds the earlier counts into one file, so a queue that stays full does not pile up count files.
      const total = dropped + this.takeDropped();
      try {
        writeFileAtomic(join(this.dir, `dropped-${Date.now()}-${randomHex(8)}.count`), String(total));
      } catch { /* counted nowhere, but the debug line said it */ }
    }
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

  private entries(): string[] {
    try {
      return readdirSync(this.dir);
    } catch {
      return [];
    }
  }

  private remove(file: string): void {
    try { unlinkSync(file); } catch { /* already gone */ }
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
