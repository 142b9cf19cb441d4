
export interface PostResult {
  /** HTTP status, when an answer came. */
  readonly status?: number;
  /** Parsed Retry-After, in milliseconds. */
  readonly retryAfterMs?: number;
  /** Network error, timeout or abort. */
  readonly error?: string;
}

export interface PostOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Keep the event loop alive for this request (only while flushing at exit). */
  readonly ref?: boolean;
}

/** setTimeout's limit; a longer delay would print a TimeoutOverflowWarning into the app's stderr and fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** One POST with a hard timeout. Never rejects; the socket never keeps the process alive unless `ref`. */
export function post(url: string, body: Uint8Array, o: PostOptions): Promise<PostResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    let req: import('node:http').ClientRequest;
    try {
      const u = new URL(url);
      // https (and TLS) load only for https endpoints: they cost ~6 ms and 6 MB.
      const lib = process.getBuiltinModule(u.protocol === 'https:' ? 'node:https' : 'node:http') as typeof import('node:http');
      req = lib.request(u, {
        method: 'POST',
        agent: false,
        headers: { ...o.headers, 'content-type': o.contentType, 'content-length': String(body.byteLength), 'user-agent': 'telemetry-agent' },
      });
    } catch (e) {
      resolve({ error: String(e) });
      return;
    }
    const timer = setTimeout(() => {
      done({ error: 'timeout' });
      req.destroy();
    }, Math.min(Math.max(1, o.timeoutMs), MAX_TIMER_MS));
    if (!o.ref) timer.unref();
    const onAbort = () => {
      done({ error: 'aborted' });
      req.destroy();
    };
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('socket', (s) => {
      if (!o.ref) s.unref();
    });
    req.on('error', (e) => done({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.on('response', (res) => {
      res.resume(); // the body is not needed; drain it so the socket closes
      res.on('end', () => done({ status: res.statusCode, retryAfterMs: parseRetryAfter(res.headers['retry-after']) }));
      res.on('error', () => done({ status: res.statusCode }));
    });
    req.end(body);
  });
}

export function parseRetryAfter(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  const secs = Number(s);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(s);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}
