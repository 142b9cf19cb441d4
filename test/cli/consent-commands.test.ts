// The consent commands through the real CLI: per product, a project can only deny, enable
// says when it cannot take effect, id creates nothing, disable counts what it deleted.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, cleanEnv, runNode, tempHome, tempProject } from '../helpers/run-node.js';

const CLI = join(REPO, 'dist', 'cli.mjs');
const cfg = (home: string, product = 'telemetry-agent') => join(home, '.config', 'telemetry-agent', 'products', product);
const queue = (home: string, product = 'telemetry-agent') => join(home, '.cache', 'telemetry-agent', 'products', product, 'queue');
const cli = (home: string, args: string[], extra: Record<string, string> = {}, cwd?: string) => runNode([CLI, ...args], { env: cleanEnv(home, extra), cwd });

function plantQueue(dir: string, n: number): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (let i = 0; i < n; i++) writeFileSync(join(dir, `${Date.now() + i}-1-${'ab'.repeat(4)}${i}.traces.json`), '{}');
  writeFileSync(join(dir, `x.${process.pid}.deadbeef.tmp`), ''); // a temp file is not a payload
}

describe('consent commands, per product', () => {
  it('enable for one product never enables another; status shows each product', async () => {
    const home = tempHome();
    const en = await cli(home, ['enable', '--product', 'acme']);
    expect(en.code).toBe(0);
    expect(en.stdout).toMatch(/telemetry enabled for acme; saved in .*products\/acme\/consent\.json/);
    const s = await cli(home, ['status', '--json']);
    const products = JSON.parse(s.stdout).products as { product: string; enabled: boolean; rule: number }[];
    expect(products.map((p) => p.product)).toEqual(['telemetry-agent', 'acme']);
    expect(products[0]).toMatchObject({ enabled: false, rule: 5 });
    expect(products[1]).toMatchObject({ enabled: true, rule: 4 });
    // ...and the other way round.
    const home2 = tempHome();
    await cli(home2, ['enable']);
    const s2 = JSON.parse((await cli(home2, ['status', '--json', '--product', 'acme'])).stdout);
    expect(s2.products).toMatchObject([{ product: 'acme', enabled: false, rule: 5 }]);
  });

  it('enable --project is refused with the reason, exit 2, and writes nothing', async () => {
    const home = tempHome();
    const project = tempProject();
    writeFileSync(join(project, 'package.json'), '{"name":"p","private":true}\n');
    const r = await cli(home, ['enable', '--project'], {}, project);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/a project cannot turn telemetry on .* may only opt out/);
    expect(existsSync(join(project, '.telemetry-agent.json'))).toBe(false);
  });

  it('a committed "enabled": true never turns telemetry on, even after disable', async () => {
    const home = tempHome();
    const project = tempProject();
    writeFileSync(join(project, 'package.json'), '{"name":"p","private":true}\n');
    writeFileSync(join(project, '.telemetry-agent.json'), '{"enabled": true, "dataVersion": 99}\n');
    expect((await cli(home, ['disable'], {}, project)).code).toBe(0);
    const s = await cli(home, ['status'], {}, project);
    expect(s.stdout).toMatch(/telemetry: off: disabled in the user consent file/);
    expect(s.stdout).toMatch(/"enabled": true, which is ignored: a project can only opt out/);
    const fresh = await cli(tempHome(), ['status'], {}, project);
    expect(fresh.stdout).toMatch(/telemetry: off: nobody decided yet/);
  });

  it('disable --project (all products, or one) denies; enable then says it stays off and why', async () => {
    const home = tempHome();
    const project = tempProject();
    writeFileSync(join(project, 'package.json'), '{"name":"p","private":true}\n');
    const d = await cli(home, ['disable', '--project', '--product', 'acme'], {}, project);
    expect(d.code).toBe(0);
    expect(JSON.parse(readFileSync(join(project, '.telemetry-agent.json'), 'utf8'))).toMatchObject({ products: { acme: { enabled: false } } });
    const en = await cli(home, ['enable', '--product', 'acme'], {}, project);
    expect(en.code).toBe(0);
    expect(en.stdout).toMatch(/saved your choice to enable telemetry for acme in .*, but telemetry stays off: disabled in the project consent file/);
    // The project said no only for acme: the agent's own product is not affected.
    expect((await cli(home, ['enable'], {}, project)).stdout).toMatch(/^telemetry enabled; saved in/);
    const dnt = await cli(home, ['enable'], { DO_NOT_TRACK: '1' }, project);
    expect(dnt.stdout).toMatch(/but telemetry stays off: DO_NOT_TRACK=1 is set/);
  });

  it('id creates nothing; disable says how many payloads it deleted, of that product only', async () => {
    const home = tempHome();
    const id = await cli(home, ['id', '--product', 'acme']);
    expect(id.stdout).toMatch(/^no install ID for acme/);
    expect(existsSync(join(home, '.config'))).toBe(false);
    plantQueue(queue(home, 'acme'), 3);
    plantQueue(queue(home, 'other'), 2);
    const d = await cli(home, ['disable', '--product', 'acme']);
    expect(d.stdout).toContain('deleted 3 queued payloads for acme');
    expect(existsSync(queue(home, 'acme'))).toBe(false);
    expect(readdirSync(queue(home, 'other')).filter((n) => n.endsWith('.json'))).toHaveLength(2);
  });

  it('a symlinked queue directory: the link goes, its target is left alone, and nothing is claimed as deleted', async () => {
    const home = tempHome();
    const target = join(tempHome(), 'elsewhere');
    plantQueue(target, 2);
    mkdirSync(join(queue(home), '..'), { recursive: true });
    symlinkSync(target, queue(home));
    const d = await cli(home, ['disable']);
    expect(d.stdout).toContain('deleted 0 queued payloads');
    expect(d.stdout).toMatch(/was a symbolic link.*left alone/);
    expect(existsSync(queue(home))).toBe(false);
    expect(readdirSync(target).filter((n) => n.endsWith('.json'))).toHaveLength(2);
  });

  it('reset forgets the install ID without making a new one; the first release\'s queue is deleted with the agent\'s own', async () => {
    const home = tempHome();
    mkdirSync(cfg(home), { recursive: true });
    writeFileSync(join(cfg(home), 'install-id'), '11111111-2222-4333-8444-555555555555\n');
    plantQueue(join(home, '.cache', 'telemetry-agent', 'queue'), 2);
    plantQueue(queue(home), 1);
    expect((await cli(home, ['id'])).stdout).toMatch(/^11111111-2222-4333-8444-555555555555\n/);
    const r = await cli(home, ['reset']);
    expect(r.stdout).toContain('deleted 3 queued payloads');
    expect(existsSync(join(cfg(home), 'install-id'))).toBe(false);
    expect((await cli(home, ['id'])).stdout).toMatch(/^no install ID/);
  });

  it('the first release\'s global consent and install ID move to the telemetry-agent product without asking again', async () => {
    const home = tempHome();
    const root = join(home, '.config', 'telemetry-agent');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'consent.json'), JSON.stringify({ enabled: true, dataVersion: 1 }));
    writeFileSync(join(root, 'install-id'), '11111111-2222-4333-8444-555555555555\n');
    const s = JSON.parse((await cli(home, ['status', '--json'])).stdout);
    expect(s.products[0]).toMatchObject({ product: 'telemetry-agent', enabled: true, rule: 4, installId: '11111111-2222-4333-8444-555555555555' });
    expect(existsSync(join(root, 'consent.json'))).toBe(false);
    expect(JSON.parse(readFileSync(join(cfg(home), 'consent.json'), 'utf8'))).toMatchObject({ enabled: true });
    // A tool gets nothing of it.
    const acme = JSON.parse((await cli(home, ['status', '--json', '--product', 'acme'])).stdout);
    expect(acme.products[0]).toMatchObject({ enabled: false, installId: null });
  });

  it('every command answers --help; --version prints the version; bad options exit 2 with one line', async () => {
    const home = tempHome();
    const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;
    expect((await cli(home, ['--version'])).stdout.trim()).toBe(version);
    for (const c of ['status', 'enable', 'disable', 'reset', 'id', 'collect', 'report']) {
      const h = await cli(home, [c, '--help']);
      expect(h.code, c).toBe(0);
      expect(h.stdout.toLowerCase(), c).toContain(`usage: telemetry-agent ${c}`);
    }
    const overview = await cli(home, ['--help']);
    for (const c of ['status', 'enable', 'disable', 'reset', 'id', 'collect', 'report']) expect(overview.stdout).toContain(`  ${c}`);
    const bad = await cli(home, ['status', '--product', 'Not A Name']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(home, '.config'))).toBe(false);
  });
});
