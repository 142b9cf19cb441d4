// Entry of dist/sender.cjs: a short-lived detached process that sends what the app queued on
// disk at exit. It decides consent again from the same environment and gives up after 10 s.
import { decide, type StartOptions } from '../decide/decision.js';
import { Delivery } from '../deliver/delivery.js';
import { DiskQueue } from '../deliver/disk-queue.js';
import { SENDER_OPTIONS_ENV } from '../deliver/detached-processes.js';
import { debugWriter } from '../decide/agent-log.js';
import { destinationsOf } from '../deliver/destination.js';
import { createHttpTransport } from '../deliver/transport.js';
import { localSalt } from '../collect/install-id.js';

const BUDGET_MS = 10_000;

async function main(): Promise<void> {
  setTimeout(() => process.exit(0), BUDGET_MS).unref();
  let options: StartOptions = {};
  try { options = JSON.parse(process.env[SENDER_OPTIONS_ENV] ?? '{}') as StartOptions; } catch { /* defaults */ }
  const d = decide(process.env, options, undefined, { main: true, reason: 'exit sender' });
  if (!d.send) return;
  const debug = debugWriter(d.config.debug, 'telemetry-agent sender: ');
  const salt = localSalt(d.paths.configDir, debug);
  const delivery = new Delivery({
    transport: createHttpTransport(d.config),
    targets: d.config,
    send: true,
    store: new DiskQueue({ dir: d.paths.queueDir, product: d.product, maxBytes: d.config.queueMaxBytes, maxFiles: d.config.queueMaxFiles, debug }),
    destinations: destinationsOf(salt, d.product, d.config),
    inspect: undefined,
    debug,
  });
  // At the budget's end a payload still being sent goes back to the queue instead of staying claimed.
  process.on('exit', () => { try { delivery.queueInFlightSync(); } catch { /* exiting anyway */ } });
  // Drop counts stay on disk for the next main run, which reports them as a metric.
  await delivery.drainQueue({ ref: true });
}

main().catch(() => {}).finally(() => process.exit(0));
