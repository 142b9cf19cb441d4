import os from 'node:os';
import { randomUuid } from './random-id.js';
import type { Hardware } from './hardware.js';

export interface ResourceInputs {
  readonly serviceName?: string;
  readonly serviceVersion?: string;
  readonly installId: string;
  readonly sdkVersion: string;
  readonly agentVersion: string;
  readonly hardware: Hardware;
  readonly ci: boolean;
}

/** Random per process run. */
export const SERVICE_INSTANCE_ID = randomUuid();

const OS_TYPES: Record<string, string> = { win32: 'windows', sunos: 'solaris' };
const ARCHES: Record<string, string> = { x64: 'amd64', ia32: 'x86', arm: 'arm32', ppc: 'ppc32' };

/** The resource as the allow-list (src/catalog.ts, docs/privacy.md) describes it; protect/ filters it again before export. */
export function resourceAttributes(i: ResourceInputs): Record<string, string | number | string[]> {
  const h = i.hardware;
  const attrs: Record<string, string | number | string[]> = {
    'service.name': i.serviceName || 'unknown_service:node',
    'service.instance.id': SERVICE_INSTANCE_ID,
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.version': i.sdkVersion,
    'telemetry.distro.name': 'telemetry-agent',
    'telemetry.distro.version': i.agentVersion,
    'telemetry.install.id': i.installId,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
    'os.type': OS_TYPES[process.platform] ?? process.platform,
    'os.version': os.release(),
    'host.arch': ARCHES[process.arch] ?? process.arch,
    'host.cpu.model.name': h.cpuModel,
    'host.cpu.logical_count': h.cpuLogicalCount,
    'host.memory.total': h.memoryTotal,
  };
  if (h.probed) attrs['host.gpu.count'] = h.gpuCount;
  if (i.serviceVersion) attrs['service.version'] = i.serviceVersion;
  if (h.gpuCount > 0) {
    attrs['host.gpu.model.names'] = h.gpuModels;
    attrs['host.gpu.memory.total'] = h.gpuMemoryTotal;
  }
  if (i.ci) attrs['deployment.environment.name'] = 'ci';
  return attrs;
}
