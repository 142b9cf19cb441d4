import { AGENT_VERSION } from '../version.js';
import type { Compression, TlsMaterial } from '../decide/export-config.js';
import { grpcPost } from './grpc-post.js';
import { postOverSocket } from './http1-socket.js';
import { parseRetryAfter } from './retry-after.js';

export { parseRetryAfter } from './retry-after.js';

/** The OTLP exporter convention: product/version, so a collector's logs tell exporters apart. */
export const USER_AGENT = `telemetry-agent/${AGENT_VERSION}`;

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
  /** `gzip`: the body is compressed and sent with `Content-Encoding: gzip`. */
  readonly compression?: Compression;
  /** Custom CA and client certificate/key (https only). */
  readonly tls?: TlsMaterial;
  /** OTLP/gRPC: `url` names the Export method, `body` is the protobuf message. */
  readonly grpc?: boolean;
}

/** setTimeout's limit; a longer delay would print a TimeoutOverflowWarning into the app's stderr and fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** One POST with a hard timeout. Never rejects; the socket never keeps the process alive unless `ref`. */
export async function post(url: string, body: Uint8Array, o: PostOptions): Promise<PostResult> {
  if (o.grpc) {
    let message = body;
    if (o.compression === 'gzip') {
      try { message = await gzip(body); } catch (e) { return { error: `gzip failed: ${e}` }; }
    }
    return grpcPost(url, message, o.compression === 'gzip', USER_AGENT, o);
  }
  let sent = body;
  const headers: Record<string, string> = { ...o.headers, 'content-type': o.contentType, 'user-agent': USER_AGENT };
  if (o.compression === 'gzip') {
    try {
      sent = await gzip(body);
      headers['content-encoding'] = 'gzip';
    } catch (e) {
      return { error: `gzip failed: ${e}` };
    }
  }
  headers['content-length'] = String(sent.byteLength);
  return request(url, sent, headers, o);
}

// zlib loads only when compression is asked for; the asynchronous form keeps a large payload's
// compression off the app's event loop.
function gzip(body: Uint8Array): Promise<Uint8Array> {
  const zlib = process.getBuiltinModule('node:zlib') as typeof import('node:zlib');
  return new Promise((resolve, reject) => zlib.gzip(body, (e, out) => (e ? reject(e) : resolve(out))));
}

function request(url: string, body: Uint8Array, headers: Record<string, string>, o: PostOptions): Promise<PostResult> {
  let u: URL;
  try {
    u = new URL(url);
  } catch (e) {
    return Promise.resolve({ error: String(e) });
  }
  // Plain HTTP without node:http (http1-socket.ts says why); https keeps node:https.
  if (u.protocol === 'http:') return postOverSocket(u, body, headers, { timeoutMs: Math.min(o.timeoutMs, MAX_TIMER_MS), signal: o.signal, ref: o.ref });
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
      // https (and TLS) load only for https endpoints: they cost ~6 ms and 6 MB.
      const lib = process.getBuiltinModule('node:https') as typeof import('node:https');
      const tls = o.tls ? { ...(o.tls.ca ? { ca: o.tls.ca } : {}), ...(o.tls.cert && o.tls.key ? { cert: o.tls.cert, key: o.tls.key } : {}) } : {};
      req = lib.request(u, { method: 'POST', agent: false, headers, ...tls });
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
