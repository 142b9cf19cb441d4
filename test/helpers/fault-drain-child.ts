// Child process for the concurrent-drain test: drains the queue in QUEUE_DIR to ENDPOINT with the
// real Delivery/DiskQueue code once it reads a line on stdin (so several children start together
// however slowly each was spawned), and prints how many payloads it sent. Bundled with esbuild by
// test/helpers/fault-bundle.ts.
import { Delivery } from '../../src/deliver/delivery.js';
import { DiskQueue } from '../../src/deliver/disk-queue.js';
import { readExportConfig } from '../../src/decide/export-config.js';

const env = process.env;
const config = readExportConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: env.ENDPOINT }, []);
const queue = new DiskQueue(env.QUEUE_DIR!, { maxBytes: 1e9, maxFiles: 1e6 }, () => {});
let sent = 0;
const countingQueue = new Proxy(queue, {
  get(target, prop, receiver) {
    if (prop !== 'claimOldest') return Reflect.get(target, prop, receiver);
    return () => {
      const item = target.claimOldest();
      if (!item) return item;
      return { ...item, done: () => { sent++; item.done(); }, release: () => item.release() };
    };
  },
});
const delivery = new Delivery({ config, send: true, queue: countingQueue, inspect: undefined, debug: () => {} });
console.log('ready');
await new Promise((r) => process.stdin.once('data', r));
process.stdin.destroy();
await delivery.drainQueue({ ref: true });
console.log(JSON.stringify({ pid: process.pid, sent }));
