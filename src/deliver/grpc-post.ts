import type { ClientHttp2Session, IncomingHttpHeaders, IncomingHttpStatusHeader } from 'node:http2';
import type { PostOptions, PostResult } from './http-post.js';

// OTLP/gRPC with node's built-in HTTP/2: one unary call per payload, framed as gRPC does (a
// compressed flag, a 4-byte big-endian length, the protobuf message). The answer is mapped onto
// HTTP statuses so the one retry policy (send-with-retry.ts) serves both transports.

// Retryable gRPC codes per the OTLP specification: CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
// ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS. Everything else but OK is permanent.
const RETRYABLE = new Set([1, 4, 8, 10, 11, 14, 15]);

/** One unary gRPC call with a hard timeout. Never rejects; never keeps the process alive unless `ref`. */
export function grpcPost(url: string, message: Uint8Array, compressed: boolean, userAgent: string, o: PostOptions): Promise<PostResult> {
  return new Promise((resolve) => {
    let session: ClientHttp2Session | undefined;
    let settled = false;
    const done = (r: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      try { session?.close(); } catch { /* already gone */ }
      // A server that never answers the close must not hold the process.
      setTimeout(() => { try { session?.destroy(); } catch { /* gone */ } }, 1000).unref();
      resolve(r);
    };
    const timer = setTimeout(() => {
      done({ error: 'timeout' });
      session?.destroy();
    }, Math.max(1, o.timeoutMs));
    if (!o.ref) timer.unref();
    const onAbort = () => {
      done({ error: 'aborted' });
      session?.destroy();
    };
    try {
      const u = new URL(url);
      const http2 = process.getBuiltinModule('node:http2') as typeof import('node:http2');
      const tls = u.protocol === 'https:' && o.tls ? { ...(o.tls.ca ? { ca: o.tls.ca } : {}), ...(o.tls.cert && o.tls.key ? { cert: o.tls.cert, key: o.tls.key } : {}) } : {};
      session = http2.connect(`${u.protocol}//${u.host}`, tls);
      session.on('error', (e) => done({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
      if (!o.ref) session.unref();
      if (o.signal?.aborted) return onAbort();
      o.signal?.addEventListener('abort', onAbort, { once: true });

      const framed = new Uint8Array(5 + message.byteLength);
      framed[0] = compressed ? 1 : 0;
      new DataView(framed.buffer).setUint32(1, message.byteLength);
      framed.set(message, 5);
      const metadata: Record<string, string> = {};
      for (const [k, v] of Object.entries(o.headers)) metadata[k.toLowerCase()] = v;
      if (u.username || u.password) metadata.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
      const req = session.request({
        ...metadata,
        ':method': 'POST',
        ':path': u.pathname,
        'content-type': 'application/grpc',
        te: 'trailers',
        'user-agent': userAgent,
        'grpc-timeout': `${Math.max(1, Math.floor(o.timeoutMs))}m`,
        ...(compressed ? { 'grpc-encoding': 'gzip' } : {}),
      });
      let httpStatus = 0;
      let grpcStatus: number | undefined;
      const readStatus = (h: IncomingHttpHeaders & IncomingHttpStatusHeader) => {
        if (h[':status'] !== undefined) httpStatus = Number(h[':status']);
        if (h['grpc-status'] !== undefined) grpcStatus = Number(h['grpc-status']);
      };
      req.on('response', readStatus); // a trailers-only answer carries grpc-status here
      req.on('trailers', readStatus);
      req.on('data', () => { /* the ExportServiceResponse: partial-success details are not needed */ });
      // A refused or reset connection first cancels the stream, then fails the session with the
      // real cause (ECONNREFUSED, …), which the retry policy needs: let the session speak first.
      req.on('error', (e) => setImmediate(() => done({ error: (e as NodeJS.ErrnoException).code ?? e.message })));
      req.on('close', () => {
        if (httpStatus === 0) return void setImmediate(() => done({ error: 'no answer' })); // the session's error, if any, first
        if (httpStatus !== 200) return done({ status: httpStatus });
        if (grpcStatus === 0) return done({ status: 200 });
        if (grpcStatus === undefined) return done({ error: 'no grpc-status' });
        done({ status: RETRYABLE.has(grpcStatus) ? 503 : 400 });
      });
      req.end(framed);
    } catch (e) {
      done({ error: String(e) });
    }
  });
}
