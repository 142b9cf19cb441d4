import { existsSync } from 'node:fs';

/** Whether an NVIDIA driver may be present; on Linux without one, nvidia-smi is never even spawned. */
export function mayHaveNvidiaGpu(): boolean {
  if (process.platform === 'linux') return existsSync('/proc/driver/nvidia/version');
  return process.platform === 'win32';
}
