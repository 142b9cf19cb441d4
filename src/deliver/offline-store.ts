import type { Destinations } from './destination.js';
import type { SignalKind } from './transport.js';

export interface ClaimedPayload {
  readonly signal: SignalKind;
  /** The OTLP JSON request body. */
  readonly body: Uint8Array;
  /** Delivered (or rejected for good): remove it. */
  done(): void;
  /** Not delivered: put it back for a later run. */
  release(): void;
}

/**
 * Where the offline wrapper (delivery.ts) keeps what could not be delivered. The disk queue
 * implements it; tests use an in-memory one. Every method is synchronous (the exit path uses them)
 * and never throws.
 */
export interface OfflineStore {
  /** Keeps a payload bound to `destination` (its fingerprint). False when it was not kept. */
  put(signal: SignalKind, destination: string, body: Uint8Array): boolean;
  /**
   * The oldest payload bound to one of `destinations`, claimed so no other process sends it too.
   * Payloads bound to a destination that is no longer configured stay for a bounded time, then are
   * dropped and counted.
   */
  claimOldest(destinations: Destinations): ClaimedPayload | undefined;
  /** Something is waiting for one of `destinations`. */
  hasPending(destinations: Destinations): boolean;
  /** How many payloads were dropped (by any process) since the last call; resets the count. */
  takeDropped(): number;
  /** Records drops for whichever run reports them (a process that cannot report them itself). */
  addDropped(n: number): void;
}
