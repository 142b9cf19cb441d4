import { setMaxListeners } from 'node:events';
import type { SignalTarget } from '../decide/export-config.js';
import type { Destinations } from './destination.js';
import type { Encoded } from './encoded.js';
import { splitOtlpJson } from './split-otlp-json.js';
import type { ClaimedPayload, OfflineStore } from './offline-store.js';
import { sendWithRetry, type SendResult } from './send-with-retry.js';
import { JSON_CONTENT_TYPE, PROTOBUF_CONTENT_TYPE, type SignalKind, type Transport } from './transport.js';

export type { Encoded } from './encoded.js';

export interface DeliveryOptions {
  /** Makes the requests (transport.ts). */
  readonly transport: Transport;
  /** Per signal: protocol, request time budget, and which exporters (otlp, console) are on. */
  readonly targets: Readonly<Record<SignalKind, Pick<SignalTarget, 'protocol' | 'timeoutMs' | 'otlp' | 'console'>>>;
  /** Consent granted and endpoint valid. */
  readonly send: boolean;
  /** Where undeliverable payloads wait; entries are bound to `destinations`. */
  readonly store: OfflineStore | undefined;
  /** This run's destinations: only entries bound to them are sent. */
  readonly destinations: Destinations;
  readonly inspect: ((header: string, body: string) => void) | undefined;
  /** OTEL_{TRACES,METRICS}_EXPORTER=console: where payloads are printed instead of (or besides) sent. */
  readonly console?: (header: string, body: string) => void;
  readonly debug: (m: string) => void;
  /** Payloads lost for good (queue full, destination gone, too large): the dropped counter. */
  readonly countDropped?: (n: number) => void;
  /** Said once per process on stderr when data is dropped because it is too large. */
  readonly warn?: (line: string) => void;
}

/** A body as text, for inspect and the console exporter (Buffer: TextDecoder would load node:util at start). */
function utf8(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
}

/** Halvings of one payload a 413 may cause (at most 256 pieces): a collector refusing everything costs little. */
const MAX_SPLITS = 8;

/**
 * The offline wrapper around the transport: sends each payload with the retry policy, keeps what
 * cannot be delivered now in the offline store, and sends what the store holds for this run's
 * destinations later. A payload the collector finds too large (413) is split and sent again
 * before anything is dropped. Payloads in flight are tracked so the exit path can store them
 * synchronously.
 */
export class Delivery {
  private readonly inFlight = new Set<{ signal: SignalKind; json: Uint8Array }>();
  /** Cuts every send (the app's own and the queue's) when the exit bound is reached. */
  private readonly abort = new AbortController();
  private exitDeadline: number | undefined;
  private draining: ClaimedPayload | undefined;
  private drainRun: Promise<void> | undefined;
  private drainStopped = false;
  /** This process stored something: the exit sender is worth starting. */
  private stored = false;
  private warnedTooLarge = false;
  private cutAtExit = false;

  constructor(private readonly o: DeliveryOptions) {
    setMaxListeners(0, this.abort.signal); // one listener per send in flight; never a leak warning in the app's stderr
  }

  async deliver(signal: SignalKind, payload: Encoded, splits = 0): Promise<void> {
    const { o } = this;
    const target = o.targets[signal];
    if (splits === 0) {
      o.inspect?.(`${signal} → ${o.transport.describe(signal)} (${this.how(signal)})`, utf8(payload.json));
      if (o.send && target.console) o.console?.(`${signal} (OTEL_${signal.toUpperCase()}_EXPORTER=console; not sent)`, utf8(payload.json));
    }
    if (!o.send || !target.otlp) return;
    const protobuf = target.protocol !== 'http/json' && payload.protobuf ? payload.protobuf() : undefined;
    if (target.protocol === 'grpc' && !protobuf) return; // OTLP JSON has no gRPC form
    const entry = { signal, json: payload.json };
    this.inFlight.add(entry);
    let result: SendResult;
    try {
      result = await this.sendOnce(signal, protobuf ?? payload.json, protobuf ? PROTOBUF_CONTENT_TYPE : JSON_CONTENT_TYPE, this.exiting());
      if (!this.inFlight.has(entry)) return; // the exit path already stored it
    } finally {
      this.inFlight.delete(entry);
    }
    if (result.outcome === 'retry-later') this.store(signal, payload.json);
    else if (result.status === 413) {
      const halves = splits < MAX_SPLITS ? splitOtlpJson(payload.json) : undefined;
      if (halves) await Promise.all(halves.map((h) => this.deliver(signal, h, splits + 1)));
      else this.dropTooLarge(signal, payload.items);
    }
  }

  private how(signal: SignalKind): string {
    const target = this.o.targets[signal];
    if (!this.o.send) return 'not sent: consent not granted';
    if (!target.otlp) return target.console ? 'printed by the console exporter, not sent' : 'not sent: OTEL_*_EXPORTER is none';
    if (target.protocol === 'grpc') return 'sent as protobuf over gRPC; shown as the equivalent JSON';
    return target.protocol === 'http/protobuf' ? 'sent as protobuf; shown as the equivalent JSON' : 'sent as shown';
  }

  private async sendOnce(signal: SignalKind, body: Uint8Array, contentType: string, ref: boolean): Promise<SendResult> {
    const exiting = this.exiting();
    const r = await sendWithRetry((a) => this.o.transport.send(signal, body, contentType, a), {
      deadline: this.exitDeadline ?? Date.now() + this.o.targets[signal].timeoutMs,
      signal: this.abort.signal,
      ref,
      destination: this.o.transport.describe(signal),
      debug: this.o.debug,
    });
    if (exiting && r.cut) this.cutAtExit = true;
    return r;
  }

  /** A send was cut by the exit bound (its deadline or abort): what it carried is stored. */
  wasCutAtExit(): boolean {
    return this.cutAtExit;
  }

  private dropTooLarge(signal: SignalKind, items: number): void {
    this.countDropped(1);
    if (this.warnedTooLarge) return;
    this.warnedTooLarge = true;
    this.o.warn?.(`the collector refused a ${signal} payload as too large (413) even split into small parts; ${items} ${signal === 'traces' ? 'span(s)' : 'data point(s)'} dropped and counted in telemetry_agent.queue.dropped (further drops are counted, not printed). Raise the collector's request size limit.`);
  }

  private exiting(): boolean {
    return this.exitDeadline !== undefined;
  }

  /** This process stored payloads, or some wait for this run's destinations. */
  hasStored(): boolean {
    return this.stored || (this.o.send && this.o.store?.hasPending(this.o.destinations) === true);
  }

  /** From now on every send must finish by `deadline`; abort the controller to cut them all. */
  beginExit(deadline: number): AbortController {
    this.exitDeadline ??= deadline;
    return this.abort;
  }

  /** Synchronous: store what is still in flight (the process is exiting). */
  queueInFlightSync(): void {
    this.draining?.release(); // a queued payload being re-sent stays queued
    for (const entry of this.inFlight) {
      this.inFlight.delete(entry);
      this.store(entry.signal, entry.json);
    }
  }

  /** Exit path for payloads that never started: store them if they may be sent. */
  queueSync(signal: SignalKind, payload: Encoded): void {
    if (this.o.inspect) this.o.inspect(`${signal} → disk queue (process exiting; sent by a later run)`, utf8(payload.json));
    this.store(signal, payload.json);
  }

  private store(signal: SignalKind, json: Uint8Array): void {
    if (!this.o.send || !this.o.store || !this.o.targets[signal].otlp) return;
    const destination = this.o.destinations.get(signal);
    if (destination !== undefined && this.o.store.put(signal, destination, json)) this.stored = true;
  }

  /**
   * Reports (and forgets) how many payloads were dropped since the last call, by this process or
   * earlier runs. Synchronous, so the count is part of this run's first metric export even if the
   * run is short.
   */
  reportDropped(): void {
    if (!this.o.send || !this.o.store || !this.o.countDropped) return; // left on disk for a run that reports them
    const dropped = this.o.store.takeDropped();
    if (dropped > 0) this.o.countDropped(dropped);
  }

  private countDropped(n: number): void {
    if (this.o.countDropped) this.o.countDropped(n);
    else if (this.o.send) this.o.store?.addDropped(n);
  }

  /**
   * Sends what earlier runs stored for this run's destinations, oldest first, in the background.
   * Stops at the first failure (the collector is still away); once the process is exiting, stops
   * at the exit deadline. Calls made while a drain is running share it, so the exit flush can call
   * it again to wait for (or start) the drain within its bound.
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
    const store = this.o.store;
    if (!this.o.send || !store) return;
    // Drops found while draining (destinations gone, oversize entries) are counted on disk and
    // reported by the next run's start: a count taken now could miss this run's last export.
    for (let i = 0; i < 10_000; i++) {
      if (this.drainStopped || this.abort.signal.aborted || (this.exitDeadline !== undefined && Date.now() >= this.exitDeadline)) return;
      const item = store.claimOldest(this.o.destinations);
      if (!item) return;
      // Not exported this run, or over gRPC (stored payloads are OTLP JSON, which has no gRPC form):
      // the entry stays for a run that exports that signal over HTTP (or is dropped and counted).
      if (!this.o.targets[item.signal].otlp || this.o.targets[item.signal].protocol === 'grpc') {
        item.release();
        return;
      }
      this.draining = item;
      let result: SendResult = { outcome: 'retry-later' };
      try {
        result = await this.sendOnce(item.signal, item.body, JSON_CONTENT_TYPE, o.ref === true || this.exiting());
      } finally {
        this.draining = undefined;
      }
      if (result.outcome === 'retry-later') {
        item.release();
        return;
      }
      if (result.status === 413) {
        // Split into two entries (sent later in this drain, newest last) before the original goes.
        const halves = splitOtlpJson(item.body);
        if (halves) for (const h of halves) this.store(item.signal, h.json);
        else this.dropTooLarge(item.signal, 1);
      }
      item.done();
    }
  }
}
