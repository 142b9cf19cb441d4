// Appends lines to `<dir>/<base>.jsonl`; past `maxBytes` the file becomes `<base>.1.jsonl`
// (older ones shift to .2, .3, …) and only `keep` rotated files survive, so a receiver left
// running for days cannot fill the disk. Appends are queued: concurrent requests never interleave.

import { appendFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface RotationOptions {
  readonly maxBytes: number;
  readonly keep: number;
}

export class RotatingJsonlWriter {
  private size: number | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly base: string,
    private readonly options: RotationOptions,
  ) {}

  get path(): string {
    return this.file(0);
  }

  /** Appends one line (a newline is added). Resolves once it is on disk. */
  append(line: string): Promise<void> {
    const data = Buffer.from(line.endsWith('\n') ? line : `${line}\n`, 'utf8');
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
    if (this.size > 0 && this.size + data.length > this.options.maxBytes) await this.rotate();
    await appendFile(this.path, data);
    this.size += data.length;
  }

  private async rotate(): Promise<void> {
    if (this.options.keep <= 0) {
      await unlink(this.path).catch(ignoreMissing);
    } else {
      for (let i = this.options.keep - 1; i >= 1; i--) await rename(this.file(i), this.file(i + 1)).catch(ignoreMissing);
      await rename(this.path, this.file(1));
    }
    this.size = 0;
  }

  private file(index: number): string {
    return join(this.dir, index === 0 ? `${this.base}.jsonl` : `${this.base}.${index}.jsonl`);
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    ignoreMissing(error);
    return 0;
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
