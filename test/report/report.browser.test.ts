// Opens the generated report in headless Chromium: charts must render, nothing may be
// requested from the network, the console must stay clean. Saves test-results/report-screenshot.png (docs/ keeps a reviewed copy).

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReport } from '../../src/report/index.js';
import { sampleJsonl } from '../fixtures/otlp/sample-telemetry.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SCREENSHOT = join(dirname(fileURLToPath(import.meta.url)), '../../test-results/report-screenshot.png');

describe('report in a browser', () => {
  let dir: string;
  let reportPath: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!hasChromium) return;
    dir = await mkdtemp(join(tmpdir(), 'report-browser-'));
    const { traces, metrics } = await sampleJsonl();
    await writeFile(join(dir, 'traces.jsonl'), traces);
    await writeFile(join(dir, 'metrics.jsonl'), metrics);
    reportPath = join(dir, 'report.html');
    const sink = new PassThrough().resume();
    expect(await runReport([dir, '-o', reportPath], { stdout: sink, stderr: sink })).toBe(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!hasChromium)('renders every chart with data marks, offline, without console errors', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('request', (r) => requests.push(r.url()));

    await page.goto(pathToFileURL(reportPath).href, { waitUntil: 'load' });

    expect(problems).toEqual([]);
    // Only the file itself is loaded: no fonts, scripts, images or styles from anywhere.
    expect(requests).toEqual([pathToFileURL(reportPath).href]);

    const training = page.locator('#run-1');
    await expect(training.locator('h2').textContent()).resolves.toContain('mnist-trainer');
    const counts = await training.evaluate((el) => ({
      charts: el.querySelectorAll('svg.chart').length,
      bars: el.querySelectorAll('svg.chart rect.bar').length,
      lines: el.querySelectorAll('svg.chart path.series-line').length,
      marks: el.querySelectorAll('svg.chart .mark').length,
      crashMarkers: el.querySelectorAll('svg.chart .error-marker').length,
      errorRows: el.querySelectorAll('.errors tbody tr').length,
    }));
    // Timeline, progress, loss, four memory charts, latency distribution.
    expect(counts.charts).toBe(8);
    expect(counts.bars).toBeGreaterThanOrEqual(5 + 4);
    expect(counts.lines).toBeGreaterThanOrEqual(6);
    expect(counts.marks).toBeGreaterThan(50);
    expect(counts.crashMarkers).toBe(1);
    expect(counts.errorRows).toBeGreaterThanOrEqual(2);

    // The charts have real size on screen, inside the page width.
    const boxes = await training.locator('svg.chart').evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { width: r.width, height: r.height, right: r.right };
      }),
    );
    for (const box of boxes) {
      expect(box.width).toBeGreaterThan(200);
      expect(box.height).toBeGreaterThan(60);
      expect(box.right).toBeLessThanOrEqual(1280);
    }
    // Escaped text shows as text.
    await expect(training.locator('.errors').textContent()).resolves.toContain('but got <1,784> & gave up');

    // The run without training says so instead of drawing empty axes.
    await expect(page.locator('#run-2').textContent()).resolves.toContain('No training in this run.');

    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });
});
