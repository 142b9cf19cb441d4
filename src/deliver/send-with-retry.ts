import { MAX_TIMER_MS, post, type PostOptions, type PostResult } from './http-post.js';

export type SendOutcome = 'sent' | 'retry-later' | 'rejected';

export interface SendOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: string;
  /** Absolute time (Date.now()) after which no further attempt starts and the current one is cut. */
  readonly deadline: number;
  readonly signal?: AbortSignal;
  readonly ref?: boolean;
  readonly debug: (m: string) => void;
  readonly compression?: PostOptions['compression'];
  readonly tls?: PostOptions['tls'];
}

// 400, 401, 403, 404, 413, …: the payload or the credentials are wrong; sending again cannot help.
const isPermanent = (s: number) => s >= 400 && s < 500 && s !== 408 && s !== 429;

/** A collector that rejects every payload is reported once per status and URL, not once per payload. */
const reportedRejections = new Set<string>();

/**
 * Sends one payload, retrying 429/5xx/network errors with exponential backoff and jitter,
 * honouring Retry-After, all within the deadline. 'retry-later' means: queue it on disk.
 */
export async function sendWithRetry(url: string, body: Uint8Array, o: SendOptions): Promise<SendOutcome> {
  let backoff = 250;
  for (let attempt = 1; ; attempt++) {
    const left = o.deadline - Date.now();
    if (left <= 0 || o.signal?.aborted) return 'retry-later';
    const r: PostResult = await post(url, body, { headers: o.headers, contentType: o.contentType, timeoutMs: left, signal: o.signal, ref: o.ref, compression: o.compression, tls: o.tls });
    if (r.status !== undefined && r.status >= 200 && r.status < 300) return 'sent';
    if (r.status !== undefined && isPermanent(r.status)) {
      const key = `${r.status} ${url}`;
      if (!reportedRejections.has(key)) {
        reportedRejections.add(key);
        o.debug(`collector answered ${r.status} for ${url}; dropping the payload (it cannot succeed if sent again)`);
      }
      return 'rejected';
    }
    if (r.error === 'ECONNREFUSED' || r.error === 'ENOTFOUND' || r.error === 'aborted' || r.error === 'timeout') {
      o.debug(`cannot reach ${url} (${r.error})`);
      return 'retry-later'; // no point burning the flush budget on a collector that is down
    }
    const wait = retryWait(backoff, r.retryAfterMs, jitter());
    backoff = Math.min(backoff * 2, 5_000);
    if (Date.now() + wait >= o.deadline) {
      o.debug(`collector answered ${r.status ?? r.error}; retry does not fit the time budget, queueing`);
      return 'retry-later';
    }
    await sleep(wait, o.ref, o.signal);
  }
}

/**
 * The wait before the next attempt: the backoff with ±50 % jitter (`random` in [0, 1)). Retry-After
 * is a lower bound: `Retry-After: 0` must not turn into a tight loop against a struggling collector.
 */
export function retryWait(backoffMs: number, retryAfterMs: number | undefined, random: number): number {
  const jittered = backoffMs * (0.5 + random);
  return retryAfterMs !== undefined ? Math.max(retryAfterMs, jittered) : jittered;
}

/** In [0, 1), from crypto: the app's Math.random sequence (a seeded training run) is never consumed. */
function jitter(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32;
}

function sleep(ms: number, ref: boolean | undefined, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => { clearTimeout(t); resolve(); };
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, Math.min(ms, MAX_TIMER_MS));
    if (!ref) t.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
