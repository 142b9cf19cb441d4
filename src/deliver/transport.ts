import type { ExportConfig } from '../decide/export-config.js';
import { maskUrl } from '../decide/mask-secrets.js';
import { post, type PostOptions, type PostResult } from './http-post.js';

export type SignalKind = 'traces' | 'metrics';

export const JSON_CONTENT_TYPE = 'application/json';
export const PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';

/** One attempt's limits, set by the retry policy. */
export interface Attempt {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Keep the event loop alive for this request (only while flushing at exit). */
  readonly ref?: boolean;
}

/**
 * Makes the request to a signal's destination, and nothing else: no retry (send-with-retry.ts),
 * no queueing (delivery.ts). Never rejects.
 */
export interface Transport {
  send(signal: SignalKind, body: Uint8Array, contentType: string, attempt: Attempt): Promise<PostResult>;
  /** Where a signal goes, for debug lines. */
  describe(signal: SignalKind): string;
  /** Resolves true once no request is in flight, or false when `timeoutMs` passed first. */
  flush(timeoutMs: number): Promise<boolean>;
}

/** The request function: http-post.ts (gzip, TLS options and the User-Agent are applied there). */
export type RequestFn = (url: string, body: Uint8Array, o: PostOptions) => Promise<PostResult>;

/** OTLP/HTTP (or OTLP/gRPC) to the configured per-signal URLs, headers, compression and TLS material. */
export function createHttpTransport(config: Pick<ExportConfig, 'traces' | 'metrics'>, request: RequestFn = post): Transport {
  const inFlight = new Set<Promise<PostResult>>();
  return {
    send(signal, body, contentType, attempt) {
      const target = config[signal];
      const p = request(target.url, body, { headers: target.headers, contentType, timeoutMs: attempt.timeoutMs, signal: attempt.signal, ref: attempt.ref, compression: target.compression, tls: target.tls, grpc: target.protocol === 'grpc' });
      inFlight.add(p);
      return p.finally(() => inFlight.delete(p));
    },
    describe: (signal) => maskUrl(config[signal].url), // credentials never in a debug or inspect line
    async flush(timeoutMs) {
      if (inFlight.size === 0) return true;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((r) => { timer = setTimeout(() => r(false), Math.max(0, timeoutMs)); timer.unref(); });
      try {
        return await Promise.race([Promise.allSettled([...inFlight]).then(() => true), timedOut]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
