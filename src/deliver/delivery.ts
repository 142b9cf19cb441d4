import { setMaxListeners } from 'node:events';
import type { ExportConfig, SignalTarget } from '../decide/export-config.js';
import { maskUrl } from '../decide/mask-secrets.js';
import type { ClaimedPayload, DiskQueue, SignalKind } from './disk-queue.js';
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
  /** OTEL_{TRACES,METRICS}_EXPORTER=console: where payloads are printed instead of (or besides) sent. */
  readonly console?: (header: string, body: string) => void;
  readonly debug: (m: string) => void;
}

const decoder = new TextDecoder();

/**
 * Sends payloads; whatever cannot be delivered goes to the disk queue. Payloads in flight are
 * tracked so the exit path can queue them synchronously.
 */
export class Delivery {
  private readonly inFlight = new Set<{ signal: SignalKind; json: Uint8Array }>();
  /** Cuts every send (the app's own and the queue's) when the exit bound is reached. */
  private readonly abort = new AbortController();
  private exitDeadline: number | undefined;
  private draining: ClaimedPayload | undefined;
  private drainRun: Promise<void> | undefined;
  private drainStopped = false;
  /** Payloads this process wrote to the disk queue. */
  queuedCount = 0;

  constructor(private readonly o: DeliveryOptions) {
    setMaxListeners(0, this.abort.signal); // one listener per send in flight; never a leak warning in the app's stderr
  }

  async deliver(signal: SignalKind, payload: Encoded): Promise<void> {
    const { config } = this.o;
    const target = config[signal];
    if (this.o.inspect) this.o.inspect(`${signal} → ${maskUrl(target.url)} (${this.how(target)})`, decoder.decode(payload.json));
    if (!this.o.send) return;
    if (target.console) this.o.console?.(`${signal} (OTEL_${signal.toUpperCase()}_EXPORTER=console; not sent)`, decoder.decode(payload.json));
    if (!target.otlp) return;
    const body = target.protocol === 'http/protobuf' ? payload.protobuf?.() : payload.json;
    if (!body) return;
    const entry = { signal, json: payload.json };
    this.inFlight.add(entry);
    try {
      const outcome = await sendWithRetry(target.url, body, {
        ...transport(target),
        contentType: target.protocol === 'http/protobuf' ? 'application/x-protobuf' : 'application/json',
        deadline: this.exitDeadline ?? Date.now() + target.timeoutMs,
        signal: this.abort.signal,
        ref: this.exiting(),
        debug: this.o.debug,
      });
      if (!this.inFlight.delete(entry)) return; // the exit path already queued it
      if (outcome === 'retry-later') this.enqueue(signal, payload.json);
    } finally {
      this.inFlight.delete(entry);
    }
  }

  private how(target: SignalTarget): string {
    if (!this.o.send) return 'not sent: consent not granted';
    if (!target.otlp) return target.console ? 'printed by the console exporter, not sent' : 'not sent: exporter is none or its protocol is refused';
    return target.protocol === 'http/protobuf' ? 'sent as protobuf; shown as the equivalent JSON' : 'sent as shown';
  }

  private exiting(): boolean {
    return this.exitDeadline !== undefined;
  }

  /** From now on every send must finish by `deadline`; abort the controller to cut them all. */
  beginExit(deadline: number): AbortController {
    this.exitDeadline ??= deadline;
    return this.abort;
  }

  /** Synchronous: queue what is still in flight (the process is exiting). */
  queueInFlightSync(): void {
    this.draining?.release(); // a queued payload being re-sent stays queued
    for (const entry of this.inFlight) {
      this.inFlight.delete(entry);
      if (this.o.send && this.o.config[entry.signal].otlp) this.enqueue(entry.signal, entry.json);
    }
  }

  /** Exit path for payloads that never started: queue them if they may be sent. */
  queueSync(signal: SignalKind, json: Uint8Array): void {
    if (this.o.inspect) this.o.inspect(`${signal} → disk queue (process exiting; sent by a later run)`, decoder.decode(json));
    if (this.o.send && this.o.config[signal].otlp) this.enqueue(signal, json);
  }

  private enqueue(signal: SignalKind, json: Uint8Array): void {
    if (this.o.queue?.enqueueSync(signal, json)) this.queuedCount++;
  }

  /**
   * Reports (and forgets) how many payloads earlier runs dropped because the queue was full.
   * Synchronous, so the count is part of this run's first metric export even if the run is short.
   */
  takeDropped(onDropped: (n: number) => void): void {
    if (!this.o.send || !this.o.queue) return;
    const dropped = this.o.queue.takeDropped();
    if (dropped > 0) onDropped(dropped);
  }

  /**
   * Sends what earlier runs queued, oldest first, in the background. Stops at the first failure
   * (the collector is still away); once the process is exiting, stops at the exit deadline.
   * Calls made while a drain is running share it, so the exit flush can call it again to wait for
   * (or start) the drain within its bound.
   */
  drainQueue(o: { ref?: boolean } = {}): Promise<void> {
    this.drainRun ??= this.drainLoop(o).finally(() => { this.drainRun = undefined; });
    return this.drainRun;
  }

  /**
   * Exit with the detached sender taking over the queue: the payload being sent may finish (the
   * caller bounds the wait) so it is not sent twice, but no further one is claimed.
   */
  stopDrain(): Promise<void> {
    this.drainStopped = true;
    return this.drainRun ?? Promise.resolve();
  }

  private async drainLoop(o: { ref?: boolean }): Promise<void> {
    const queue = this.o.queue;
    if (!this.o.send || !queue) return;
    for (let i = 0; i < 10_000; i++) {
      if (this.drainStopped || this.abort.signal.aborted || (this.exitDeadline !== undefined && Date.now() >= this.exitDeadline)) return;
      const item = queue.claimOldest();
      if (!item) return;
      const target = this.o.config[item.signal];
      if (!target.otlp) {
        item.release(); // this run does not export that signal: it stays queued for a run that does
        return;
      }
      this.draining = item;
      let outcome: Awaited<ReturnType<typeof sendWithRetry>> = 'retry-later';
      try {
        outcome = await sendWithRetry(target.url, item.body, {
          ...transport(target),
          contentType: 'application/json',
          deadline: this.exitDeadline ?? Date.now() + target.timeoutMs,
          signal: this.abort.signal,
          ref: o.ref === true || this.exiting(),
          debug: this.o.debug,
        });
      } finally {
        this.draining = undefined;
      }
      if (outcome === 'retry-later') {
        item.release();
        return;
      }
      item.done();
    }
  }
}

/** What a request to this target needs besides the body. */
function transport(t: SignalTarget): { headers: SignalTarget['headers']; compression: SignalTarget['compression']; tls: SignalTarget['tls'] } {
  return { headers: t.headers, compression: t.compression, tls: t.tls };
}
