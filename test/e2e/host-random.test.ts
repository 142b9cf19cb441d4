// The app's Math.random sequence is the app's: with a seeded, counting Math.random the agent
// changes neither the number of calls nor the training or inference results (it draws its trace,
// span and instance IDs from node:crypto).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { TestReceiver } from '../helpers/otlp-test-receiver.js';
import { REPO, cleanEnv, runNode, tempHome } from '../helpers/run-node.js';

let rx: TestReceiver;
beforeAll(async () => { rx = await TestReceiver.start(); });
afterAll(async () => { await rx.close(); });

const APP = join(REPO, 'test/fixtures/apps/random-counting.mjs');

describe.each(['tfjs', 'onnx', 'progress'])('a seeded Math.random (%s)', (mode) => {
  it('is called as often, and gives the same results, with and without the agent', async () => {
    const bare = await runNode([APP, mode], { env: cleanEnv(tempHome()), timeoutMs: 60_000 });
    expect(bare.code).toBe(0);
    const before = rx.received.length;
    const withAgent = await runNode(['--import', 'telemetry-agent', APP, mode], {
      env: cleanEnv(tempHome(), { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, TELEMETRY_AGENT_ENABLED: '1' }),
      timeoutMs: 60_000,
    });
    expect(withAgent.code).toBe(0);
    const result = (out: string) => out.split('\n').find((l) => l.startsWith('RESULT '));
    expect(result(bare.stdout)).toMatch(/"calls":[1-9]/);
    expect(result(withAgent.stdout)).toBe(result(bare.stdout));
    // the agent did record (and so made IDs) in that run
    const got = new TestReceiver();
    got.received.push(...rx.received.slice(before));
    expect(got.spans().length).toBeGreaterThan(0);
  });
});
