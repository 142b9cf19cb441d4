// Child process for the concurrent-drain test: drains the queue in QUEUE_DIR to ENDPOINT with the
// real Delivery/DiskQueue code once it reads a line on stdin (so several children start together
// however slowly each was spawned), and prints how many payloads it sent. Entries are bound to the
// destination fingerprint DESTINATION. Bundled with esbuild by test/helpers/fault-bundle.ts.
import { Delivery } from '../../src/deliver/delivery.js';
import { DiskQueue } from '../../src/deliver/disk-queue.js';
import type { OfflineStore } from '../../src/deliver/offline-store.js';
import { createHttpTransport } from '../../src/deliver/transport.js';
import { readExportConfig } from '../../src/decide/export-config.js';

const env = process.env;
const config = readExportConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: env.ENDPOINT }, []);
const queue = new DiskQueue({ dir: env.QUEUE_DIR!, product: 'p', maxBytes: 1e9, maxFiles: 1e6, debug: () => {} });
let sent = 0;
const counting: OfflineStore = {
  put: (...a) => queue.put(...a),
  hasPending: (d) => queue.hasPending(d),
  takeDropped: () => queue.takeDropped(),
  addDropped: (n) => queue.addDropped(n),
  claimOldest: (d) => {
    const item = queue.claimOldest(d);
    if (!item) return item;
    return { ...item, done: () => { sent++; item.done(); }, release: () => item.release() };
  },
};
const destination = env.DESTINATION!;
const delivery = new Delivery({
  transport: createHttpTransport(config), targets: config, send: true, store: counting,
  destinations: new Map([['traces', destination], ['metrics', destination]]), inspect: undefined, debug: () => {},
});
console.log('ready');
await new Promise((r) => process.stdin.once('data', r));
process.stdin.destroy();
await delivery.drainQueue({ ref: true });
console.log(JSON.stringify({ pid: process.pid, sent }));
