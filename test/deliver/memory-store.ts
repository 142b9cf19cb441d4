// An in-memory OfflineStore: the offline wrapper (Delivery) tested without a disk.
import type { Destinations } from '../../src/deliver/destination.js';
import type { ClaimedPayload, OfflineStore } from '../../src/deliver/offline-store.js';
import type { SignalKind } from '../../src/deliver/transport.js';

export interface MemoryEntry { signal: SignalKind; destination: string; body: Uint8Array; claimed: boolean }

export class MemoryStore implements OfflineStore {
  readonly entries: MemoryEntry[] = [];
  dropped = 0;

  put(signal: SignalKind, destination: string, body: Uint8Array): boolean {
    this.entries.push({ signal, destination, body, claimed: false });
    return true;
  }

  claimOldest(destinations: Destinations): ClaimedPayload | undefined {
    const e = this.entries.find((x) => !x.claimed && destinations.get(x.signal) === x.destination);
    if (!e) return undefined;
    e.claimed = true;
    return {
      signal: e.signal,
      body: e.body,
      done: () => { const i = this.entries.indexOf(e); if (i >= 0) this.entries.splice(i, 1); },
      release: () => { e.claimed = false; },
    };
  }

  hasPending(destinations: Destinations): boolean {
    return this.entries.some((x) => destinations.get(x.signal) === x.destination);
  }

  takeDropped(): number {
    const n = this.dropped;
    this.dropped = 0;
    return n;
  }

  addDropped(n: number): void {
    this.dropped += n;
  }

  /** Instance IDs of what waits, oldest first. */
  ids(): string[] {
    return this.entries.map((e) => JSON.parse(Buffer.from(e.body).toString()).resourceMetrics?.[0]?.resource?.attributes?.[0]?.value?.stringValue ?? '');
  }
}
