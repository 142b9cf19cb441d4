// The resource the pipeline and the short-run exit both send: the SDK's `merge` of the gated
// attributes with OTEL_RESOURCE_ATTRIBUTES, key for key and in the same order.
import { describe, expect, it } from 'vitest';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { exportedResourceAttributes } from '../../src/deliver/exported-resource.js';
import { resourceAttributes } from '../../src/collect/resource-attributes.js';
import { createProtectGate } from '../../src/protect/gate.js';
import { createRedactor } from '../../src/protect/redaction-engine.js';
import { CORPUS_CONTEXT } from '../protect/redact-corpus.js';

const inputs = {
  serviceName: 'svc',
  installId: '2ad9de82-7e6a-4fbc-a7f3-8c5378c34db6',
  sdkVersion: '3.1.1',
  agentVersion: '0.1.0',
  hardware: { probed: true, cpuModel: 'cpu', cpuLogicalCount: 2, memoryTotal: 1024, gpuCount: 0, gpuModels: [], gpuMemoryTotal: 0 },
  ci: false,
};

describe('exportedResourceAttributes', () => {
  it('equals resource.merge(user) of the gated attributes, order included; the user cannot replace identity keys', () => {
    const gate = createProtectGate(createRedactor(CORPUS_CONTEXT));
    const user = { 'deployment.environment.name': 'staging', 'host.arch': 'riscv', 'service.name': 'not-this', 'team': 'ml' };
    const ours = exportedResourceAttributes(gate, inputs, user);
    const sdk = resourceFromAttributes(gate.resource(resourceAttributes(inputs))).merge(resourceFromAttributes({ 'deployment.environment.name': 'staging', 'host.arch': 'riscv', 'team': 'ml' })).attributes;
    expect(Object.entries(ours)).toEqual(Object.entries(sdk));
    expect(ours['service.name']).toBe('svc');
    expect(ours['host.arch']).toBe('riscv');
  });

  it('without user attributes: the gated attributes as they are', () => {
    const gate = createProtectGate(createRedactor(CORPUS_CONTEXT));
    expect(exportedResourceAttributes(gate, inputs, {})).toEqual(gate.resource(resourceAttributes(inputs)));
  });
});
