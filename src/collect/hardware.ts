import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { writeFileAtomic } from '../decide/atomic-file.js';

/** The hardware part of the resource. Only these fields are ever read from systeminformation. */
export interface Hardware {
  /** False for the quick answer from `os`: GPU models and memory are unknown then, and not reported. */
  readonly probed: boolean;
  /**
   * The GPU count is known even without the probe: a Linux machine with no GPU driver at all has
   * 0 GPUs, so the first run after install can say so instead of leaving `host.gpu.count` out.
   */
  readonly gpuCountKnown?: boolean;
  readonly cpuModel: string;
  readonly cpuLogicalCount: number;
  readonly memoryTotal: number;
  readonly gpuCount: number;
  readonly gpuModels: string[];
  readonly gpuMemoryTotal: number;
}

const CACHE_FILE = 'hardware.json';
const CACHE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/** Cheap facts from `os` that change when the machine does: the cache key. */
export function hardwareKey(): string {
  const cpus = os.cpus();
  return [os.platform(), os.arch(), os.release(), cpus[0]?.model ?? '', cpus.length, os.totalmem(), hasNvidiaDevice()].join('|');
}

function hasNvidiaDevice(): boolean {
  try {
    readFileSync('/proc/driver/nvidia/version');
    return true;
  } catch {
    return false;
  }
}

/**
 * Linux without any GPU driver: no NVIDIA driver, no DRM device (AMD, Intel and most others) and
 * no ROCm device. Then the count is 0 for certain. Elsewhere (macOS always has a GPU; Windows,
 * other drivers) only the probe can tell.
 */
export function noGpuDriver(root = '/'): boolean {
  if (process.platform !== 'linux') return false;
  return !['proc/driver/nvidia/version', 'dev/dri', 'dev/kfd'].some((p) => existsSync(join(root, p)));
}

/** What `os` knows right away, used until (or instead of) the full probe. */
export function quickHardware(noDriver: () => boolean = noGpuDriver): Hardware {
  const cpus = os.cpus();
  return { probed: false, gpuCountKnown: noDriver(), cpuModel: (cpus[0]?.model ?? '').trim(), cpuLogicalCount: cpus.length, memoryTotal: os.totalmem(), gpuCount: 0, gpuModels: [], gpuMemoryTotal: 0 };
}

export function readHardwareCache(cacheDir: string, key: string): Hardware | undefined {
  try {
    const c = JSON.parse(readFileSync(join(cacheDir, CACHE_FILE), 'utf8')) as { key?: string; at?: number; hardware?: Hardware };
    if (c.key !== key || typeof c.at !== 'number' || Date.now() - c.at > CACHE_MAX_AGE_MS || !c.hardware) return undefined;
    const h = c.hardware;
    if (typeof h.cpuModel !== 'string' || !Array.isArray(h.gpuModels)) return undefined;
    return { ...h, probed: true };
  } catch {
    return undefined;
  }
}

/** Full probe with systeminformation (run by dist/probe.cjs, detached); the result is cached on disk. Never rejects. */
export async function probeHardware(cacheDir: string, key: string, debug: (m: string) => void): Promise<Hardware> {
  const quick = quickHardware();
  try {
    // systeminformation is a runtime dependency loaded only here, after the app has started.
    const mod = (await import('systeminformation')) as typeof import('systeminformation') & { default?: typeof import('systeminformation') };
    const si = mod.default ?? mod;
    const [cpu, mem, graphics] = await Promise.all([si.cpu(), si.mem(), si.graphics()]);
    const gpus = (graphics.controllers ?? []).filter((c) => /nvidia|amd|radeon|intel arc|apple/i.test(`${c.vendor} ${c.model}`) || (c.vram ?? 0) >= 1024);
    const hardware: Hardware = {
      probed: true,
      cpuModel: [cpu.manufacturer, cpu.brand].filter(Boolean).join(' ').trim() || quick.cpuModel,
      cpuLogicalCount: cpu.cores || quick.cpuLogicalCount,
      memoryTotal: mem.total || quick.memoryTotal,
      gpuCount: gpus.length,
      gpuModels: gpus.map((g) => String(g.model ?? g.name ?? 'unknown').trim()),
      gpuMemoryTotal: gpus.reduce((sum, g) => sum + (g.vram ?? 0) * 1024 * 1024, 0),
    };
    try {
      writeFileAtomic(join(cacheDir, CACHE_FILE), JSON.stringify({ key, at: Date.now(), hardware }) + '\n');
    } catch (e) {
      debug(`cannot cache the hardware probe (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    return hardware;
  } catch (e) {
    debug(`hardware probe failed (${e}); using what the os module knows`);
    return quick;
  }
}
