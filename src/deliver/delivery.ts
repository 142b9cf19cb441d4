import type { ExportConfig } from '../decide/export-config.js';
import type { DiskQueue, SignalKind } from './disk-queue.js';
import { sendWithRetry } from './send-with-retry.js';

export interface Encoded {
  /** OTLP JSON request body: what inspect prints and what the disk queue stores. */
  readonly json: Uint8Array;
  /** The protobuf encoding, built only when the protocol asks for it. */
  readonly protobuf?: () => Uint8Array | undefined;
}

export interface DeliveryOptions {
  readonly config: ExportConfig;
  /** Consent granted and endpoint valid. */
  readonly send: boolean;
  readonly queue: DiskQueue | undefined;
  readonly inspect: ((header: string, body: string) => void) | undefined;
  readonly debug: (m: string) => void;
}

const decoder = new TextDecoder();

/**
 * Sends payloads; whatever cannot be delivered goes to the disk queue. Payloads in flight are
 * tracked so the exit path can queue them synchronously.
 */
export class Delivery {
  private readonly inFlight = new Set<{ signal: SignalKind; json: Uint8Array }>();
  private exitAbort: AbortController | undefined;
  private exitDeadline: number | undefined;
  private draining: { release(): void } | undefined;
  /** Payloads this process wrote to the disk queue. */
  queuedCount = 0;

  constructor(private readonly o: DeliveryOptions) {}

  async deliver(signal: SignalKind, payload: Encoded): Promise<void> {
    const { config } = this.o;
    const target = config[signal];
    if (this.o.inspect) {
      const how = !this.o.send ? 'not sent: consent not granted' : config.protocol === 'http/protobuf' ? 'sent as protobuf; shown as the equivalent JSON' : 'sent as shown';
      this.o.inspect(`${signal} → ${target.url} (${how})`, decoder.decode(payload.json));
    }
    if (!this.o.send) return;
    const body = config.protocol === 'http/protobuf' ? payload.protobuf?.() : payload.json;
    if (!body) return;
    const entry = { signal, json: payload.json };
    this.inFlight.add(entry);
    try {
      const outcome = await sendWithRetry(target.url, body, {
        headers: target.headers,
        contentType: config.protocol === 'http/protobuf' ? 'application/x-protobuf' : 'application/json',
        deadline: this.exitDeadline ?? Date.now() + config.timeoutMs,
        signal: this.exitAbort?.signal,
        ref: this.exitAbort !== undefined,
        debug: this.o.debug,
      });
      if (!this.inFlight.delete(entry)) return; // the exit path already queued it
      if (outcome === 'retry-later') this.enqueue(signal, payload.json);
    } finally {
      this.inFlight.delete(entry);
    }
  }

  private exiting(): boolean {
    return this.exitAbort !== undefined;
  }

  private exitSignal(): AbortSignal | undefined {
    return this.exitAbort?.signal;
  }

  /** From now on every send must finish by `deadline`; later ones are queued instead. */
  beginExit(deadline: number): AbortController {
    this.exitDeadline = deadline;
    this.exitAbort ??= new AbortController();
    return this.exitAbort;
  }

  /** Synchronous: queue what is still in flight (the process is exiting). */
  queueInFlightSync(): void {
    this.draining?.release(); // a queued payload being re-sent stays queued
    for (const entry of this.inFlight) {
      this.inFlight.delete(entry);
      if (this.o.send) this.enqueue(entry.signal, entry.json);
    }
  }

  /** Exit path for payloads that never started: queue them if they may be sent. */
  queueSync(signal: SignalKind, json: Uint8Array): void {
    if (this.o.inspect) this.o.inspect(`${signal} → disk queue (process exiting; sent by a later run)`, decoder.decode(json));
    if (this.o.send) this.enqueue(signal, json);
  }

  private enqueue(signal: SignalKind, json: Uint8Array): void {
    if (this.o.queue?.enqueueSync(signal, json)) this.queuedCount++;
  }

  /**
   * Sends what earlier runs queued, oldest first, in the background. Stops at the first failure
   * (the collector is still away) and when the process starts exiting.
   */
  async drainQueue(onDropped: (n: number) => void, o: { ref?: boolean } = {}): Promise<void> {
    const queue = this.o.queue;
    if (!this.o.send || !queue) return;
    const dropped = queue.takeDropped();
    if (dropped > 0) onDropped(dropped);
    for (let i = 0; i < 10_000; i++) {
      if (this.exiting()) return;
      const item = queue.claimOldest();
      if (!item) return;
      this.draining = item;
      const target = this.o.config[item.signal];
      const outcome = await sendWithRetry(target.url, item.body, {
        headers: target.headers,
        contentType: 'application/json',
        deadline: Date.now() + this.o.config.timeoutMs,
        signal: this.exitSignal(),
        ref: o.ref,
        debug: this.o.debug,
      });
      this.draining = undefined;
      if (outcome === 'retry-later') {
        item.release();
        return;
      }
      item.done();
    }
  }
}
