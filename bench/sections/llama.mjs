// node-llama-cpp generation: tokens per second of the tiny GGUF model, agent on vs bare.
import { join } from 'node:path';

export default {
  id: 'llama',
  defaultRounds: 9,
  figures: [
    { id: 'llama-us-per-token', figure: 'node-llama-cpp 40×100-token completions: µs/token agent on / bare', kind: 'ratio', target: 1.005 },
  ],
  async run(ctx, rounds) {
    const app = join(ctx.apps, 'llama-generate.mjs');
    const variants = ['bare', 'on'];
    const runs = await ctx.interleave('llama', variants.map((v) => ({ key: v, variant: v, app })), rounds);
    const { stat, paired, ratio } = ctx;
    const s = Object.fromEntries(variants.map((v) => [v, { us: stat(runs[v], 'usPerToken'), tps: stat(runs[v], 'tokensPerSecond'), wall: stat(runs[v], 'wallMs'), runs: runs[v].length }]));
    const m = (v, k) => s[v][k].median;
    ctx.set('llama-us-per-token', { variants: { bare: m('bare', 'us'), on: m('on', 'us') }, unit: 'µs', value: m('on', 'us') / m('bare', 'us'), paired: paired(runs, 'on', 'bare', 'usPerToken', ratio) });
    ctx.info({ figure: 'node-llama-cpp tokens/s, bare', value: m('bare', 'tps'), plain: true });
    ctx.info({ figure: 'node-llama-cpp tokens/s, agent on', value: m('on', 'tps'), plain: true });
    const f = ctx.fmt;
    return {
      rounds, variants: s, runs,
      lines: [`node-llama-cpp completions (${rounds} runs each): ` + Object.entries(s).map(([v, x]) =>
        `${v} ${f(x.tps.median, 0)} tokens/s, ${f(x.us.median, 2)} µs/token [${f(x.us.p25, 2)}–${f(x.us.p75, 2)}], wall ${f(x.wall.median, 0)} ms`).join('; ')],
    };
  },
};
