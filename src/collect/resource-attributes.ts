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
  // Known after the hardware probe, or at once on a machine without any GPU driver (0).
  if (h.probed || h.gpuCountKnown) attrs['host.gpu.count'] = h.gpuCount;
  if (i.serviceVersion) attrs['service.version'] = i.serviceVersion;
  if (h.gpuCount > 0) {
    attrs['host.gpu.model.names'] = h.gpuModels;
    attrs['host.gpu.memory.total'] = h.gpuMemoryTotal;
  }
  if (i.ci) attrs['deployment.environment.name'] = 'ci';
  return attrs;
}

/**
 * The part of OTEL_RESOURCE_ATTRIBUTES that is attached (the `telemetry-agent` product only: the
 * config is empty for embedding tools). `service.name` from it is already the service name unless
 * OTEL_SERVICE_NAME or code set one; what identifies the agent and the install is not the user's
 * to change.
 */
export function userResourceAttributes(attrs: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'service.name' || k === 'telemetry.install.id' || k.startsWith('telemetry.sdk.') || k.startsWith('telemetry.distro.')) continue;
    out[k] = v;
  }
  return out;
}
