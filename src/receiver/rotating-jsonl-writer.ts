// Appends lines to `<dir>/<base>.jsonl`; past `maxBytes` the file becomes `<base>.1.jsonl`
// (older ones shift to .2, .3, …) and only `keep` rotated files survive, so a receiver left
// running for days cannot fill the disk. Appends are queued: concurrent requests never interleave.
//
// Every append opens the file without following a symbolic link (a link planted at the path is
// refused, never written through), and a line is either wholly in the file or not at all: after
// a failed write (disk full) the file is cut back to where the line began, and if even that
// fails the next line starts a new file, so a later batch is never glued onto a broken one.

import { constants, type Stats } from 'node:fs';
import { lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export interface RotationOptions {
  readonly maxBytes: number;
  readonly keep: number;
}

/** The subset of FileHandle the writer uses, so tests can inject a failing disk. */
export type WritableFile = Pick<FileHandle, 'write' | 'read' | 'stat' | 'truncate' | 'close'>;
export type OpenFile = (path: string, flags: number, mode: number) => Promise<WritableFile>;

// O_NOFOLLOW does not exist on Windows; there an lstat before the open has to do.
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const APPEND_FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | NOFOLLOW;
const LINK_ERRORS = new Set(['ELOOP', 'EMLINK', 'EFTYPE']);
const NEWLINE = Buffer.from('\n');

export class RotatingJsonlWriter {
  /** Bytes in the current file, once known. */
  private size: number | undefined;
  /** A failed write could not be cut back: the next line goes to a new file. */
  private damaged = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly base: string,
    private readonly options: RotationOptions,
    private readonly openFile: OpenFile = open,
  ) {}

  get path(): string {
    return this.file(0);
  }

  /**
   * Appends one line (a newline is added; the line itself must hold none). Resolves once it is
   * written; rejects if it is not. A Buffer is written as it is, without a copy.
   */
  append(line: string | Buffer): Promise<void> {
    const data = typeof line === 'string' ? Buffer.from(line.endsWith('\n') ? line.slice(0, -1) : line, 'utf8') : line;
    const write = this.queue.then(() => this.write(data));
    // The queue must survive a failed write; the caller still sees the failure.
    this.queue = write.catch(() => undefined);
    return write;
  }

  /** Resolves when every queued append has finished. */
  flush(): Promise<void> {
    return this.queue;
  }

  private async write(data: Buffer): Promise<void> {
    if (this.size === undefined) this.size = await fileSize(this.path);
    if (this.damaged || (this.size > 0 && this.size + data.length + 1 > this.options.maxBytes)) await this.rotate();
    const handle = await this.openNoFollow();
    try {
      const start = (await handle.stat()).size;
      // A line left unterminated by someone else (a crash, an earlier version) gets its own line.
      const pieces = start > 0 && !(await endsWithNewline(handle, start)) ? [NEWLINE, data, NEWLINE] : [data, NEWLINE];
      let written = 0;
      try {
        for (const piece of pieces) {
          for (let done = 0; done < piece.length; ) {
            const { bytesWritten } = await handle.write(piece, done, piece.length - done);
            if (bytesWritten <= 0) throw Object.assign(new Error('no bytes written'), { code: 'EIO' });
            done += bytesWritten;
            written += bytesWritten;
          }
        }
      } catch (error) {
        await handle.truncate(start).catch(() => {
          this.damaged = true;
        });
        throw error;
      }
      this.size = start + written;
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  private async openNoFollow(): Promise<WritableFile> {
    if (NOFOLLOW === 0 && (await lstat(this.path).catch(() => undefined))?.isSymbolicLink()) throw linkError(this.path);
    try {
      return await this.openFile(this.path, APPEND_FLAGS, 0o644);
    } catch (error) {
      if (LINK_ERRORS.has((error as NodeJS.ErrnoException).code ?? '')) throw linkError(this.path);
      throw error;
    }
  }

  private async rotate(): Promise<void> {
    if (this.options.keep <= 0) {
      await unlink(this.path).catch(ignoreMissing);
    } else {
      for (let i = this.options.keep - 1; i >= 1; i--) await rename(this.file(i), this.file(i + 1)).catch(ignoreMissing);
      await rename(this.path, this.file(1)).catch(ignoreMissing);
    }
    this.size = 0;
    this.damaged = false;
  }

  private file(index: number): string {
    return join(this.dir, index === 0 ? `${this.base}.jsonl` : `${this.base}.${index}.jsonl`);
  }
}

async function endsWithNewline(handle: WritableFile, size: number): Promise<boolean> {
  const last = Buffer.alloc(1);
  const { bytesRead } = await handle.read(last, 0, 1, size - 1);
  return bytesRead === 1 && last[0] === 0x0a;
}

function linkError(path: string): Error {
  return Object.assign(new Error(`${path} is a symbolic link; the receiver never writes through links (remove it)`), { code: 'ELOOP' });
}

async function fileSize(path: string): Promise<number> {
  let info: Stats;
  try {
    info = await lstat(path);
  } catch (error) {
    ignoreMissing(error);
    return 0;
  }
  return info.size;
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
