// Reads a request body under a size limit, then gunzips it under the same limit,
// so neither a huge upload nor a small gzip bomb can exhaust memory.

import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Past the limit the rest of the body is drained (not stored) so a well-behaved client
 * reads the 413 instead of a reset connection; past `drainLimit` the socket is dropped.
 */
export function readLimitedBody(req: IncomingMessage, limit: number, drainLimit = limit * 8): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > drainLimit) {
      reject(new HttpError(413, `body of ${declared} bytes is over the ${limit}-byte limit`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > drainLimit) {
        req.destroy();
        reject(new HttpError(413, `body is over the ${limit}-byte limit`));
        return;
      }
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) reject(new HttpError(413, `body is over the ${limit}-byte limit`));
      else resolve(Buffer.concat(chunks, size));
    });
    req.on('error', (error) => reject(new HttpError(400, `could not read body: ${error.message}`)));
    req.on('close', () => {
      if (!req.complete) reject(new HttpError(400, 'client aborted the request'));
    });
  });
}

export async function decodeContentEncoding(body: Buffer, encoding: string | undefined, limit: number): Promise<Buffer> {
  const name = (encoding ?? '').trim().toLowerCase();
  if (name === '' || name === 'identity') return body;
  if (name !== 'gzip') throw new HttpError(415, `unsupported Content-Encoding "${name}" (use gzip or none)`);
  try {
    return await gunzipAsync(body, { maxOutputLength: limit });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new HttpError(413, `gzip body expands beyond the ${limit}-byte limit`);
    }
    throw new HttpError(400, `invalid gzip body: ${(error as Error).message}`);
  }
}
