import { execFile as realExecFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

// Wrap execFile with a spy that still runs the real thing, so tests can count spawns.
vi.mock('node:child_process', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:child_process')>();
  return { ...actual, execFile: vi.fn(actual.execFile) };
});

import { createGpuProbe, NVIDIA_SMI_ARGS, parseNvidiaSmiCsv } from '../../src/collect/gpu.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const fixture = (name: string) => readFileSync(join(here, '..', 'fixtures', 'nvidia-smi', name), 'utf8');
const MiB = 1024 * 1024;
const spawns = () => vi.mocked(realExecFile).mock.calls.length;

describe('parseNvidiaSmiCsv', () => {
  it('parses one GPU (MiB → bytes, percent → 0..1)', () => {
    expect(parseNvidiaSmiCsv(fixture('one-gpu.csv'))).toEqual([
      { index: '0', name: 'NVIDIA GeForce RTX 4090', memoryTotalBytes: 24564 * MiB, memoryUsedBytes: 1523 * MiB, utilization: 0.37 },
    ]);
  });

  it('parses two GPUs', () => {
    const gpus = parseNvidiaSmiCsv(fixture('two-gpus.csv'));
    expect(gpus.map((g) => g.index)).toEqual(['0', '1']);
    expect(gpus[0]).toEqual({
      index: '0', name: 'NVIDIA A100-SXM4-80GB', memoryTotalBytes: 81920 * MiB, memoryUsedBytes: 40961 * MiB, utilization: 0.98,
    });
    expect(gpus[1]?.memoryUsedBytes).toBe(4 * MiB);
    expect(gpus[1]?.utilization).toBe(0);
  });

  it('turns [N/A] and [Not Supported] into NaN but keeps the GPU', () => {
    const gpus = parseNvidiaSmiCsv(fixture('na-values.csv'));
    expect(gpus).toHaveLength(2);
    expect(gpus[0]).toMatchObject({ index: '0', name: 'Tesla K80', memoryTotalBytes: 11441 * MiB, memoryUsedBytes: 0 });
    expect(gpus[0]?.utilization).toBeNaN();
    expect(gpus[1]?.name).toBe('NVIDIA GeForce GT 710');
    expect(gpus[1]?.memoryTotalBytes).toBeNaN();
    expect(gpus[1]?.memoryUsedBytes).toBeNaN();
    expect(gpus[1]?.utilization).toBeNaN();
  });

  it('returns [] for empty output and for "No devices were found"', () => {
    expect(parseNvidiaSmiCsv(fixture('empty.csv'))).toEqual([]);
    expect(parseNvidiaSmiCsv(fixture('no-devices.csv'))).toEqual([]);
    expect(parseNvidiaSmiCsv('\n\n  \r\n')).toEqual([]);
  });

  it('handles CRLF, blank lines, a header line and stray whitespace', () => {
    const text = 'index, name, memory.total [MiB], memory.used [MiB], utilization.gpu [%]\r\n\r\n  0, Tesla T4 , 15360 , 0 , 5  \r\n\r\n1, Tesla T4, 15360, 15000, 100\r\n';
    const gpus = parseNvidiaSmiCsv(text);
    expect(gpus.map((g) => [g.index, g.name, g.memoryUsedBytes, g.utilization])).toEqual([
      ['0', 'Tesla T4', 0, 0.05],
      ['1', 'Tesla T4', 15000 * MiB, 1],
    ]);
  });

  it('keeps commas inside a name and accepts unit suffixes when nounits was not honoured', () => {
    expect(parseNvidiaSmiCsv('3, Weird, Inc. GPU, 1024 MiB, 512 MiB, 50 %\n')).toEqual([
      { index: '3', name: 'Weird, Inc. GPU', memoryTotalBytes: 1024 * MiB, memoryUsedBytes: 512 * MiB, utilization: 0.5 },
    ]);
  });

  it('skips malformed lines and never throws', () => {
    expect(parseNvidiaSmiCsv('garbage\n0, only, three\nx, name, 1, 2, 3\n')).toEqual([]);
    expect(parseNvidiaSmiCsv(undefined as unknown as string)).toEqual([]);
  });
});

describe.skipIf(process.platform === 'win32')('createGpuProbe', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-probe-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    vi.mocked(realExecFile).mockClear();
  });

  /** Writes an executable shell script and returns its path. */
  function script(name: string, body: string): string {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  }

  it('is disabled after one try when the binary does not exist, and then spawns nothing', async () => {
    const probe = createGpuProbe({ command: join(dir, 'no-such-nvidia-smi') });
    expect(probe.disabled).toBe(false);
    await expect(probe.sample()).resolves.toEqual([]);
    expect(probe.disabled).toBe(true);
    expect(spawns()).toBe(1);
    await expect(probe.sample()).resolves.toEqual([]);
    await expect(probe.sample()).resolves.toEqual([]);
    expect(spawns()).toBe(1);
  });

  it('does nothing until sample() is called', () => {
    createGpuProbe({ command: join(dir, 'no-such-nvidia-smi') });
    expect(spawns()).toBe(0);
  });

  it('runs a fake nvidia-smi with the query arguments and parses what it prints', async () => {
    const argsFile = join(dir, 'args.txt');
    const cmd = script(
      'fake-nvidia-smi',
      `printf '%s\\n' "$@" > '${argsFile}'\nprintf '0, NVIDIA H100 80GB HBM3, 81559, 2048, 12\\r\\n1, NVIDIA H100 80GB HBM3, 81559, 0, 0\\r\\n'`,
    );
    const probe = createGpuProbe({ command: cmd });
    const gpus = await probe.sample();
    expect(gpus).toEqual([
      { index: '0', name: 'NVIDIA H100 80GB HBM3', memoryTotalBytes: 81559 * MiB, memoryUsedBytes: 2048 * MiB, utilization: 0.12 },
      { index: '1', name: 'NVIDIA H100 80GB HBM3', memoryTotalBytes: 81559 * MiB, memoryUsedBytes: 0, utilization: 0 },
    ]);
    expect(readFileSync(argsFile, 'utf8').trim().split('\n')).toEqual([...NVIDIA_SMI_ARGS]);
    expect(probe.disabled).toBe(false);
    // Still enabled: every sample spawns again.
    await probe.sample();
    expect(spawns()).toBe(2);
  });

  it('shares one child between concurrent sample() calls', async () => {
    const cmd = script('fake-slow', `sleep 0.2\nprintf '0, Tesla T4, 15360, 1, 2\\n'`);
    const probe = createGpuProbe({ command: cmd });
    const [a, b] = await Promise.all([probe.sample(), probe.sample()]);
    expect(a).toHaveLength(1);
    expect(b).toBe(a);
    expect(spawns()).toBe(1);
  });

  it('gives up after 3 consecutive failures (non-zero exit) by default', async () => {
    const cmd = script('fake-failing', `echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.'\nexit 9`);
    const probe = createGpuProbe({ command: cmd });
    for (let i = 0; i < 3; i++) {
      expect(probe.disabled).toBe(false);
      await expect(probe.sample()).resolves.toEqual([]);
    }
    expect(probe.disabled).toBe(true);
    await probe.sample();
    expect(spawns()).toBe(3);
  });

  it('treats "No devices were found" as a failure and honours maxFailures', async () => {
    const cmd = script('fake-no-devices', `echo 'No devices were found'\nexit 6`);
    const probe = createGpuProbe({ command: cmd, maxFailures: 2 });
    await probe.sample();
    expect(probe.disabled).toBe(false);
    await probe.sample();
    expect(probe.disabled).toBe(true);
    expect(spawns()).toBe(2);
  });

  it('resets the failure count after a success', async () => {
    const flag = join(dir, 'ok-flag');
    const cmd = script('fake-flaky', `if [ -e '${flag}' ]; then printf '0, Tesla T4, 15360, 1, 2\\n'; else exit 1; fi`);
    const probe = createGpuProbe({ command: cmd, maxFailures: 2 });
    await probe.sample(); // failure 1
    writeFileSync(flag, '');
    expect(await probe.sample()).toHaveLength(1); // success resets
    rmSync(flag);
    await probe.sample(); // failure 1 again
    expect(probe.disabled).toBe(false);
    await probe.sample(); // failure 2
    expect(probe.disabled).toBe(true);
  });

  it('kills a hanging nvidia-smi at the timeout (even one ignoring SIGTERM) without blocking the event loop', async () => {
    // `exec` so the shell is replaced by sleep; the ignored SIGTERM is inherited across exec.
    const cmd = script('fake-hang', `trap '' TERM\nexec sleep 30`);
    const probe = createGpuProbe({ command: cmd, timeoutMs: 300 });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    const t0 = performance.now();
    const result = await probe.sample();
    const elapsed = performance.now() - t0;
    clearInterval(ticker);
    expect(result).toEqual([]);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(15_000); // half the fake's 30 s: it was killed, with room for a busy machine
    expect(ticks).toBeGreaterThan(1); // the loop kept running while the child hung (a busy machine may delay the ticks)
    expect(probe.disabled).toBe(false); // a timeout is one failure out of 3
    // The child is gone (SIGKILL), not orphaned.
    const child = vi.mocked(realExecFile).mock.results[0]?.value as { pid?: number; killed: boolean; signalCode: string | null };
    expect(child.killed).toBe(true);
    expect(() => process.kill(child.pid!, 0)).toThrow();
  });

  it('does not keep a process alive longer than the timeout while sampling a hung nvidia-smi', async () => {
    // Run the probe in a separate Node process (compiled from the TypeScript source with esbuild)
    // that samples once and then has nothing else to do: it must exit at about the timeout.
    const { transformSync } = await import('esbuild');
    const js = transformSync(readFileSync(join(root, 'src', 'collect', 'gpu.ts'), 'utf8'), { loader: 'ts', format: 'esm' }).code;
    writeFileSync(join(dir, 'gpu.mjs'), js);
    const cmd = script('fake-hang-2', `exec sleep 30`);
    const main = join(dir, 'main.mjs');
    writeFileSync(
      main,
      `import { createGpuProbe } from './gpu.mjs';\n` +
        `const probe = createGpuProbe({ command: ${JSON.stringify(cmd)}, timeoutMs: 400 });\n` +
        `probe.sample().then((r) => console.log(JSON.stringify(r)));\n`,
    );
    const t0 = performance.now();
    const res = spawnSync(process.execPath, [main], { encoding: 'utf8', timeout: 20_000 });
    const elapsed = performance.now() - t0;
    expect(res.error).toBeUndefined();
    expect(res.status).toBe(0);
    expect(res.stdout.trim()).toBe('[]');
    expect(elapsed).toBeLessThan(15_000); // half the fake's 30 s: not held by the hung child, with room for a busy machine
  });
});
