// NVIDIA GPU probe: runs `nvidia-smi` (no NVML binding, no native code) and parses its CSV.
//
// Feeds hw.gpu.memory.usage / hw.gpu.memory.limit / hw.gpu.utilization, with hw.id = GPU index
// (never the UUID). The probe is built for machines that have no GPU at all: when the binary is
// missing it spawns exactly once and then stays disabled, and it never throws into the agent.
//
// Guarantees:
// - asynchronous `execFile` (no shell, no sync spawn): never blocks the event loop;
// - a timeout (default 2 s) after which the child is SIGKILLed and its pipes are destroyed, so a
//   hung nvidia-smi cannot keep the process alive longer than the timeout;
// - at most one child at a time (concurrent `sample()` calls share the one in flight);
// - `sample()` always resolves, to `[]` on any failure;
// - after `maxFailures` consecutive failures it stops spawning (`disabled` becomes true). The
//   default is 1 when the binary is missing (ENOENT/EACCES) and 3 for other failures (non-zero
//   exit, timeout, unparseable output); an explicit `maxFailures` applies to both.

import { execFile } from 'node:child_process';

export interface GpuSample {
  /** nvidia-smi's GPU index, as printed ("0", "1", …). Used as hw.id. */
  index: string;
  name: string;
  /** NaN when nvidia-smi reports "[N/A]" / "[Not Supported]": skip non-finite values when exporting. */
  memoryTotalBytes: number;
  /** NaN when not reported. */
  memoryUsedBytes: number;
  /** 0..1; NaN when not reported. */
  utilization: number;
}

export interface GpuProbeOptions {
  /** Executable to run (default `nvidia-smi`, looked up on PATH). */
  command?: string;
  /** Kill the child after this many milliseconds (default 2000). */
  timeoutMs?: number;
  /** Stop after this many consecutive failures (default: 1 if the binary is missing, else 3). */
  maxFailures?: number;
}

export interface GpuProbe {
  /** Current GPUs; `[]` when disabled or on any failure. Never rejects. */
  sample(): Promise<GpuSample[]>;
  /** True once the probe has given up; `sample()` then spawns nothing. */
  readonly disabled: boolean;
}

export const NVIDIA_SMI_ARGS: readonly string[] = Object.freeze([
  '--query-gpu=index,name,memory.total,memory.used,utilization.gpu',
  '--format=csv,noheader,nounits',
]);

const MIB = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 2000;
const DEFAULT_MAX_FAILURES_MISSING = 1;
const DEFAULT_MAX_FAILURES_OTHER = 3;
/** The expected output is ~60 bytes per GPU; anything near this is not nvidia-smi's CSV. */
const MAX_OUTPUT_BYTES = 64 * 1024;

/**
 * Parses one numeric field. Accepts plain numbers and, in case `nounits` was not honoured, a unit
 * suffix ("81920 MiB", "35 %"). Returns NaN for "[N/A]", "[Not Supported]", "N/A", blanks and
 * anything else that is not a non-negative finite number.
 */
function parseField(raw: string, unitScale: Record<string, number>): number {
  const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z%]*)$/.exec(raw.trim());
  if (!m) return Number.NaN;
  const value = Number(m[1]);
  const unit = m[2] ?? '';
  const scale = unit === '' ? 1 : unitScale[unit];
  if (scale === undefined || !Number.isFinite(value)) return Number.NaN;
  return value * scale;
}

const MEMORY_UNITS_IN_MIB: Record<string, number> = { MiB: 1, GiB: 1024, KiB: 1 / 1024 };
const PERCENT_UNITS: Record<string, number> = { '%': 1 };

/**
 * Parses the output of
 * `nvidia-smi --query-gpu=index,name,memory.total,memory.used,utilization.gpu --format=csv,noheader,nounits`.
 * Memory is in MiB, utilisation in percent. Tolerates CRLF, blank lines, a header line, "[N/A]" /
 * "[Not Supported]" values (→ NaN) and commas inside the GPU name (the first field is the index,
 * the last three are numbers, everything between is the name). Lines that do not fit are skipped;
 * messages such as "No devices were found" give `[]`. Never throws.
 */
export function parseNvidiaSmiCsv(text: string): GpuSample[] {
  const samples: GpuSample[] = [];
  if (typeof text !== 'string') return samples;
  for (const rawLine of text.split(/\r\n|\r|\n/)) {
    const line = rawLine.replace(/^\uFEFF/, '').trim();
    if (line === '') continue;
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length < 5) continue;
    const index = fields[0];
    // A header (if `noheader` was dropped) or an error message: the index must be an integer.
    if (!/^\d+$/.test(index)) continue;
    const [total, used, util] = fields.slice(-3);
    const name = fields.slice(1, -3).join(', ');
    const memoryTotalMiB = parseField(total, MEMORY_UNITS_IN_MIB);
    const memoryUsedMiB = parseField(used, MEMORY_UNITS_IN_MIB);
    const utilizationPercent = parseField(util, PERCENT_UNITS);
    samples.push({
      index,
      name,
      memoryTotalBytes: memoryTotalMiB * MIB,
      memoryUsedBytes: memoryUsedMiB * MIB,
      utilization: Number.isNaN(utilizationPercent) ? Number.NaN : Math.min(1, utilizationPercent / 100),
    });
  }
  return samples;
}

type Outcome = { ok: true; samples: GpuSample[] } | { ok: false; missing: boolean };

/** Creates a probe. Nothing is spawned until the first `sample()`. */
export function createGpuProbe(opts: GpuProbeOptions = {}): GpuProbe {
  const command = opts.command ?? 'nvidia-smi';
  const timeoutMs = opts.timeoutMs !== undefined && opts.timeoutMs > 0 ? opts.timeoutMs : DEFAULT_TIMEOUT_MS;
  const explicitMax = opts.maxFailures !== undefined && opts.maxFailures >= 1 ? Math.floor(opts.maxFailures) : undefined;

  let disabled = false;
  let consecutiveFailures = 0;
  let inFlight: Promise<GpuSample[]> | undefined;

  function run(): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      try {
        execFile(
          command,
          NVIDIA_SMI_ARGS as string[],
          {
            encoding: 'utf8',
            timeout: timeoutMs,
            killSignal: 'SIGKILL',
            maxBuffer: MAX_OUTPUT_BYTES,
            windowsHide: true,
          },
          (error, stdout) => {
            try {
              if (error) {
                const code = (error as NodeJS.ErrnoException).code;
                resolve({ ok: false, missing: code === 'ENOENT' || code === 'EACCES' });
                return;
              }
              const samples = parseNvidiaSmiCsv(String(stdout));
              resolve(samples.length > 0 ? { ok: true, samples } : { ok: false, missing: false });
            } catch {
              resolve({ ok: false, missing: false });
            }
          },
        );
      } catch {
        // Synchronous spawn errors (invalid arguments, EMFILE, …).
        resolve({ ok: false, missing: false });
      }
    });
  }

  async function sampleOnce(): Promise<GpuSample[]> {
    let outcome: Outcome;
    try {
      outcome = await run();
    } catch {
      outcome = { ok: false, missing: false };
    }
    if (outcome.ok) {
      consecutiveFailures = 0;
      return outcome.samples;
    }
    consecutiveFailures += 1;
    const limit = explicitMax ?? (outcome.missing ? DEFAULT_MAX_FAILURES_MISSING : DEFAULT_MAX_FAILURES_OTHER);
    if (consecutiveFailures >= limit) disabled = true;
    return [];
  }

  return {
    get disabled() {
      return disabled;
    },
    sample(): Promise<GpuSample[]> {
      if (disabled) return Promise.resolve([]);
      if (inFlight) return inFlight;
      const p = sampleOnce().finally(() => {
        if (inFlight === p) inFlight = undefined;
      });
      inFlight = p;
      return p;
    },
  };
}
