import { post, type PostResult } from './http-post.js';

export type SendOutcome = 'sent' | 'retry-later' | 'rejected';

export interface SendOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: string;
  /** Absolute time (Date.now()) after which no further attempt starts and the current one is cut. */
  readonly deadline: number;
  readonly signal?: AbortSignal;
  readonly ref?: boolean;
  readonly debug: (m: string) => void;
}

// 400, 401, 403, 404, 413, …: the payload or the credentials are wrong; sending again cannot help.
const isPermanent = (s: number) => s >= 400 && s < 500 && s !== 408 && s !== 429;

/**
 * Sends one payload, retrying 429/5xx/network errors with exponential backoff and jitter,
 * honouring Retry-After, all within the deadline. 'retry-later' means: queue it on disk.
 */
export async function sendWithRetry(url: string, body: Uint8Array, o: SendOptions): Promise<SendOutcome> {
  let backoff = 250;
  for (let attempt = 1; ; attempt++) {
    const left = o.deadline - Date.now();
    if (left <= 0 || o.signal?.aborted) return 'retry-later';
    const r: PostResult = await post(url, body, { headers: o.headers, contentType: o.contentType, timeoutMs: left, signal: o.signal, ref: o.ref });
    if (r.status !== undefined && r.status >= 200 && r.status < 300) return 'sent';
    if (r.status !== undefined && isPermanent(r.status)) {
      o.debug(`collector answered ${r.status} for ${url}; dropping this payload (it cannot succeed if sent again)`);
      return 'rejected';
    }
    if (r.error === 'ECONNREFUSED' || r.error === 'ENOTFOUND' || r.error === 'aborted' || r.error === 'timeout') {
      o.debug(`cannot reach ${url} (${r.error})`);
      return 'retry-later'; // no point burning the flush budget on a collector that is down
    }
    const wait = r.retryAfterMs ?? backoff * (0.5 + Math.random());
    backoff = Math.min(backoff * 2, 5_000);
    if (Date.now() + wait >= o.deadline) {
      o.debug(`collector answered ${r.status ?? r.error}; retry does not fit the time budget, queueing`);
      return 'retry-later';
    }
    await sleep(wait, o.ref, o.signal);
  }
}

function sleep(ms: number, ref: boolean | undefined, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    if (!ref) t.unref();
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}
