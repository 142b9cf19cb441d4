import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hardwareKey, noGpuDriver, probeHardware, quickHardware, readHardwareCache } from '../../src/collect/hardware.js';

describe('hardware probe', () => {
  it('probes with systeminformation, caches on disk, and the cache is keyed by the machine', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'ta-hw-'));
    const key = hardwareKey();
    expect(readHardwareCache(cache, key)).toBeUndefined();
    const h = await probeHardware(cache, key, () => {});
    expect(h.cpuLogicalCount).toBeGreaterThan(0);
    expect(h.memoryTotal).toBeGreaterThan(0);
    expect(h.cpuModel.length).toBeGreaterThan(0);
    expect(h.gpuModels).toBeInstanceOf(Array);
    expect(readHardwareCache(cache, key)).toEqual(h);
    expect(readHardwareCache(cache, key + '|other-gpu')).toBeUndefined();
    // Only hardware: nothing that names the machine or its owner.
    expect(Object.keys(h).sort()).toEqual(['cpuLogicalCount', 'cpuModel', 'gpuCount', 'gpuMemoryTotal', 'gpuModels', 'memoryTotal', 'probed']);
  });

  it('a corrupt cache is ignored', () => {
    const cache = mkdtempSync(join(tmpdir(), 'ta-hw-'));
    writeFileSync(join(cache, 'hardware.json'), '{"key":');
    expect(readHardwareCache(cache, hardwareKey())).toBeUndefined();
    expect(quickHardware().cpuLogicalCount).toBeGreaterThan(0);
  });

  it.runIf(process.platform === 'linux')('knows the GPU count (0) before the probe only when no GPU driver exists', () => {
    const root = mkdtempSync(join(tmpdir(), 'ta-root-'));
    expect(noGpuDriver(root)).toBe(true);
    expect(quickHardware(() => true)).toMatchObject({ probed: false, gpuCountKnown: true, gpuCount: 0 });
    expect(quickHardware(() => false).gpuCountKnown).toBe(false);
    for (const dev of ['dev/dri', 'dev/kfd', 'proc/driver/nvidia/version']) {
      const r = mkdtempSync(join(tmpdir(), 'ta-root-'));
      mkdirSync(join(r, dev, '..'), { recursive: true });
      writeFileSync(join(r, dev), '');
      expect(noGpuDriver(r)).toBe(false);
    }
  });
});
