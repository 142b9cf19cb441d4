// Numbers as people read them: binary byte units, durations, UTC times, round axis ticks.

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

export interface Scale {
  readonly divisor: number;
  readonly unit: string;
}

/** The byte unit that keeps `max` between 1 and 1024. */
export function byteScale(max: number): Scale {
  let i = 0;
  while (i < BYTE_UNITS.length - 1 && Math.abs(max) >= 1024 ** (i + 1)) i++;
  return { divisor: 1024 ** i, unit: BYTE_UNITS[i] };
}

export function formatBytes(n: number): string {
  const { divisor, unit } = byteScale(n);
  return `${trimNumber(n / divisor, divisor === 1 ? 0 : 1)} ${unit}`;
}

/** A short number: at most `decimals` decimals, no trailing zeros. */
export function trimNumber(n: number, decimals = 2): string {
  if (!Number.isFinite(n)) return String(n);
  return Number(n.toFixed(decimals)).toLocaleString('en-US', { maximumFractionDigits: decimals });
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${trimNumber(ms, ms < 10 ? 2 : 0)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${trimNumber(s, 1)} s`;
  const totalS = Math.round(s);
  if (totalS < 3600) return `${Math.floor(totalS / 60)} min ${String(totalS % 60).padStart(2, '0')} s`;
  return `${Math.floor(totalS / 3600)} h ${String(Math.floor((totalS % 3600) / 60)).padStart(2, '0')} min`;
}

/** Latencies recorded in seconds, shown in µs or ms below one second. */
export function formatSeconds(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '–';
  if (s < 0.001) return `${trimNumber(s * 1e6, 1)} µs`;
  return s < 1 ? `${trimNumber(s * 1000, s < 0.01 ? 2 : 1)} ms` : `${trimNumber(s, 2)} s`;
}

export function formatUtc(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return 'unknown time';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The unit for "time since run start" so that tick labels stay small numbers. */
export function timeScale(spanMs: number): Scale {
  if (spanMs <= 2000) return { divisor: 1, unit: 'ms' };
  if (spanMs <= 3 * 60_000) return { divisor: 1000, unit: 's' };
  if (spanMs <= 3 * 3600_000) return { divisor: 60_000, unit: 'min' };
  return { divisor: 3600_000, unit: 'h' };
}

/** An axis tick label: exact enough that neighbouring ticks never read the same. */
export function formatTick(v: number): string {
  return trimNumber(v, 6);
}

/** About `count` round tick values covering [min, max] (steps of 1, 2, 2.5 or 5 × 10^n). */
export function niceTicks(min: number, max: number, count = 5, integers = false): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max <= min) return [min];
  const rough = Math.max((max - min) / Math.max(1, count), integers ? 1 : 0);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A domain [0 or min, max] rounded out to tick values, never empty. */
export function niceDomain(values: readonly number[], fromZero: boolean): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = finite.reduce((a, b) => Math.min(a, b), fromZero ? 0 : Infinity);
  let hi = finite.reduce((a, b) => Math.max(a, b), -Infinity);
  if (hi === lo) {
    hi = hi === 0 ? 1 : hi + Math.abs(hi) * 0.1;
    if (!fromZero) lo = lo - Math.abs(lo) * 0.1;
  }
  const ticks = niceTicks(lo, hi);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  return [Math.min(lo, Math.floor(lo / step) * step), Math.max(hi, Math.ceil(hi / step) * step)];
}
