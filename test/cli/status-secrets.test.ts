import { describe, expect, it } from 'vitest';
import { formatStatus, statusReport } from '../../src/cli/status.js';
import { cleanEnv, tempHome } from '../helpers/run-node.js';

describe('status and configuration secrets', () => {
  it('shows the endpoint without its credentials or query values, and says when OTEL_RESOURCE_ATTRIBUTES is ignored', () => {
    const env = cleanEnv(tempHome(), { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://bot:s3cr3t-pw@collector.example:4318/?api_key=k3y-value', OTEL_RESOURCE_ATTRIBUTES: 'team=ml' });
    const own = statusReport(undefined, env);
    expect(own.products[0]!.endpoint).toBe('https://***@collector.example:4318/?api_key=***');
    const text = formatStatus(own) + JSON.stringify(own);
    expect(text).not.toContain('s3cr3t-pw');
    expect(text).not.toContain('k3y-value');
    expect(formatStatus(own)).not.toContain('OTEL_RESOURCE_ATTRIBUTES');
    const tool = statusReport('acme', env);
    expect(tool.products[0]!.resourceAttributesIgnored).toBe(true);
    expect(formatStatus(tool)).toMatch(/^ {2}OTEL_RESOURCE_ATTRIBUTES: ignored for this product/m);
  });
});
