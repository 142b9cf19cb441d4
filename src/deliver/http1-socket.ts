// One HTTP/1.1 POST to an http:// endpoint over a plain TCP socket. Loading node:http costs a short
// run about 2.6 ms and 1.6 MB (bench profile, experiment D) — a quarter of its whole budget — for a
// request whose answer the agent reads two things of: the status and Retry-After. So plain-HTTP
// exports write the request themselves; https:// keeps node:https (TLS has to load anyway).
//
// What this supports, and nothing more: one request per connection (`Connection: close`), a body
// with Content-Length, interim 1xx answers skipped, the status line and headers of the final
// answer read (at most MAX_HEAD_BYTES), the rest of the answer discarded; credentials in the URL
// sent as Basic auth. A header name or value that could split the request (CR, LF, not a token)
// is refused, as node:http refuses it.
import type { PostResult } from './http-post.js';
import { parseRetryAfter } from './retry-after.js';

/** Largest answer head (status line and headers) read; node:http's default limit is 16 KiB. */
const MAX_HEAD_BYTES = 16 * 1024;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export interface SocketPostOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Keep the event loop alive for this request. */
  readonly ref?: boolean;
}

/** `headers` are sent as given (lower-case names; the caller sets content-length). Never rejects. */
export function postOverSocket(url: URL, body: Uint8Array, headers: Readonly<Record<string, string>>, o: SocketPostOptions): Promise<PostResult> {
  return new Promise((resolve) => {
    let head: string;
    try {
      head = requestHead(url, headers);
    } catch (e) {
      resolve({ error: String((e as Error).message ?? e) });
      return;
    }
    const net = process.getBuiltinModule('node:net') as typeof import('node:net');
    let settled = false;
    let received: Buffer = Buffer.alloc(0);
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const socket = net.connect({ host: hostname, port: url.port === '' ? 80 : Number(url.port) });
    const done = (r: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ error: 'timeout' }), Math.max(1, o.timeoutMs));
    const onAbort = () => done({ error: 'aborted' });
    if (!o.ref) {
      timer.unref();
      socket.unref();
    }
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    socket.setNoDelay(true);
    socket.on('error', (e) => done({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    // One write, and no half-close: some front ends take a client's FIN as an aborted request.
    socket.on('connect', () => socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body])));
    socket.on('data', (chunk: Buffer) => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      for (;;) {
        const end = received.indexOf('\r\n\r\n');
        if (end < 0) {
          if (received.length > MAX_HEAD_BYTES) done({ error: 'HPE_HEADER_OVERFLOW' });
          return;
        }
        const answer = parseHead(received.subarray(0, end).toString('latin1'));
        if (!answer) return done({ error: 'HPE_INVALID_CONSTANT' });
        // 100 Continue and other interim answers come before the real one.
        if (answer.status >= 100 && answer.status < 200) {
          received = received.subarray(end + 4);
          continue;
        }
        return done({ status: answer.status, retryAfterMs: parseRetryAfter(answer.retryAfter) });
      }
    });
    socket.on('close', () => done({ error: 'ECONNRESET' }));
  });
}

function requestHead(url: URL, headers: Readonly<Record<string, string>>): string {
  let head = `POST ${url.pathname || '/'}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  // Credentials in the URL become Basic auth, as node:http makes them.
  if ((url.username || url.password) && !Object.keys(headers).some((k) => k.toLowerCase() === 'authorization')) {
    head += `Authorization: Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}\r\n`;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name)) throw new Error(`invalid header name ${JSON.stringify(name)}`);
    if (!FIELD_VALUE.test(value)) throw new Error(`invalid value for header ${JSON.stringify(name)}`);
    if (name.toLowerCase() === 'host' || name.toLowerCase() === 'connection') continue;
    head += `${name}: ${value}\r\n`;
  }
  return head + 'Connection: close\r\n\r\n';
}

function parseHead(text: string): { status: number; retryAfter: string | undefined } | undefined {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? '');
  if (!m) return undefined;
  let retryAfter: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i]!.indexOf(':');
    if (colon > 0 && lines[i]!.slice(0, colon).trim().toLowerCase() === 'retry-after') {
      retryAfter ??= lines[i]!.slice(colon + 1).trim();
    }
  }
  return { status: Number(m[1]), retryAfter };
}
