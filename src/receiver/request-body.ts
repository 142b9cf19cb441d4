// Reads a request body under a per-request limit and a budget shared by all requests, then
// gunzips it under the same limit, so neither a huge upload, a small gzip bomb nor many
// concurrent uploads can exhaust memory. A refused body is answered at once and the rest of it
// is read and dropped, so the client reads the answer instead of a reset connection and the
// connection stays usable.

import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { ByteBudget } from './byte-budget.js';

const gunzipAsync = promisify(gunzip);

/** Seconds a client should wait before retrying a request refused for lack of room. */
export const RETRY_AFTER_SECONDS = 1;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Sent as Retry-After (503: the server's own limit, worth retrying). */
    readonly retryAfterSeconds?: number,
    /** The body was not read to its end: the connection cannot be reused. */
    readonly closeConnection = false,
  ) {
    super(message);
  }
}

export function busy(message: string): HttpError {
  return new HttpError(503, message, RETRY_AFTER_SECONDS);
}

export interface BodyLimits {
  /** Largest body one request may have. */
  readonly maxBytes: number;
  /** Bytes held by all requests together. */
  readonly budget: ByteBudget;
  /** Past this many bytes a refused body is no longer read and dropped: the connection is closed. */
  readonly drainLimit?: number;
}

/** A body and the bytes it holds in the budget (give them back when the request is answered). */
export interface HeldBody {
  readonly body: Buffer;
  held: number;
}

export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<HeldBody> {
  const { maxBytes, budget } = limits;
  const drainLimit = limits.drainLimit ?? maxBytes * 8;
  return new Promise((resolve, reject) => {
    const declared = contentLength(req);
    if (declared !== undefined && declared > drainLimit) {
      reject(new HttpError(413, `body of ${declared} bytes is over the ${maxBytes}-byte limit`, undefined, true));
      return;
    }
    let refused = false;
    let held = 0;
    let target: Buffer | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    // Answered at once; the rest of the body is still read (and dropped) by the listener below.
    const refuse = (error: HttpError): void => {
      refused = true;
      budget.give(held);
      held = 0;
      chunks.length = 0;
      target = undefined;
      if (!settled) reject(error);
      settled = true;
    };
    req.on('data', (chunk: Buffer) => {
      const start = size;
      size += chunk.length;
      if (size > drainLimit) {
        req.destroy();
        return refuse(new HttpError(413, `body is over the ${maxBytes}-byte limit`, undefined, true));
      }
      if (refused) return;
      if (size > maxBytes) return refuse(new HttpError(413, `body is over the ${maxBytes}-byte limit`));
      if (target) {
        chunk.copy(target, start);
        return;
      }
      if (!budget.tryTake(chunk.length)) return refuse(busy('too much data in flight; retry later'));
      held += chunk.length;
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve({ body: target ? target.subarray(0, size) : Buffer.concat(chunks, size), held });
    });
    req.on('error', (error) => {
      if (!settled) refuse(new HttpError(400, `could not read body: ${error.message}`, undefined, true));
    });
    req.on('close', () => {
      if (!settled && !req.complete) refuse(new HttpError(400, 'client aborted the request', undefined, true));
    });
    // A declared length is taken at once and filled in place (no second copy); a chunked body
    // takes its bytes as they arrive.
    if (declared !== undefined && declared > maxBytes) refuse(new HttpError(413, `body of ${declared} bytes is over the ${maxBytes}-byte limit`));
    else if (declared !== undefined) {
      if (budget.tryTake(declared)) {
        held = declared;
        target = Buffer.allocUnsafe(declared);
      } else refuse(busy('too much data in flight; retry later'));
    }
  });
}

/**
 * Undoes Content-Encoding. The decoded body takes up to `maxBytes` from the budget before
 * gunzip runs; what it did not need is given back. `held` grows by what the result holds.
 */
export async function decodeContentEncoding(held: HeldBody, encoding: string | undefined, limits: BodyLimits): Promise<Buffer> {
  const name = (encoding ?? '').trim().toLowerCase();
  if (name === '' || name === 'identity') return held.body;
  if (name !== 'gzip') throw new HttpError(415, `unsupported Content-Encoding "${name}" (use gzip or none)`);
  const { maxBytes, budget } = limits;
  if (!budget.tryTake(maxBytes)) throw busy('too much data in flight; retry later');
  let decoded: Buffer;
  try {
    decoded = await gunzipAsync(held.body, { maxOutputLength: maxBytes });
  } catch (error) {
    budget.give(maxBytes);
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new HttpError(413, `gzip body expands beyond the ${maxBytes}-byte limit`);
    }
    throw new HttpError(400, `invalid gzip body: ${(error as Error).message}`);
  }
  budget.give(maxBytes - decoded.length);
  held.held += decoded.length;
  return decoded;
}

function contentLength(req: IncomingMessage): number | undefined {
  const value = req.headers['content-length'];
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
