// progress().update in a tight loop of cheap steps (bench/apps/progress-update.mjs: ns per call
// of run.update(step, { loss }) beside the same loop without it, median of 7 batches of 2 M
// calls). The hot path keeps two numbers; the recording happens at export.
import { join } from 'node:path';

export default {
  id: 'progress',
  defaultRounds: 5,
  figures: [
    { id: 'progress-ns', figure: 'progress().update: ns per call, agent on (loop with − loop without)', kind: 'diff', diffUnit: 'ns', target: 100 },
  ],
  async run(ctx, rounds) {
    const app = join(ctx.apps, 'progress-update.mjs');
    const variants = ['off', 'on'];
    const runs = await ctx.interleave('progress', variants.map((v) => ({ key: v, variant: v, app })), rounds);
    const s = Object.fromEntries(variants.map((v) => [v, { update: ctx.stat(runs[v], 'updateNs'), loop: ctx.stat(runs[v], 'loopNs'), runs: runs[v].length }]));
    const m = (v, k) => s[v][k].median;
    ctx.set('progress-ns', { variants: { off: m('off', 'update'), on: m('on', 'update') }, unit: 'ns', value: m('on', 'update') });
    ctx.info({ figure: 'progress().update: ns per call, telemetry off (a no-op)', value: m('off', 'update'), diffUnit: 'ns' });
    const f = ctx.fmt;
    return {
      rounds, variants: s, runs,
      lines: [`progress().update (${rounds} runs each): ` + Object.entries(s).map(([v, x]) => `${v} ${f(x.update.median, 1)} ns/call [${f(x.update.p25, 1)}–${f(x.update.p75, 1)}] over a ${f(x.loop.median, 1)} ns loop`).join('; ')],
    };
  },
};
