// Random IDs (trace and span IDs, instance and install IDs, file names) from node:crypto, never
// from Math.random: an app that seeds Math.random (seedrandom with { global: true }) must get the
// same sequence, and so the same training results, with and without the agent. node:crypto is
// fetched on the first ID, not at start-up (loading it costs about 1.5 ms), and bytes are drawn
// in blocks so a span ID costs a buffer read, not a system call.

const BLOCK = 4096;
let pool: Buffer | undefined;
let offset = BLOCK;

function fill(target: Buffer): void {
  (process.getBuiltinModule('node:crypto') as typeof import('node:crypto')).randomFillSync(target);
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
