// Child process for the concurrent-enqueue test: writes COUNT payloads into the bounded queue in
// QUEUE_DIR with the real DiskQueue code once it reads a line on stdin (so several children write
// at the same time). Bundled with esbuild by test/helpers/fault-bundle.ts.
import { DiskQueue } from '../../src/deliver/disk-queue.js';

const env = process.env;
const q = new DiskQueue({ dir: env.QUEUE_DIR!, product: 'p', maxBytes: 1e9, maxFiles: Number(env.MAX_FILES), debug: () => {} });
console.log('ready');
await new Promise((r) => process.stdin.once('data', r));
process.stdin.destroy();
for (let i = 0; i < Number(env.COUNT); i++) {
  q.put('metrics', 'a'.repeat(32), Buffer.from(JSON.stringify({ resourceMetrics: [], id: `${env.PREFIX}${i}` })));
}
