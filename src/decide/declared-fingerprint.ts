// A tool's collected-data list includes the usage events it declares. Saved consent records a
// fingerprint of them, so that when a release declares something new, the user's earlier "yes"
// no longer counts (as for the agent's own DATA_VERSION). Change detection, not security: a small
// string hash keeps node:crypto off the start-up path.

/** JSON with sorted keys: the same description always gives the same text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** cyrb53: 53 bits, as 14 hex digits. */
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/**
 * The fingerprint of what a tool declares (its events with their attributes and values, and its
 * commands); undefined when it declares nothing (the agent's own product, or a profile that does
 * not know the events).
 */
export function declaredFingerprint(d: { readonly events?: unknown; readonly commands?: unknown }): string | undefined {
  if (d.events === undefined && d.commands === undefined) return undefined;
  // Descriptions only shown on the page do not change what is collected.
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'description').map(([k, x]) => [k, strip(x)]));
    return v;
  };
  return hash(canonical({ events: strip(d.events ?? {}), commands: d.commands ?? [] }));
}
