// Static checks of docker-compose.yml and the Prometheus/Grafana files it mounts. No Docker
// engine runs here: whether the images start and talk to each other is checked only by
// `docker compose up` (docs/collector.md), not by these tests.
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, readText, readYaml, requiredEnvVars } from './helpers.js';

const compose = readYaml('docker-compose.yml');
const services: Record<string, any> = compose.services;
const collector = services.collector;

/** "127.0.0.1:4318:4318" -> { host: "127.0.0.1", published: 4318, target: 4318 } */
function parsePort(spec: string) {
  const parts = String(spec).split(':');
  const target = Number(parts.at(-1));
  const published = Number(parts.at(-2) ?? target);
  return { host: parts.length === 3 ? parts[0] : undefined, published, target };
}

/** Bind mounts "./host/path:/container/path[:ro]" -> { source, target } */
function bindMounts(service: any) {
  return (service.volumes ?? [])
    .filter((v: string) => v.startsWith('.'))
    .map((v: string) => {
      const [source, target] = v.split(':');
      return { source, target };
    });
}

describe('docker-compose.yml', () => {
  it('has the collector, Jaeger, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(['collector', 'grafana', 'jaeger', 'prometheus']);
  });

  it('publishes OTLP 4317/4318, Jaeger UI 16686, Prometheus 9090 and Grafana 3000 on localhost only', () => {
    const ports = Object.values(services).flatMap((s) => (s.ports ?? []).map(parsePort));
    expect(ports.map((p) => p.published)).toEqual(expect.arrayContaining([4317, 4318, 16686, 9090, 3000]));
    for (const port of ports) expect(port.host, `port ${port.published}`).toBe('127.0.0.1');
    expect((services.jaeger.ports as string[]).map(parsePort).map((p) => p.target)).toContain(16686);
    expect((services.grafana.ports as string[]).map(parsePort).map((p) => p.target)).toContain(3000);
  });

  it('mounts only files and folders that exist in the repository', () => {
    const mounts = Object.values(services).flatMap(bindMounts);
    expect(mounts.length).toBeGreaterThanOrEqual(4);
    for (const { source } of mounts) expect(existsSync(join(ROOT, source)), source).toBe(true);
  });

  it('pins every image to a version, with the release the component list was made for', () => {
    for (const [name, service] of Object.entries(services)) {
      const tag = String(service.image).split(':').at(-1)!;
      expect(service.image, name).toContain(':');
      expect(tag, name).not.toBe('latest');
      expect(tag, name).toMatch(/^v?\d+\.\d+\.\d+$/);
    }
    const tsv = readText('collector-config/otelcol-contrib-0.159.0-components.tsv');
    const release = /release (\d+\.\d+\.\d+)/.exec(tsv)![1];
    expect(collector.image).toBe(`otel/opentelemetry-collector-contrib:${release}`);
    expect(services.jaeger.image).toMatch(/jaeger:2\./);
    expect(services.prometheus.image).toMatch(/prometheus:v3\./);
  });

  it('has healthchecks where the image can run one, and none needing a shell in the collector', () => {
    expect(services.prometheus.healthcheck.test[0]).toBe('CMD');
    expect(services.grafana.healthcheck.test[0]).toBe('CMD');
    // The collector image has no shell and no HTTP client; its health_check is published instead.
    expect(collector.healthcheck).toBeUndefined();
    expect((collector.ports as string[]).map(parsePort).map((p) => p.target)).toContain(13133);
  });
});

describe('collector service', () => {
  const configMount = bindMounts(collector).find((m: any) => m.source.endsWith('.yaml'))!;
  const edgeText = readText(configMount.source);

  it('runs edge.yaml unchanged, from where it is mounted', () => {
    expect(configMount.source).toBe('./collector-config/edge.yaml');
    expect(collector.command).toContain(`--config=${configMount.target}`);
  });

  it('sets every environment variable edge.yaml needs, and listens beyond localhost', () => {
    const required = requiredEnvVars(edgeText);
    expect(required).toContain('UPSTREAM_OTLP_ENDPOINT');
    for (const name of required) expect(collector.environment, name).toHaveProperty(name);
    expect(collector.environment.OTELCOL_LISTEN_HOST).toBe('0.0.0.0');
  });

  it('sends traces to Jaeger and metrics to the Prometheus OTLP receiver', () => {
    const env = collector.environment;
    expect(env.UPSTREAM_OTLP_ENDPOINT).toBe('http://jaeger:4318');
    expect(env.UPSTREAM_OTLP_METRICS_ENDPOINT).toBe('http://prometheus:9090/api/v1/otlp/v1/metrics');
    expect(services.prometheus.command).toContain('--web.enable-otlp-receiver');
    expect(services.jaeger.environment.JAEGER_LISTEN_HOST).toBe('0.0.0.0');
  });

  it('gives the file exporter a writable folder (UID 10001 cannot write the image root)', () => {
    const path = /path: \$\{env:OTELCOL_CAPTURE_FILE:-([^}]+)\}/.exec(edgeText)![1];
    const tmpfs = (collector.tmpfs as string[]).map((t) => t.split(':')[0]);
    expect(tmpfs).toContain(posix.dirname(path));
    expect(collector.environment).not.toHaveProperty('OTELCOL_CAPTURE_FILE');
  });
});

describe('Prometheus and Grafana files', () => {
  it('pins the OTLP translation the dashboard names rely on', () => {
    const prometheus = readYaml('collector-config/prometheus/prometheus.yml');
    expect(prometheus.otlp.translation_strategy).toBe('UnderscoreEscapingWithSuffixes');
    const mount = bindMounts(services.prometheus)[0];
    expect(services.prometheus.command).toContain(`--config.file=${mount.target}`);
  });

  it('provisions Prometheus and Jaeger data sources at their compose service addresses', () => {
    const { datasources } = readYaml('collector-config/grafana/provisioning/datasources/datasources.yaml');
    const byType = Object.fromEntries(datasources.map((d: any) => [d.type, d]));
    expect(byType.prometheus.url).toBe('http://prometheus:9090');
    expect(byType.jaeger.url).toBe('http://jaeger:16686');
    expect(byType.prometheus.isDefault).toBe(true);
  });

  it('provisions dashboards from the folder compose mounts the dashboard JSON into', () => {
    const { providers } = readYaml('collector-config/grafana/provisioning/dashboards/dashboards.yaml');
    const mounts = bindMounts(services.grafana);
    const dashboards = mounts.find((m: any) => m.source === './collector-config/grafana/dashboards');
    expect(dashboards).toBeDefined();
    expect(providers.map((p: any) => p.options.path)).toContain(dashboards.target);
    expect(services.grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
      posix.join(dashboards.target, 'ml-runs.json'),
    );
    const provisioning = mounts.map((m: any) => m.target).filter((t: string) => t.startsWith('/etc/grafana/provisioning/'));
    expect(provisioning.sort()).toEqual(['/etc/grafana/provisioning/dashboards', '/etc/grafana/provisioning/datasources']);
  });
});
