// Random IDs (trace and span IDs, instance and install IDs, salts, file names) from the operating
// system's CSPRNG, never from Math.random: an app that seeds Math.random (seedrandom with
// { global: true }) must get the same sequence, and so the same training results, with and
// without the agent. Where there is a /dev/urandom (Linux, macOS) the bytes are read from it:
// loading node:crypto for the same bytes costs about 4 ms and 3 MB of a short run (bench profile,
// experiment D); elsewhere node:crypto is fetched on the first ID. Bytes are drawn in blocks so a
// span ID costs a buffer read, not a system call.

const BLOCK = 4096;
let pool: Buffer | undefined;
let offset = BLOCK;

let urandomWorks = process.platform !== 'win32';

function fill(target: Buffer): void {
  if (urandomWorks) {
    try {
      readUrandom(target);
      return;
    } catch {
      urandomWorks = false; // no such device (a chroot, a sandbox): node:crypto from now on
    }
  }
  (process.getBuiltinModule('node:crypto') as typeof import('node:crypto')).randomFillSync(target);
}

function readUrandom(target: Buffer): void {
  const fs = process.getBuiltinModule('node:fs') as typeof import('node:fs');
  const fd = fs.openSync('/dev/urandom', 'r');
  try {
    for (let at = 0; at < target.length;) {
      const n = fs.readSync(fd, target, at, target.length - at, null);
      if (n <= 0) throw new Error('/dev/urandom returned no bytes');
      at += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** `n` random bytes as lowercase hex. */
function randomBytesHex(n: number): string {
  if (n > BLOCK) {
    const big = Buffer.allocUnsafe(n);
    fill(big);
    return big.toString('hex');
  }
  if (!pool) pool = Buffer.allocUnsafe(BLOCK);
  if (offset + n > BLOCK) {
    fill(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + n);
  offset += n;
  return hex;
}

/** `chars` random hex characters. */
export function randomHex(chars: number): string {
  return randomBytesHex(Math.ceil(chars / 2)).slice(0, chars);
}

/** A version-4 UUID. */
export function randomUuid(): string {
  const h = randomBytesHex(16);
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A non-zero hex ID of `bytes` bytes (an all-zero trace or span ID is invalid in OpenTelemetry). */
function nonZeroId(bytes: number): string {
  for (;;) {
    const id = randomBytesHex(bytes);
    if (!/^0+$/.test(id)) return id;
  }
}

/** The tracer's ID source (the shape of the SDK's IdGenerator), in place of its Math.random one. */
export const cryptoIdGenerator = {
  generateTraceId: (): string => nonZeroId(16),
  generateSpanId: (): string => nonZeroId(8),
};
