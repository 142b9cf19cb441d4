// Random IDs come from the system CSPRNG without node:crypto on Linux and macOS (/dev/urandom), and
// never from Math.random.
import { describe, expect, it } from 'vitest';
import { cryptoIdGenerator, randomHex, randomUuid } from '../../src/collect/random-id.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, runNode } from '../helpers/run-node.js';

describe('random IDs', () => {
  it('UUIDs of version 4, hex of the asked length, span and trace IDs never all zero, all distinct', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const u = randomUuid();
      expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      seen.add(u);
    }
    expect(seen.size).toBe(2000);
    expect(randomHex(64)).toMatch(/^[0-9a-f]{64}$/);
    expect(randomHex(7)).toMatch(/^[0-9a-f]{7}$/);
    expect(randomHex(10_000)).toHaveLength(10_000);
    expect(cryptoIdGenerator.generateTraceId()).toMatch(/^(?!0+$)[0-9a-f]{32}$/);
    expect(cryptoIdGenerator.generateSpanId()).toMatch(/^(?!0+$)[0-9a-f]{16}$/);
  });

  it('do not consume Math.random and, where /dev/urandom exists, do not load node:crypto', async () => {
    // dist/short-run.cjs draws the process's service.instance.id as it loads. A script file: `node -e` loads node:crypto itself.
    const file = join(mkdtempSync(join(tmpdir(), 'ta-random-')), 'check.cjs');
    writeFileSync(file, `
      let calls = 0; const orig = Math.random; Math.random = () => { calls++; return orig(); };
      require(${JSON.stringify(join(REPO, 'dist', 'short-run.cjs'))});
      const loaded = process.moduleLoadList.some((m) => m === 'NativeModule crypto' || m === 'NativeModule internal/crypto/random');
      console.log(JSON.stringify({ calls, loaded }));
    `);
    const r = await runNode([file]);
    const out = JSON.parse(r.stdout.trim());
    expect(out.calls).toBe(0);
    if (process.platform !== 'win32') expect(out.loaded).toBe(false);
  });
});
