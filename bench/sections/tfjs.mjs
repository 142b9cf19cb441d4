// TensorFlow.js training (bench/apps/tfjs-train.mjs, ~2–3 s of model.fit) and, for reference, the
// 10-epoch example of the repository.
import { join } from 'node:path';

export default {
  id: 'tfjs',
  defaultRounds: 7,
  figures: [
    { id: 'tfjs-wall', figure: 'tfjs training: wall agent on / bare', kind: 'ratio', target: 1.01 },
  ],
  async run(ctx, rounds) {
    const app = join(ctx.apps, 'tfjs-train.mjs');
    const variants = ['bare', 'on'];
    const runs = await ctx.interleave('tfjs', variants.map((v) => ({ key: v, variant: v, app })), rounds);
    const { stat, paired, ratio } = ctx;
    const s = Object.fromEntries(variants.map((v) => [v, { wall: stat(runs[v], 'wallMs'), train: stat(runs[v], 'trainMs'), trainCpu: stat(runs[v], 'trainCpuMs'), cpu: stat(runs[v], 'cpuMs'), rss: stat(runs[v], 'maxRssMB'), runs: runs[v].length }]));
    const m = (v, k) => s[v][k].median;
    const batches = runs.bare[0]?.batches;
    ctx.set('tfjs-wall', { variants: { bare: m('bare', 'wall'), on: m('on', 'wall') }, unit: 'ms', value: m('on', 'wall') / m('bare', 'wall'), paired: paired(runs, 'on', 'bare', 'wallMs', ratio), detail: `${batches ?? '?'} batches` });
    ctx.info({ figure: 'tfjs training: model.fit time agent on / bare', value: m('on', 'train') / m('bare', 'train'), ratio: true, detail: `per-round ${ctx.fmt(paired(runs, 'on', 'bare', 'trainMs', ratio), 3)}×` });
    ctx.info({ figure: 'tfjs training: CPU time of model.fit (process.cpuUsage) agent on / bare', value: m('on', 'trainCpu') / m('bare', 'trainCpu'), ratio: true, detail: `per-round ${ctx.fmt(paired(runs, 'on', 'bare', 'trainCpuMs', ratio), 3)}×; less sensitive to other work on the machine than wall time` });
    ctx.info({ figure: 'tfjs training: CPU time of the whole process (GNU time) agent on / bare', value: m('on', 'cpu') / m('bare', 'cpu'), ratio: true, detail: `${ctx.fmt(m('bare', 'cpu'), 0)} → ${ctx.fmt(m('on', 'cpu'), 0)} ms` });
    ctx.info({ figure: 'tfjs training: peak RSS agent on − bare', value: m('on', 'rss') - m('bare', 'rss'), diffUnit: 'MB' });

    // The 10-epoch example itself (examples/train-tfjs.mjs, ~80 ms of training): for reference.
    const example = join(ctx.repo, 'examples', 'train-tfjs.mjs');
    const ex = await ctx.interleave('tfjs example', variants.map((v) => ({ key: v, variant: v, app: example })), rounds);
    const wall = (v) => ctx.summary(ex[v].map((r) => r.wallMs)).median;
    ctx.info({ figure: 'examples/train-tfjs.mjs (10 epochs): wall agent on / bare', value: wall('on') / wall('bare'), ratio: true, detail: `${ctx.fmt(wall('bare'), 0)} → ${ctx.fmt(wall('on'), 0)} ms` });
    const f = ctx.fmt;
    return {
      rounds, variants: s, runs, batches, example: { bare: wall('bare'), on: wall('on') },
      lines: [`tfjs training (${rounds} runs each, ${batches ?? '?'} batches): ` + Object.entries(s).map(([v, x]) =>
        `${v} wall ${f(x.wall.median, 0)} ms [${f(x.wall.p25, 0)}–${f(x.wall.p75, 0)}], fit ${f(x.train.median, 0)} ms (CPU ${f(x.trainCpu?.median, 0)} ms), RSS ${f(x.rss.median)} MB`).join('; ')],
    };
  },
};
