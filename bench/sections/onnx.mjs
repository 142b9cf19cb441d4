// ONNX Runtime: 20,000 session.run calls of a tiny model, timed inside the app.
import { join } from 'node:path';

export default {
  id: 'onnx',
  defaultRounds: 9,
  figures: [
    { id: 'onnx-us', figure: 'ONNX 20k session.run: µs/call agent on / bare', kind: 'ratio', target: 1.02 },
  ],
  async run(ctx, rounds) {
    const app = join(ctx.apps, 'onnx-loop.mjs');
    const variants = ['bare', 'on'];
    const runs = await ctx.interleave('onnx', variants.map((v) => ({ key: v, variant: v, app })), rounds);
    const { stat, paired, ratio } = ctx;
    const s = Object.fromEntries(variants.map((v) => [v, { us: stat(runs[v], 'usPerCall'), usBlock: stat(runs[v], 'usPerCallMedianBlock'), wall: stat(runs[v], 'wallMs'), rss: stat(runs[v], 'maxRssMB'), runs: runs[v].length }]));
    const m = (v, k) => s[v][k].median;
    ctx.set('onnx-us', { variants: { bare: m('bare', 'us'), on: m('on', 'us') }, unit: 'µs', value: m('on', 'us') / m('bare', 'us'), paired: paired(runs, 'on', 'bare', 'usPerCall', ratio) });
    ctx.info({ figure: 'ONNX µs/call, median 1000-call block: agent on / bare', value: m('on', 'usBlock') / m('bare', 'usBlock'), ratio: true });
    ctx.info({ figure: 'ONNX app wall: agent on − bare', value: m('on', 'wall') - m('bare', 'wall'), diffUnit: 'ms' });
    const f = ctx.fmt;
    return {
      rounds, variants: s, runs,
      lines: [`ONNX loop (${rounds} runs each): ` + Object.entries(s).map(([v, x]) =>
        `${v} ${f(x.us.median, 2)} µs/call [${f(x.us.p25, 2)}–${f(x.us.p75, 2)}], wall ${f(x.wall.median, 0)} ms, RSS ${f(x.rss.median)} MB`).join('; ')],
    };
  },
};
