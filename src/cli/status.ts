import { DATA_VERSION, FORBIDDEN_RESOURCE_KEYS, METRICS, RESOURCE_ATTRIBUTES, SIGNAL_ATTRIBUTES, SPANS } from '../catalog.js';
import { productConsent, type ProductStatus } from '../decide/consent-control.js';
import { knownProducts } from '../decide/paths.js';
import { AGENT_VERSION } from '../version.js';

export interface StatusReport {
  readonly version: string;
  readonly dataVersion: number;
  /** Every product seen on this machine (the agent's own first), or the one asked for. */
  readonly products: readonly ProductStatus[];
}

export function statusReport(product?: string, env: NodeJS.ProcessEnv = process.env): StatusReport {
  const names = product === undefined ? knownProducts() : [product];
  return { version: AGENT_VERSION, dataVersion: DATA_VERSION, products: names.map((p) => productConsent(p, {}, env).status()) };
}

function formatProduct(s: ProductStatus): string[] {
  return [
    `product ${s.product}`,
    `  telemetry: ${s.enabled ? 'on' : 'off'}: ${s.reason} (consent rule ${s.rule})`,
    `  endpoint: ${s.endpoint}`,
    ...(s.resourceAttributesIgnored ? ['  OTEL_RESOURCE_ATTRIBUTES: ignored for this product (only the telemetry-agent product attaches them; an embedding tool sends its own resource)'] : []),
    `  install id: ${s.installId ?? 'none yet (created the first time telemetry is sent)'}  [${s.installIdFile}]`,
    `  service.instance.id: random for every process run`,
    `  queue: ${s.queueDir}`,
    `  opt out: ${s.optOutEnv.join(', ')}${s.enableEnv.length > 0 ? `   enable: ${s.enableEnv.join(', ')}` : ''}`,
    ...(s.usageEvents ? [`  usage events (usage spans with usage.name and only these attributes): ${Object.entries(s.usageEvents).map(([e, keys]) => `${e} (${keys.join(', ') || 'no attributes'})`).join('; ') || 'none declared'}`] : []),
    ...(s.ignoredProjectEnable ? [`  note: ${s.ignoredProjectEnable} says "enabled": true, which is ignored: a project can only opt out`] : []),
    ...s.problems.map((p) => `  problem: ${p}`),
  ];
}

/** The human-readable status, including the full list of what is collected, straight from the catalog. */
export function formatStatus(r: StatusReport): string {
  const lines = [
    `telemetry-agent ${r.version}`,
    '',
    ...r.products.flatMap((p) => [...formatProduct(p), '']),
    `What is collected (data list version ${r.dataVersion}):`,
    'resource attributes:',
    ...RESOURCE_ATTRIBUTES.map((a) => `  ${a.key}: ${a.description}`),
    'spans:',
    ...SPANS.map((s) => `  ${s.name}: ${s.description}`),
    'metrics:',
    ...METRICS.map((m) => `  ${m.name} (${m.kind}, ${m.unit}): ${m.description}`),
    'span and metric attributes:',
    ...SIGNAL_ATTRIBUTES.map((a) => `  ${a.key}: ${a.description}`),
    `never collected: ${FORBIDDEN_RESOURCE_KEYS.join(', ')}, IP addresses, user names, paths, environment values`,
    '',
    'turn off: DO_NOT_TRACK=1 or `telemetry-agent disable [--product NAME]`; see payloads: TELEMETRY_AGENT_INSPECT=1',
  ];
  return lines.join('\n') + '\n';
}
