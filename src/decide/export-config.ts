import { readFileSync } from 'node:fs';
import { readPositiveInt, readSwitch, type Env } from './env-flags.js';
import { maskUrl } from './mask-secrets.js';
import { AGENT_PRODUCT } from './paths.js';

// Every OTLP exporter and SDK variable the agent honours, read in one place into one object
// (OpenTelemetry specification: "OpenTelemetry Protocol Exporter", "Metrics Exporter - OTLP",
// "Environment Variable Specification"). Each problem becomes one line in `problems` that names
// the variable and the fix; the app always runs.

export type Protocol = 'http/json' | 'http/protobuf' | 'grpc';
export type Compression = 'none' | 'gzip';
export type TemporalityPreference = 'cumulative' | 'delta' | 'lowmemory';
export type LogLevel = 'none' | 'error' | 'warn' | 'info' | 'debug';
export type Signal = 'traces' | 'metrics';

/** PEM contents (not paths) for node:https: custom CA and mutual TLS. */
export interface TlsMaterial {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface SignalTarget {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly protocol: Protocol;
  readonly compression: Compression;
  readonly timeoutMs: number;
  readonly tls: TlsMaterial;
  /** Sent over OTLP (OTEL_{TRACES,METRICS}_EXPORTER has `otlp`). */
  readonly otlp: boolean;
  /** Printed to stderr like inspect (OTEL_{TRACES,METRICS}_EXPORTER has `console`). */
  readonly console: boolean;
}

export interface ExportConfig {
  /** The general protocol (OTEL_EXPORTER_OTLP_PROTOCOL), for `status`; each target has its own. */
  readonly protocol: Protocol;
  readonly traces: SignalTarget;
  readonly metrics: SignalTarget;
  /** Base endpoint as configured (may hold credentials: show it only through maskUrl). */
  readonly endpoint: string;
  /** The general export timeout; each target has its own. */
  readonly timeoutMs: number;
  readonly flushTimeoutMs: number;
  readonly metricIntervalMs: number;
  readonly temporality: TemporalityPreference;
  readonly serviceName?: string;
  /** OTEL_RESOURCE_ATTRIBUTES, for the `telemetry-agent` product only (the user's own stack). */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  /** OTEL_RESOURCE_ATTRIBUTES is set but this product is an embedding tool: not attached. */
  readonly resourceAttributesIgnored: boolean;
  readonly logLevel: LogLevel;
  readonly inspect: boolean;
  readonly inspectFile?: string;
  /** Debug lines on stderr: TELEMETRY_AGENT_DEBUG=1 or OTEL_LOG_LEVEL=debug. */
  readonly debug: boolean;
  readonly queueMaxBytes: number;
  readonly queueMaxFiles: number;
  /** Hand what was queued at exit to a detached sender (TELEMETRY_AGENT_EXIT_SENDER=0 turns it off). */
  readonly exitSender: boolean;
  /** False when an endpoint is unusable: nothing can be sent this run. */
  readonly valid: boolean;
}

export const DEFAULT_ENDPOINT = 'http://localhost:4318';
/** The OTLP/gRPC default (specification): used when the protocol is grpc and no endpoint is set. */
export const DEFAULT_GRPC_ENDPOINT = 'http://localhost:4317';
/** Below this, collection and a POST per interval would cost the app more than it tells. */
export const MIN_METRIC_INTERVAL_MS = 100;

export interface ExportOverrides {
  readonly endpoint?: string;
  readonly serviceName?: string;
  /** The product this configuration is for; defaults to the agent's own. */
  readonly product?: string;
}

const SIGNALS: readonly Signal[] = ['traces', 'metrics'];

/** Reads the OTEL_* and TELEMETRY_AGENT_* settings; every problem becomes one explained line in `problems`. */
export function readExportConfig(env: Env, problems: string[], override: ExportOverrides = {}): ExportConfig {
  const seen = new Set<string>();
  const warn = (line: string) => {
    if (seen.has(line)) return; // one line per problem, however many signals share it
    seen.add(line);
    problems.push(line);
  };
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v; // empty means unset (specification)
  };
  /** The per-signal variable if set, else the general one; with the name that supplied it. */
  const pick = (signal: Signal, suffix: string): { name: string; value: string | undefined } => {
    const own = `OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_${suffix}`;
    const general = `OTEL_EXPORTER_OTLP_${suffix}`;
    const v = get(own);
    return v !== undefined ? { name: own, value: v } : { name: general, value: get(general) };
  };
  let valid = true;

  const generalProtocol = readProtocol('OTEL_EXPORTER_OTLP_PROTOCOL', get('OTEL_EXPORTER_OTLP_PROTOCOL'), warn);
  const configuredBase = (override.endpoint ?? get('OTEL_EXPORTER_OTLP_ENDPOINT') ?? '').trim() || undefined;
  const base = configuredBase ?? (generalProtocol === 'grpc' ? DEFAULT_GRPC_ENDPOINT : DEFAULT_ENDPOINT);
  const baseVar = override.endpoint ? 'start({ endpoint })' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const sharedHeaders = parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS', warn);
  const generalTimeout = readPositiveInt(env, 'OTEL_EXPORTER_OTLP_TIMEOUT', 10_000, warn, 1);
  const files = new Map<string, string | undefined>();
  const readPem = (name: string, path: string | undefined): string | undefined => {
    if (path === undefined) return undefined;
    if (!files.has(path)) {
      try {
        files.set(path, readFileSync(path, 'utf8'));
      } catch (e) {
        files.set(path, undefined);
        warn(`${name}=${JSON.stringify(path)} cannot be read (${(e as NodeJS.ErrnoException).code ?? e}); set it to a readable PEM file. Connecting without it.`);
      }
    }
    return files.get(path);
  };

  const target = (signal: Signal): SignalTarget => {
    const upper = signal.toUpperCase();
    const p = pick(signal, 'PROTOCOL');
    const protocol = p.name === 'OTEL_EXPORTER_OTLP_PROTOCOL' ? generalProtocol : readProtocol(p.name, p.value, warn);
    const ownName = `OTEL_EXPORTER_OTLP_${upper}_ENDPOINT`;
    const own = get(ownName);
    const name = own !== undefined ? ownName : baseVar;
    const signalBase = configuredBase ?? (protocol === 'grpc' ? DEFAULT_GRPC_ENDPOINT : DEFAULT_ENDPOINT);
    // gRPC calls the collector service's Export method on the endpoint's host: its path is not used.
    const url = protocol === 'grpc' ? grpcUrl(own ?? signalBase, signal) : own ?? signalUrl(signalBase, signal);
    const exporters = readExporters(`OTEL_${upper}_EXPORTER`, get(`OTEL_${upper}_EXPORTER`), warn);
    // An endpoint only matters for a signal that is sent over OTLP.
    if (exporters.otlp && (url === undefined || !isHttpUrl(url))) {
      valid = false;
      warn(`${name}=${JSON.stringify(maskUrl(own ?? base))} is not an http(s) URL; set it like ${protocol === 'grpc' ? DEFAULT_GRPC_ENDPOINT : DEFAULT_ENDPOINT}. Nothing is sent this run.`);
    }
    const headers = { ...sharedHeaders, ...parseHeaders(env[`OTEL_EXPORTER_OTLP_${upper}_HEADERS`], `OTEL_EXPORTER_OTLP_${upper}_HEADERS`, warn) };

    const c = pick(signal, 'COMPRESSION');
    const compression = readCompression(c.name, c.value, warn);
    const t = pick(signal, 'TIMEOUT');
    const timeoutMs = t.name === 'OTEL_EXPORTER_OTLP_TIMEOUT' ? generalTimeout : readPositiveInt(env, t.name, generalTimeout, warn, 1);

    let tls: TlsMaterial = {};
    if (url !== undefined && url.startsWith('https:')) {
      const ca = pick(signal, 'CERTIFICATE');
      const cert = pick(signal, 'CLIENT_CERTIFICATE');
      const key = pick(signal, 'CLIENT_KEY');
      tls = { ca: readPem(ca.name, ca.value), cert: readPem(cert.name, cert.value), key: readPem(key.name, key.value) };
      if ((cert.value === undefined) !== (key.value === undefined)) {
        warn(`${cert.value !== undefined ? key.name : cert.name} is not set; mutual TLS needs both ${cert.name} and ${key.name}. Connecting without a client certificate.`);
      }
      if (tls.cert === undefined || tls.key === undefined) tls = { ca: tls.ca };
    }

    return { url: url ?? base, headers, protocol, compression, timeoutMs, tls, otlp: exporters.otlp, console: exporters.console };
  };
  const [traces, metrics] = SIGNALS.map(target) as [SignalTarget, SignalTarget];

  const flushTimeoutMs = readPositiveInt(env, 'TELEMETRY_AGENT_FLUSH_TIMEOUT_MS', 1_000, warn);
  let metricIntervalMs = readPositiveInt(env, 'OTEL_METRIC_EXPORT_INTERVAL', 60_000, warn, 1);
  if (metricIntervalMs < MIN_METRIC_INTERVAL_MS) {
    warn(`OTEL_METRIC_EXPORT_INTERVAL=${metricIntervalMs} is below telemetry-agent's floor of ${MIN_METRIC_INTERVAL_MS} ms; using ${MIN_METRIC_INTERVAL_MS}. Set it to ${MIN_METRIC_INTERVAL_MS} or more.`);
    metricIntervalMs = MIN_METRIC_INTERVAL_MS;
  }
  const temporality = readTemporality(get('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE'), warn);
  const logLevel = readLogLevel(env, warn);
  const sdkDisabled = get('OTEL_SDK_DISABLED');
  if (sdkDisabled !== undefined && !['true', 'false'].includes(sdkDisabled.toLowerCase())) {
    warn(`OTEL_SDK_DISABLED=${JSON.stringify(sdkDisabled)} is not "true" or "false", so it does not disable anything; set OTEL_SDK_DISABLED=true to turn telemetry off.`);
  }

  const inspectSwitch = readSwitch(env.TELEMETRY_AGENT_INSPECT);
  if (inspectSwitch === 'invalid') warn(`TELEMETRY_AGENT_INSPECT=${JSON.stringify(env.TELEMETRY_AGENT_INSPECT)} is not understood; set it to 1 to print payloads.`);

  const ownStack = (override.product ?? AGENT_PRODUCT) === AGENT_PRODUCT;
  const rawResource = get('OTEL_RESOURCE_ATTRIBUTES');
  const resourceAttributes = ownStack ? parseResourceAttributes(rawResource, warn) : {};
  // OTEL_SERVICE_NAME wins over service.name in OTEL_RESOURCE_ATTRIBUTES (specification); code wins over both.
  const serviceName = override.serviceName ?? get('OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'];

  return {
    protocol: generalProtocol,
    traces,
    metrics,
    endpoint: base,
    timeoutMs: generalTimeout,
    flushTimeoutMs,
    metricIntervalMs,
    temporality,
    serviceName,
    resourceAttributes,
    resourceAttributesIgnored: !ownStack && rawResource !== undefined,
    logLevel,
    inspect: inspectSwitch === 'on',
    inspectFile: env.TELEMETRY_AGENT_INSPECT_FILE?.trim() || undefined,
    debug: readSwitch(env.TELEMETRY_AGENT_DEBUG) === 'on' || logLevel === 'debug',
    queueMaxBytes: readPositiveInt(env, 'TELEMETRY_AGENT_QUEUE_MAX_BYTES', 10 * 1024 * 1024, warn),
    queueMaxFiles: readPositiveInt(env, 'TELEMETRY_AGENT_QUEUE_MAX_FILES', 1000, warn),
    exitSender: readSwitch(env.TELEMETRY_AGENT_EXIT_SENDER) !== 'off',
    valid,
  };
}

/**
 * The signal URL built from the base endpoint: `/v1/<signal>` joins the path (one slash), the
 * query string is kept, a fragment is dropped. Undefined when the base is not a URL.
 */
export function signalUrl(base: string, signal: Signal): string | undefined {
  const u = parseUrl(base);
  if (!u) return undefined;
  u.pathname = u.pathname.replace(/\/+$/, '') + `/v1/${signal}`;
  u.hash = '';
  return u.toString();
}

/** The gRPC method URL on the endpoint's host (path and query of the endpoint are not used by gRPC). */
export function grpcUrl(endpoint: string, signal: Signal): string | undefined {
  const u = parseUrl(endpoint);
  if (!u) return undefined;
  u.pathname = signal === 'traces' ? '/opentelemetry.proto.collector.trace.v1.TraceService/Export' : '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';
  u.search = '';
  u.hash = '';
  return u.toString();
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function readProtocol(name: string, raw: string | undefined, warn: (l: string) => void): Protocol {
  if (raw === undefined) return 'http/json';
  const v = raw.toLowerCase();
  if (v === 'http/json' || v === 'http/protobuf' || v === 'grpc') return v;
  warn(`${name}=${JSON.stringify(raw)} is not an OTLP protocol; set it to http/json (default), http/protobuf or grpc. Using http/json.`);
  return 'http/json';
}

function readCompression(name: string, raw: string | undefined, warn: (l: string) => void): Compression {
  if (raw === undefined) return 'none';
  const v = raw.toLowerCase();
  if (v === 'gzip' || v === 'none') return v;
  warn(`${name}=${JSON.stringify(raw)} is not supported; set it to gzip or none. Sending uncompressed.`);
  return 'none';
}

function readTemporality(raw: string | undefined, warn: (l: string) => void): TemporalityPreference {
  if (raw === undefined) return 'cumulative';
  const v = raw.toLowerCase();
  if (v === 'cumulative' || v === 'delta' || v === 'lowmemory') return v;
  warn(`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=${JSON.stringify(raw)} is not understood; set it to cumulative, delta or lowmemory. Using cumulative.`);
  return 'cumulative';
}

/** OTEL_LOG_LEVEL (the names OpenTelemetry JS accepts); read on its own by boot before anything else. */
export function readLogLevel(env: Env, warn: (l: string) => void = () => {}): LogLevel {
  const raw = env.OTEL_LOG_LEVEL?.trim();
  if (raw === undefined || raw === '') return 'info';
  const v = raw.toLowerCase();
  if (v === 'none' || v === 'error' || v === 'warn' || v === 'info' || v === 'debug') return v;
  if (v === 'verbose' || v === 'all') return 'debug';
  warn(`OTEL_LOG_LEVEL=${JSON.stringify(raw)} is not understood; set it to none, error, warn, info or debug. Using info.`);
  return 'info';
}

/** `otlp`, `console`, `none` (also as a comma-separated list); `logging` is the old name of `console`. */
function readExporters(name: string, raw: string | undefined, warn: (l: string) => void): { otlp: boolean; console: boolean } {
  if (raw === undefined) return { otlp: true, console: false };
  const values = raw.toLowerCase().split(',').map((v) => v.trim()).filter((v) => v !== '');
  if (values.includes('none')) {
    if (values.length > 1) warn(`${name}=${JSON.stringify(raw)} mixes none with other exporters; none wins and nothing is exported. Set it to one of otlp, console, none.`);
    return { otlp: false, console: false };
  }
  const unknown = values.filter((v) => v !== 'otlp' && v !== 'console' && v !== 'logging');
  const otlp = values.includes('otlp');
  const consoleOut = values.includes('console') || values.includes('logging');
  if (unknown.length > 0) {
    const fallback = otlp || consoleOut ? 'ignoring it' : 'using otlp';
    warn(`${name}=${JSON.stringify(raw)}: ${unknown.join(', ')} is not supported by telemetry-agent (otlp, console, none); ${fallback}.`);
    if (!otlp && !consoleOut) return { otlp: true, console: false };
  }
  return { otlp, console: consoleOut };
}

/**
 * `key1=value1,key2=value2`, values percent-decoded (W3C Baggage without properties). On any
 * malformed entry the whole variable is discarded, as the Resource SDK specification says.
 */
export function parseResourceAttributes(raw: string | undefined, warn: (l: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined || raw.trim() === '') return out;
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(0, eq).trim() : '';
    let value: string | undefined;
    try { value = decodeURIComponent(part.slice(eq + 1).trim()); } catch { value = undefined; }
    if (key === '' || value === undefined || !/^[\x21-\x7e]+$/.test(key)) {
      warn('OTEL_RESOURCE_ATTRIBUTES is malformed (expected key=value pairs separated by commas, values percent-encoded, e.g. "deployment.environment.name=prod,team=ml"); none of its attributes are attached.');
      return {};
    }
    out[key] = value;
  }
  return out;
}

// A header value may hold only visible ASCII, space and tab: anything else makes node:http throw
// on every request (and every payload would go to the queue forever).
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

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
    if (!HEADER_VALUE.test(value)) {
      warn(`${name}: the value of header "${key}" has a line break, control or non-ASCII character; that header is not sent. Remove the character (or percent-encode only printable ASCII).`);
      continue;
    }
    out[key] = value;
  }
  return out;
}

function parseUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}
