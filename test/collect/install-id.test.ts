import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installId, localSalt } from '../../src/collect/install-id.js';
import { buildSync } from 'esbuild';
import { runNode, REPO } from '../helpers/run-node.js';

const dir = () => mkdtempSync(join(tmpdir(), 'ta-id-'));

describe('install id', () => {
  it('is created once (mode 0600) and then read back', () => {
    const d = dir();
    const a = installId(d);
    expect(a.value).toMatch(/^[0-9a-f-]{36}$/);
    expect(statSync(a.file!).mode & 0o777).toBe(0o600);
    expect(installId(d).value).toBe(a.value);
  });

  it('a corrupt file is replaced, never a crash', () => {
    const d = dir();
    writeFileSync(join(d, 'install-id'), 'garbage\0\n');
    const a = installId(d);
    expect(a.value).toMatch(/^[0-9a-f-]{36}$/);
    expect(readFileSync(join(d, 'install-id'), 'utf8').trim()).toBe(a.value);
  });

  it('an unwritable config dir gives a one-run id and a debug line', () => {
    const blocker = join(dir(), 'file');
    writeFileSync(blocker, 'x');
    const lines: string[] = [];
    const a = installId(join(blocker, 'config'), (m) => lines.push(m)); // ENOTDIR: works as root too
    expect(a.file).toBeUndefined();
    expect(a.value).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toHaveLength(1);
  });

  it('concurrent first runs in separate processes agree on one id', async () => {
    const d = join(dir(), 'cfg');
    mkdirSync(d);
    // The module under test, bundled for plain Node, raced by six processes.
    const bundle = join(dir(), 'id.mjs');
    buildSync({ entryPoints: [join(REPO, 'src/collect/install-id.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle });
    const script = `import { installId } from ${JSON.stringify(bundle)}; console.log(installId(${JSON.stringify(d)}).value);`;
    const runs = await Promise.all(Array.from({ length: 6 }, () => runNode(['--input-type=module', '-e', script])));
    const ids = new Set(runs.map((r) => r.stdout.trim()));
    expect(runs.every((r) => r.code === 0)).toBe(true);
    expect(ids.size).toBe(1);
  });

  it('the salt is separate from the id and stable', () => {
    const d = dir();
    const s = localSalt(d);
    expect(s).toMatch(/^[0-9a-f]{64}$/);
    expect(localSalt(d)).toBe(s);
  });
});
