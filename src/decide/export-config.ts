import { readPositiveInt, readSwitch, type Env } from './env-flags.js';

export type Protocol = 'http/json' | 'http/protobuf';

export interface SignalTarget {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ExportConfig {
  readonly protocol: Protocol;
  readonly traces: SignalTarget;
  readonly metrics: SignalTarget;
  /** Base endpoint, for `status`. */
  readonly endpoint: string;
  readonly timeoutMs: number;
  readonly flushTimeoutMs: number;
  readonly metricIntervalMs: number;
  readonly serviceName?: string;
  readonly inspect: boolean;
  readonly inspectFile?: string;
  readonly debug: boolean;
  readonly queueMaxBytes: number;
  readonly queueMaxFiles: number;
  /** Hand what was queued at exit to a detached sender (TELEMETRY_AGENT_EXIT_SENDER=0 turns it off). */
  readonly exitSender: boolean;
  /** False when the endpoint is unusable: nothing can be sent this run. */
  readonly valid: boolean;
}

export const DEFAULT_ENDPOINT = 'http://localhost:4318';

/** Reads the OTEL_* and TELEMETRY_AGENT_* settings; every problem becomes one explained line in `problems`. */
export function readExportConfig(env: Env, problems: string[], override: { endpoint?: string; serviceName?: string } = {}): ExportConfig {
  const warn = (line: string) => problems.push(line);
  let valid = true;

  const rawProtocol = (env.OTEL_EXPORTER_OTLP_PROTOCOL ?? '').trim();
  let protocol: Protocol = 'http/json';
  if (rawProtocol === 'http/protobuf') protocol = 'http/protobuf';
  else if (rawProtocol !== '' && rawProtocol !== 'http/json') {
    warn(`OTEL_EXPORTER_OTLP_PROTOCOL=${JSON.stringify(rawProtocol)} is not supported; telemetry-agent sends http/json (default) or http/protobuf. Using http/json.`);
  }

  const base = (override.endpoint ?? env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '').trim() || DEFAULT_ENDPOINT;
  const baseVar = override.endpoint ? 'start({ endpoint })' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const sharedHeaders = parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS', warn);

  const target = (signal: 'traces' | 'metrics'): SignalTarget => {
    const upper = signal.toUpperCase();
    const own = (env[`OTEL_EXPORTER_OTLP_${upper}_ENDPOINT`] ?? '').trim();
    const url = own !== '' ? own : base.replace(/\/+$/, '') + `/v1/${signal}`;
    const name = own !== '' ? `OTEL_EXPORTER_OTLP_${upper}_ENDPOINT` : baseVar;
    if (!isHttpUrl(url)) {
      valid = false;
      warn(`${name}=${JSON.stringify(own || base)} is not an http(s) URL; set it like http://localhost:4318. Nothing is sent this run.`);
    }
    const headers = { ...sharedHeaders, ...parseHeaders(env[`OTEL_EXPORTER_OTLP_${upper}_HEADERS`], `OTEL_EXPORTER_OTLP_${upper}_HEADERS`, warn) };
    return { url, headers };
  };
  const traces = target('traces');
  const metrics = target('metrics');

  const timeoutMs = readPositiveInt(env, 'OTEL_EXPORTER_OTLP_TIMEOUT', 10_000, warn, 1);
  const flushTimeoutMs = readPositiveInt(env, 'TELEMETRY_AGENT_FLUSH_TIMEOUT_MS', 1_000, warn);
  const metricIntervalMs = Math.max(1_000, readPositiveInt(env, 'OTEL_METRIC_EXPORT_INTERVAL', 60_000, warn));
  const inspectSwitch = readSwitch(env.TELEMETRY_AGENT_INSPECT);
  if (inspectSwitch === 'invalid') warn(`TELEMETRY_AGENT_INSPECT=${JSON.stringify(env.TELEMETRY_AGENT_INSPECT)} is not understood; set it to 1 to print payloads.`);
  const serviceName = override.serviceName ?? (env.OTEL_SERVICE_NAME?.trim() || undefined);

  return {
    protocol,
    traces,
    metrics,
    endpoint: base,
    timeoutMs,
    flushTimeoutMs,
    metricIntervalMs,
    serviceName,
    inspect: inspectSwitch === 'on',
    inspectFile: env.TELEMETRY_AGENT_INSPECT_FILE?.trim() || undefined,
    debug: readSwitch(env.TELEMETRY_AGENT_DEBUG) === 'on',
    queueMaxBytes: readPositiveInt(env, 'TELEMETRY_AGENT_QUEUE_MAX_BYTES', 10 * 1024 * 1024, warn),
    queueMaxFiles: readPositiveInt(env, 'TELEMETRY_AGENT_QUEUE_MAX_FILES', 1000, warn),
    exitSender: readSwitch(env.TELEMETRY_AGENT_EXIT_SENDER) !== 'off',
    valid,
  };
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** `key=value,key2=value2`, values URL-encoded (the OTLP exporter spec). Malformed entries are skipped with a warning. */
export function parseHeaders(raw: string | undefined, name: string, warn: (line: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined || raw.trim() === '') return out;
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(0, eq).trim() : '';
    if (key === '' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) {
      // Never echo the value: headers usually carry credentials.
      warn(`${name} has a malformed entry (expected key=value pairs separated by commas, e.g. "api-key=abc,x-team=ml"); that entry is ignored.`);
      continue;
    }
    let value = part.slice(eq + 1).trim();
    try { value = decodeURIComponent(value); } catch { /* keep raw */ }
    out[key] = value;
  }
  return out;
}
