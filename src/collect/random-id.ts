// Random IDs that need to be unique, not secret (instance and install IDs, file names). Like the
// OpenTelemetry SDK's own trace and span IDs they come from Math.random, which keeps node:crypto
// (about 1.5 ms to load) off the start-up path. The model-name salt does use node:crypto.

const hex = (n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
};

export function randomHex(chars: number): string {
  return hex(chars);
}

/** A version-4 UUID. */
export function randomUuid(): string {
  const variant = (8 + Math.floor(Math.random() * 4)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}
