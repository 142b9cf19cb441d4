// docs/performance.md is written by `npm run bench` between markers: the writer keeps the prose,
// replaces the figures and adds a history line; the page has a row for every figure the bench's
// sections declare. (Timings themselves are judged only by the bench, never here.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/run-node.js';
// @ts-expect-error plain .mjs modules of the benchmark, without declarations
import { MARKERS, updatePerformanceDoc } from '../../bench/lib/performance-doc.mjs';
// @ts-expect-error
import { SECTIONS } from '../../bench/sections/index.mjs';

interface Figure { id: string; figure: string; kind: 'ratio' | 'diff'; diffUnit?: string; target: number }
const sections = SECTIONS as { id: string; figures: Figure[] }[];
const update = updatePerformanceDoc as (text: string, results: unknown, failures?: unknown[]) => string;
const markers = MARKERS as Record<'results' | 'history', [string, string]>;

function fakeResults(date: string, onWall: number) {
  const figures = sections.flatMap((s) => s.figures.map((f) => ({ ...f, section: s.id, value: f.id === 'on-wall' ? onWall : f.target / 2, paired: f.target / 2, variants: { bare: 40 }, unit: 'ms' })));
  for (const f of figures) Object.assign(f, { pass: f.value <= f.target });
  return {
    machine: { date, cores: 2, cpu: 'cpu', memoryGB: 24, platform: 'linux', node: 'v24', agentVersion: '0.1.0', commit: 'abc1234', loadAverageAtStart: [3, 2, 1], loadAverageAtEnd: [3, 2, 1], otherCpuBusyBeforeRounds: { median: 0.6, max: 0.9 } },
    sections: Object.fromEntries(sections.map((s) => [s.id, { rounds: 3 }])),
    figures,
    info: [{ figure: 'something for reference', value: 1.5, diffUnit: 'ms' }],
    durationS: 100,
  };
}

const page = (results: string, history: string) =>
  `# Performance\n\nProse before.\n\n${markers.results[0]}\n${results}\n${markers.results[1]}\n\nMiddle prose.\n\n${markers.history[0]}\n${history}\n${markers.history[1]}\n\nProse after.\n`;

describe('updatePerformanceDoc', () => {
  it('replaces the figures, adds a history line on top of the earlier ones, keeps the prose', () => {
    const first = update(page('(no run yet)', ''), fakeResults('2026-12-02T08:00:00.000Z', 1.2));
    const second = update(first, fakeResults('2026-12-02T09:00:00.000Z', 1.5));
    for (const prose of ['Prose before.', 'Middle prose.', 'Prose after.']) expect(second).toContain(prose);
    expect(second).not.toContain('(no run yet)');
    const history = second.slice(second.indexOf(markers.history[0]), second.indexOf(markers.history[1])).split('\n').filter((l) => /^\| 2026/.test(l));
    expect(history).toHaveLength(2);
    expect(history[0]).toMatch(/^\| 2026-12-02 09:00 .*on-wall 1\.500×.*\| on-wall \|$/);
    expect(history[1]).toMatch(/^\| 2026-12-02 08:00 .*on-wall 1\.200×.*\| none \|$/);
    // The latest table: one row per declared figure, the missed one marked.
    for (const f of sections.flatMap((s) => s.figures)) expect(second).toContain(`| ${f.figure}`);
    expect(second).toMatch(/trivial app wall: agent on \/ bare .*\| 1\.500× .*\*\*miss\*\* \|/);
    expect(second).toContain('**Taken while other work was running**');
  });

  it('refuses a page without its markers instead of losing the prose', () => {
    expect(() => update('# Performance\n', fakeResults('2026-12-02T08:00:00.000Z', 1.2))).toThrow(/markers/);
  });
});

describe('docs/performance.md', () => {
  const doc = readFileSync(join(REPO, 'docs', 'performance.md'), 'utf8');

  it('has the blocks the bench writes', () => {
    for (const [start, end] of Object.values(markers)) {
      expect(doc.indexOf(start)).toBeGreaterThan(-1);
      expect(doc.indexOf(end)).toBeGreaterThan(doc.indexOf(start));
    }
  });

  it('shows a figure for every row of the bench, with its target', () => {
    const block = doc.slice(doc.indexOf(markers.results[0]), doc.indexOf(markers.results[1]));
    const missing = sections.flatMap((s) => s.figures).filter((f) => !block.includes(`| ${f.figure}`));
    expect(missing.map((f) => f.id), 'run `npm run bench` to write them').toEqual([]);
  });
});
