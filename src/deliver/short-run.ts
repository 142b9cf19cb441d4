// The exit of a run that ended before the pipeline was needed (short-run-policy.ts): the one
// metrics request the pipeline would have sent — the resource and the process memory gauges —
// built by hand, passed through the same protect gate, and handed to the same delivery (retries
// within the exit bound, the disk queue and the detached exit sender for what misses it). None of
// the OpenTelemetry SDK is loaded.
//
// It applies only in the steady state; otherwise the caller builds the full pipeline at exit, as
// before: on a product's first run (the install ID is created and counted by the pipeline), before
// the hardware probe has cached its result (the pipeline starts the probe), and while earlier
// runs' payloads or drop counts wait in the queue (the pipeline drains and reports them).
import type { Decision, StartOptions } from '../decide/decision.js';
import { agentPaths } from '../decide/paths.js';
import { debugWriter, warnWriter } from '../decide/agent-log.js';
import { hardwareKey, readHardwareCache } from '../collect/hardware.js';
import { savedIds } from '../collect/install-id.js';
import { RUNTIME_GAUGES } from '../collect/runtime-metrics.js';
import { processGate, type RedactorFactoryLoader } from '../protect/process-gate.js';
import { CLEAN_MEMO_FILE } from '../protect/clean-memo.js';
import { join } from 'node:path';
import type { ExitExporter } from '../state.js';
import { Delivery } from './delivery.js';
import { DiskQueue } from './disk-queue.js';
import { destinationsOf } from './destination.js';
import { spawnExitSender } from './detached-processes.js';
import type { Encoded } from './encoded.js';
import { exitCutLine, waitWithin } from './exit-bound.js';
import { encodeGauges } from './otlp-json-gauges.js';
import { exportedResourceAttributes } from './exported-resource.js';
import { createHttpTransport } from './transport.js';

export interface ShortRunInit {
  readonly decision: Decision;
  readonly options: StartOptions;
  readonly agentVersion: string;
  readonly sdkVersion: string;
  /** Where sender.cjs is (the exit sender); none in tests that run the sources. */
  readonly distDir: string | undefined;
  /** The redaction engine, loaded only if a value is not in the clean memo. */
  readonly loadRedactor: RedactorFactoryLoader;
}

/** The exit path without the pipeline, or undefined when this run needs the pipeline's. */
export function createShortRunExit(init: ShortRunInit): ExitExporter | undefined {
  const { decision } = init;
  const { config } = decision;
  const debug = debugWriter(config.debug);
  const own = decision.paths;
  const pipelineNeeded = (why: string) => {
    debug(`short run: the exit builds the pipeline (${why})`);
    return undefined;
  };
  const ids = savedIds(own.configDir);
  if (!ids) return pipelineNeeded('first run of this product: no install ID yet');
  const { cacheDir } = agentPaths();
  const hardware = readHardwareCache(cacheDir, hardwareKey());
  if (!hardware) return pipelineNeeded('no hardware probe result cached yet');
  const store = new DiskQueue({ dir: own.queueDir, product: decision.product, maxBytes: config.queueMaxBytes, maxFiles: config.queueMaxFiles, debug });
  if (!store.isEmpty()) return pipelineNeeded('earlier payloads or drop counts wait in the queue');
  debug('short run: exporting at exit without the pipeline');

  const gate = processGate(ids.salt, join(cacheDir, CLEAN_MEMO_FILE), init.loadRedactor);
  const delivery = new Delivery({
    transport: createHttpTransport(config),
    targets: config,
    send: decision.send,
    store,
    destinations: destinationsOf(ids.salt, decision.product, config),
    warn: warnWriter(config.logLevel),
    inspect: undefined,
    debug,
  });
  const payload = (): Encoded => {
    const resource = exportedResourceAttributes(gate, {
      serviceName: config.serviceName,
      serviceVersion: init.options.serviceVersion,
      installId: ids.installId,
      sdkVersion: init.sdkVersion,
      agentVersion: init.agentVersion,
      hardware,
      ci: decision.ci !== undefined,
    }, config.resourceAttributes);
    return encodeGauges(resource, { name: 'telemetry-agent', version: init.agentVersion }, RUNTIME_GAUGES.map((g) => ({ spec: g.spec, value: g.read() })), Date.now());
  };

  let flushing: Promise<void> | undefined;
  let built: Encoded | undefined;
  let finished = false;
  return {
    flushForExit() {
      if (flushing) return flushing;
      const timeout = config.flushTimeoutMs;
      const abort = delivery.beginExit(Date.now() + timeout);
      built = payload();
      const body = built;
      flushing = (async () => {
        let boundReached = false;
        try {
          boundReached = await waitWithin(delivery.deliver('metrics', body), timeout, { onBound: () => abort.abort() });
        } catch (e) {
          debug(`exit export failed: ${e}`);
        }
        if (boundReached || delivery.wasCutAtExit()) debug(exitCutLine(timeout));
        gate.saveCleanMemo();
      })();
      return flushing;
    },
    queueRemainingSync() {
      if (finished) return;
      finished = true;
      try {
        delivery.queueInFlightSync();
        // The app ended without an empty event loop (process.exit(), a signal): nothing was sent yet.
        if (!built) {
          delivery.queueSync('metrics', payload());
          gate.saveCleanMemo();
        }
        if (decision.send && config.exitSender && init.distDir !== undefined && delivery.hasStored()) spawnExitSender(init.distDir, init.options, debug);
      } catch (e) {
        debug(`cannot queue at exit: ${e}`);
      }
    },
  };
}
