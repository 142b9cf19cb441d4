import type { ExportConfig, SignalTarget } from '../decide/export-config.js';
import type { SignalKind } from './transport.js';

/** Which collector a queued payload may go to, per signal: a keyed fingerprint of its target. */
export interface Destinations {
  get(signal: SignalKind): string | undefined;
}

/**
 * A keyed hash of where a signal is sent: the product, the URL and every header (credentials
 * included). Queue entries carry it instead of the credentials, so a payload is only ever sent
 * where it was meant to go, and the cache dir never holds a secret or a hash that could be
 * tested offline against guessed credentials (the key is the product's local salt, kept in the
 * config dir, not beside the queue).
 */
export function destinationFingerprint(key: string, product: string, signal: SignalKind, target: SignalTarget): string {
  const { createHmac } = process.getBuiltinModule('node:crypto') as typeof import('node:crypto');
  const headers = Object.entries(target.headers).map(([k, v]) => [k.toLowerCase(), v]).sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0));
  return createHmac('sha256', key).update(JSON.stringify(['telemetry-agent queue destination v1', product, signal, target.url, headers])).digest('hex').slice(0, 32);
}

/**
 * The fingerprints of this run's destinations, traces and metrics, each worked out when first
 * asked: a run that queues nothing never needs them (nor node:crypto, which costs a short run
 * about 4 ms).
 */
export function destinationsOf(key: string, product: string, config: Pick<ExportConfig, 'traces' | 'metrics'>): Destinations {
  const known = new Map<SignalKind, string>();
  return {
    get(signal) {
      let d = known.get(signal);
      if (d === undefined) {
        d = destinationFingerprint(key, product, signal, config[signal]);
        known.set(signal, d);
      }
      return d;
    },
  };
}
