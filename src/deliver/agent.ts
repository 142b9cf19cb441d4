import { cryptoIdGenerator, randomHex, randomUuid } from '../collect/random-id.js';
import { emptyResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { MeterProvider, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { DEFAULT_PUBLIC_MODEL_ORGS } from '../catalog.js';
import type { Decision, StartOptions } from '../decide/decision.js';
import { agentPaths } from '../decide/paths.js';
import { hardwareKey, quickHardware, readHardwareCache, type Hardware } from '../collect/hardware.js';
import { installId, localSalt } from '../collect/install-id.js';
import { exportedResourceAttributes } from './exported-resource.js';
import { observeRuntimeMetrics } from '../collect/runtime-metrics.js';
import { startGpuSampling } from '../collect/gpu-sampling.js';
import type { ProtectGate } from '../protect/gate.js';
import { processGate } from '../protect/process-gate.js';
import { createRedactor } from '../protect/redaction-engine.js';
import { CLEAN_MEMO_FILE } from '../protect/clean-memo.js';
import { join } from 'node:path';
import { safeModelName } from '../protect/model-name.js';
import { allowDeclaredUsageAttributes } from '../protect/allow-list.js';
import { Delivery } from './delivery.js';
import { DiskQueue } from './disk-queue.js';
import { destinationsOf } from './destination.js';
import { encodeMetrics, encodeSpans, type Encoded } from './encode.js';
import { createHttpTransport, type Transport } from './transport.js';
import { waitWithin, exitCutLine } from './exit-bound.js';
import { spawnExitSender, spawnHardwareProbe } from './detached-processes.js';
import { createInspector } from './inspect.js';
import { debugWriter, warnWriter } from '../decide/agent-log.js';
import { AgentMetricReader } from './metric-reader.js';
import { SignalsImpl } from './signals-impl.js';
import { SpanBuffer } from './span-buffer.js';
import { MetricSnapshot } from './metric-snapshot.js';
import { Histograms } from './histograms.js';
import { millisToHrTime } from '@opentelemetry/core';

export interface AgentInit {
  readonly decision: Decision;
  readonly options: StartOptions;
  readonly agentVersion: string;
  readonly sdkVersion: string;
  /** The request seam (tests pass an in-process one); OTLP/HTTP by default. */
  readonly transport?: Transport;
}

/** The running pipeline: collect → protect → deliver. Created only when telemetry is on (or inspected). */
export class Agent {
  readonly signals: SignalsImpl;
  private readonly transport: Transport;
  private serviceName: string | undefined;
  private serviceVersion: string | undefined;
  private hardware: Hardware;
  private readonly hardwareKey: string;
  private readonly cacheDir: string;
  private hardwareCheckedAt = Date.now();
  private readonly installId: string;
  /** Everything that leaves passes here, once, right before serialisation. */
  private readonly gate: ProtectGate;
  private readonly delivery: Delivery;
  private readonly spans: SpanBuffer;
  private readonly tracerProvider: TracerProvider;
  private readonly meterProvider: MeterProvider;
  private readonly reader: AgentMetricReader;
  private resourceCache: Resource | undefined;
  private flushing: Promise<void> | undefined;
  private readonly snapshot = new MetricSnapshot();
  private readonly histograms = new Histograms();
  private readonly startTime = millisToHrTime(Date.now());
  /** The exit flush collected the metrics; otherwise the exit path serialises the snapshot. */
  private metricsFlushed = false;
  private stopped = false;
  private exitSenderStarted = false;

  constructor(private readonly init: AgentInit) {
    const { decision, options } = init;
    allowDeclaredUsageAttributes((options as { events?: unknown }).events);
    const { config } = decision;
    const debug = debugWriter(config.debug);
    this.debug = debug;
    // A read-only or broken home / cache dir is one debug line, not one per file the agent keeps there.
    let storageReported = false;
    const storageDebug = (m: string) => {
      if (storageReported) return;
      storageReported = true;
      debug(`${m}; further storage problems are not reported`);
    };
    const paths = agentPaths();
    const own = decision.paths;
    this.serviceName = config.serviceName;
    this.serviceVersion = options.serviceVersion;

    // Without consent (inspect only) nothing is written to disk: IDs and salt live for this run only.
    const id = decision.send ? installId(own.configDir, storageDebug) : undefined;
    this.installId = id?.value ?? randomUuid();
    const salt = decision.send ? localSalt(own.configDir, storageDebug) : randomHex(64);
    // Without consent nothing is written to disk: no memo of clean resource values either.
    this.gate = processGate(salt, decision.send ? join(paths.cacheDir, CLEAN_MEMO_FILE) : undefined, () => createRedactor);
    const publicOrgs = [...DEFAULT_PUBLIC_MODEL_ORGS, ...(options.publicModelOrgs ?? [])];

    // The full probe runs in a detached process that writes the cache (only with consent: no
    // files otherwise); until it is there, the resource has what the os module knows, no GPU fields.
    this.hardwareKey = hardwareKey();
    this.cacheDir = paths.cacheDir;
    const cached = readHardwareCache(paths.cacheDir, this.hardwareKey);
    this.hardware = cached ?? quickHardware();
    if (!cached && decision.send && typeof __dirname === 'string') spawnHardwareProbe(__dirname, debug);

    this.transport = init.transport ?? createHttpTransport(config);
    this.delivery = new Delivery({
      transport: this.transport,
      targets: config,
      send: decision.send,
      // Nothing is written to disk without consent.
      store: decision.send ? new DiskQueue({ dir: own.queueDir, product: decision.product, maxBytes: config.queueMaxBytes, maxFiles: config.queueMaxFiles, debug: storageDebug }) : undefined,
      destinations: destinationsOf(salt, decision.product, config),
      countDropped: (n) => this.signals.record('telemetry_agent.queue.dropped', n),
      warn: warnWriter(config.logLevel),
      inspect: config.inspect ? createInspector(config.inspectFile, debug) : undefined,
      console: config.traces.console || config.metrics.console ? createInspector(undefined, debug, 'console') : undefined,
      debug,
    });

    this.spans = new SpanBuffer({ maxQueue: 2048, batchSize: 512, delayMs: 5000, exportSpans: (s) => this.exportSpans(s), onDrop: (n) => debug(`span buffer full: dropped ${n} span(s)`) });
    this.tracerProvider = new TracerProvider({ resource: emptyResource(), spanProcessors: [this.spans], idGenerator: cryptoIdGenerator });
    this.reader = new AgentMetricReader(config.metricIntervalMs, (rm) => this.exportMetrics(rm), config.temporality, () => this.signals.collect());
    this.meterProvider = new MeterProvider({ resource: emptyResource(), readers: [this.reader] });
    const meter = this.meterProvider.getMeter('telemetry-agent', init.agentVersion);
    this.signals = new SignalsImpl({
      tracer: this.tracerProvider.getTracer('telemetry-agent', init.agentVersion),
      meter,
      modelName: (x) => safeModelName(x, { publicOrgs, salt }),
      debug,
      snapshot: this.snapshot,
      histograms: this.histograms,
    });
    // New installs per day: counted once, in the run that created this product's install ID.
    if (id?.created) this.signals.record('telemetry_agent.install.created', 1);
    observeRuntimeMetrics(meter);
    startGpuSampling(this.signals);

    // Earlier runs' undelivered payloads: in the background, after the app has started; what a run
    // too short for that leaves goes to the exit sender (or, without it, is sent within the exit
    // flush). The drop count goes into this run's metrics.
    this.delivery.reportDropped();
    setImmediate(() => void this.delivery.drainQueue()).unref();
  }

  readonly debug: (m: string) => void;

  setService(name: string | undefined, version: string | undefined): void {
    if (name) this.serviceName = name;
    if (version) this.serviceVersion = version;
    this.resourceCache = undefined;
  }

  /**
   * Exports everything now, bounded by the flush timeout. Never rejects. `keepAlive: false` for a
   * flush nobody waits for (after a signal the app handles): it must not hold the process open
   * once the app is done, when the exit flush takes over.
   */
  async flush(timeoutMs = this.init.decision.config.flushTimeoutMs, o: { keepAlive?: boolean } = {}): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    try {
      await waitWithin((async () => {
        await this.spans.flushNow();
        await this.reader.collectAndExport();
        await this.transport.flush(deadline - Date.now()); // interval exports already in flight too
      })(), timeoutMs, { keepAlive: o.keepAlive });
    } catch (e) {
      this.debug(`flush failed: ${e}`);
    }
  }

  /** A flush nobody waits for (after a signal the app handles): it never holds the process open. */
  flushWhileRunning(): Promise<void> {
    return this.stopped ? Promise.resolve() : this.flush(undefined, { keepAlive: false });
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    await this.flushForExit();
    this.queueRemainingSync();
    this.stopped = true;
    await Promise.allSettled([this.tracerProvider.shutdown(), this.meterProvider.shutdown()]);
  }

  /** Ends open spans, exports them and the metrics; what misses the deadline is queued. */
  flushForExit(): Promise<void> {
    if (this.flushing) return this.flushing;
    const timeout = this.init.decision.config.flushTimeoutMs;
    const abort = this.delivery.beginExit(Date.now() + timeout);
    // Collectors first: runs still open (a custom loop) put their totals on their spans before those are ended.
    this.signals.collect();
    const ended = this.spans.takeAllSync();
    this.flushing = (async () => {
      const boundReached = await waitWithin(Promise.allSettled([
        this.exportSpans(ended),
        this.reader.collectAndExport().then(() => { this.metricsFlushed = true; }),
        // Earlier runs' payloads: the detached sender takes them without delaying the exit (the
        // one being sent may finish); without the sender this is their chance to go, in the same bound.
        this.init.decision.config.exitSender ? this.delivery.stopDrain() : this.delivery.drainQueue(),
      ]), timeout, { onBound: () => abort.abort() });
      // The decision tests check (instead of timing the exit on a busy machine).
      if (boundReached || this.delivery.wasCutAtExit()) this.debug(exitCutLine(timeout));
    })();
    return this.flushing;
  }

  queueRemainingSync(): void {
    if (this.stopped) return;
    try {
      this.delivery.queueInFlightSync();
      if (!this.metricsFlushed) this.signals.collect();
      for (const e of this.encodeSpans(this.spans.takeAllSync())) this.delivery.queueSync('traces', e);
      if (!this.metricsFlushed) {
        this.metricsFlushed = true;
        const rm = this.snapshot.toResourceMetrics(this.resource(), { name: 'telemetry-agent', version: this.init.agentVersion }, this.delta);
        for (const e of this.encodeMetrics(rm)) this.delivery.queueSync('metrics', e);
      }
      const { decision } = this.init;
      if (decision.send && decision.config.exitSender && typeof __dirname === 'string' && !this.exitSenderStarted && this.delivery.hasStored()) {
        this.exitSenderStarted = true;
        spawnExitSender(__dirname, this.init.options, this.debug);
      }
    } catch (e) {
      this.debug(`cannot queue at exit: ${e}`);
    }
  }

  recordFatal(error: unknown, origin: string): void {
    this.signals.recordFatal(error, origin);
  }

  private resource(): Resource {
    if (!this.hardware.probed && Date.now() - this.hardwareCheckedAt > 500) {
      this.hardwareCheckedAt = Date.now();
      const probed = readHardwareCache(this.cacheDir, this.hardwareKey);
      if (probed) {
        this.hardware = probed;
        this.resourceCache = undefined;
      }
    }
    this.resourceCache ??= resourceFromAttributes(exportedResourceAttributes(this.gate, {
      serviceName: this.serviceName,
      serviceVersion: this.serviceVersion,
      installId: this.installId,
      sdkVersion: this.init.sdkVersion,
      agentVersion: this.init.agentVersion,
      hardware: this.hardware,
      ci: this.init.decision.ci !== undefined,
    }, this.init.decision.config.resourceAttributes) as Parameters<typeof resourceFromAttributes>[0]);
    this.gate.saveCleanMemo();
    return this.resourceCache;
  }

  /** Delta temporality asked for (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE): counters and histograms report intervals. */
  private get delta(): boolean {
    return this.init.decision.config.temporality !== 'cumulative';
  }

  /** protect → serialise, for the normal export and the exit path alike. */
  private encodeSpans(spans: readonly ReadableSpan[]): Encoded[] {
    return spans.length === 0 ? [] : encodeSpans(this.gate.spans(spans, this.resource()));
  }

  /** protect → serialise (with the hand-kept histograms), for the normal export and the exit path alike. */
  private encodeMetrics(rm: ResourceMetrics): Encoded[] {
    return encodeMetrics(this.gate.metrics(this.withHistograms(rm), this.resource()));
  }

  private async exportSpans(spans: ReadableSpan[]): Promise<void> {
    await Promise.all(this.encodeSpans(spans).map((e) => this.delivery.deliver('traces', e)));
  }

  /** Adds the hand-kept histograms to what the SDK collected. */
  private withHistograms(rm: ResourceMetrics): ResourceMetrics {
    const extra = [...this.histograms.metricData(this.startTime, millisToHrTime(Date.now()), this.delta), ...this.signals.timed.take()];
    if (extra.length === 0) return rm;
    const scope = { name: 'telemetry-agent', version: this.init.agentVersion };
    const [first, ...rest] = rm.scopeMetrics;
    return { resource: rm.resource, scopeMetrics: first ? [{ scope: first.scope, metrics: [...first.metrics, ...extra] }, ...rest] : [{ scope, metrics: extra }] };
  }

  private async exportMetrics(rm: ResourceMetrics): Promise<void> {
    this.snapshot.markCollected();
    await Promise.all(this.encodeMetrics(rm).map((e) => this.delivery.deliver('metrics', e)));
  }
}
