// A counter of the request bytes held in memory across ALL requests. Each request takes what it
// buffers before buffering it; past the bound it is refused (503, retry later) instead of
// growing the heap, so memory stays bounded however many clients send at once.

export class ByteBudget {
  private used = 0;
  private peakUsed = 0;

  constructor(readonly limit: number) {}

  /** Takes `bytes` if they fit under the limit; false (and nothing taken) otherwise. */
  tryTake(bytes: number): boolean {
    if (bytes < 0 || this.used + bytes > this.limit) return false;
    this.used += bytes;
    if (this.used > this.peakUsed) this.peakUsed = this.used;
    return true;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  get inUse(): number {
    return this.used;
  }

  /** The most ever held at once. */
  get peak(): number {
    return this.peakUsed;
  }
}
