// The report of real training runs, in headless Chromium: real TensorFlow.js training under
// `node --import telemetry-agent`, received by `telemetry-agent collect`, reported by
// `telemetry-agent report` (and `report --watch`). Curves, not single dots; one training run for
// repeated fit calls; the watched page reloads itself as data arrives. Nothing from the network.

import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReport } from '../../src/report/index.js';
import { REPO, cleanEnv, runNode, tempHome } from '../helpers/run-node.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const CLI = join(REPO, 'dist', 'cli.mjs');
const APP = join(REPO, 'test/fixtures/apps/tfjs-training.mjs');
const SCREENSHOT = join(dirname(fileURLToPath(import.meta.url)), '../../test-results/training-report-screenshot.png');

/** `telemetry-agent collect` on a free port, writing into `out`. */
async function startCollect(out: string): Promise<{ endpoint: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [CLI, 'collect', '--port', '0', '--out', out], { cwd: REPO, env: cleanEnv(tempHome()), stdio: ['ignore', 'pipe', 'pipe'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`collect exited ${code}`)));
  });
  return { endpoint, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
}

async function trainInto(endpoint: string, mode: string): Promise<void> {
  const r = await runNode(['--import', 'telemetry-agent', APP, mode], {
    env: cleanEnv(tempHome(), { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, TELEMETRY_AGENT_ENABLED: '1', OTEL_SERVICE_NAME: `train-${mode}` }),
    timeoutMs: 60_000,
  });
  expect(r.code).toBe(0);
}

async function openPage(browser: Browser, file: string): Promise<{ page: Page; problems: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, problems, requests };
}

/** The run section of a service (runs are listed newest first). */
const section = (page: Page, service: string) => page.locator('section.run', { has: page.locator('h2', { hasText: service }) });

describe('report of real training runs in a browser', () => {
  let data: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!hasChromium) return;
    data = await mkdtemp(join(tmpdir(), 'report-training-'));
    const { endpoint, child } = await startCollect(data);
    try {
      await trainInto(endpoint, 'fit-validation');
      await trainInto(endpoint, 'repeated');
    } finally {
      await stop(child);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (data) await rm(data, { recursive: true, force: true });
  });

  it.skipIf(!hasChromium)('draws training and validation loss and accuracy as curves, throughput, and one run for repeated fits', async () => {
    const report = join(data, 'report.html');
    const sink = new PassThrough().resume();
    expect(await runReport([data, '-o', report], { stdout: sink, stderr: sink })).toBe(0);
    const { page, problems, requests } = await openPage(browser!, report);
    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(report).href]);

    const fit = section(page, 'train-fit-validation');
    const chart = (title: string) => fit.locator('svg.chart', { has: page.locator(`xpath=.//*[@aria-label="${title}"]`) }).or(fit.locator(`svg.chart[aria-label="${title}"]`));
    const marksPerSeries = async (title: string) => chart(title).evaluate((svg) =>
      [...svg.querySelectorAll('path.series-line')].map((p) => (p.getAttribute('d') ?? '').split(/[ML]/).filter((s: string) => s.trim()).length));
    // 6 epochs → 6 points per curve, training and validation
    expect(await marksPerSeries('Loss over time')).toEqual([6, 6]);
    expect(await marksPerSeries('acc over time')).toEqual([6, 6]);
    await expect(fit.locator('.legend').first().textContent()).resolves.toBeTruthy();
    const legends = await fit.locator('.legend').allTextContents();
    expect(legends.join(' ')).toContain('training loss');
    expect(legends.join(' ')).toContain('validation loss');
    expect(await marksPerSeries('Throughput per epoch')).toEqual([6, 6]);
    const runsRow = await fit.locator('table.training-runs tbody tr').allTextContents();
    expect(runsRow).toHaveLength(1);
    expect(runsRow[0]).toMatch(/sequential_\d+/);

    const repeated = section(page, 'train-repeated');
    const rows = await repeated.locator('table.training-runs tbody tr td').allTextContents();
    expect(rows.slice(1, 3)).toEqual(['5', '5']); // one run: 5 fit calls, 5 epochs
    expect(await repeated.locator('svg.chart[aria-label="Loss over time"] path.series-line').evaluate((p) => (p.getAttribute('d') ?? '').split(/[ML]/).filter((s: string) => s.trim()).length)).toBe(5);

    await mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await fit.screenshot({ path: SCREENSHOT });
    await page.close();
  });

  it.skipIf(!hasChromium)('report --watch rewrites the page as data arrives; the open page reloads itself; Ctrl-C writes it once more and exits 0', async () => {
    const live = await mkdtemp(join(tmpdir(), 'report-watch-'));
    const out = join(live, 'live.html');
    const watcher = spawn(process.execPath, [CLI, 'report', live, '--watch', '-o', out], { cwd: REPO, env: cleanEnv(tempHome()), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    watcher.stdout!.on('data', (d) => (stdout += d));
    try {
      const until = async (check: () => boolean, what: string) => {
        for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
        if (!check()) throw new Error(`timed out waiting for ${what}; stdout: ${stdout}`);
      };
      await until(() => existsSync(out), 'the first page');
      expect(readFileSync(out, 'utf8')).toMatch(/<meta http-equiv="refresh" content="\d+">/);
      const { page, problems } = await openPage(browser!, out);
      await expect(page.locator('section.run').count()).resolves.toBe(0);
      // data arrives (as collect would write it)
      for (const f of readdirSync(data).filter((n) => n.endsWith('.jsonl'))) copyFileSync(join(data, f), join(live, f));
      await until(() => stdout.includes('updated') && /\(2 runs/.test(stdout), 'the rewrite');
      await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('section.run').length === 2, undefined, { timeout: 20_000 });
      expect(problems).toEqual([]);
      await page.close();
      const exited = new Promise<number | null>((r) => watcher.once('exit', (code) => r(code)));
      watcher.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(readFileSync(out, 'utf8')).not.toContain('http-equiv="refresh"');
      expect(stdout).toContain('stopped watching');
    } finally {
      if (watcher.exitCode === null) watcher.kill('SIGKILL');
      await rm(live, { recursive: true, force: true });
    }
  });
});
