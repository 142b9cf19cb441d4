// A generated app importing 1,000 small modules (half ESM, half CommonJS; bench/lib/module-app.mjs)
// next to the trivial app, in the same rounds: what the agent's module hooks add per import and
// require is (on − bare) of the big app minus (on − bare) of the trivial one. The same figure
// for OpenTelemetry's auto-instrumentation (import-in-the-middle) stands beside it.
import { join } from 'node:path';
import { generateModuleApp } from '../lib/module-app.mjs';

const MODULES = 1000;

export default {
  id: 'modules',
  defaultRounds: 9,
  figures: [
    { id: 'modules-on', figure: `${MODULES}-module app: (agent on − bare) − the trivial app's (agent on − bare)`, kind: 'diff', diffUnit: 'ms', target: 5 },
  ],
  async run(ctx, rounds) {
    const big = generateModuleApp(ctx.ws.project, MODULES);
    const trivial = join(ctx.apps, 'trivial.mjs');
    const variants = ['bare', 'on', ...(ctx.otel ? ['otel'] : [])];
    const entries = variants.flatMap((v) => [{ key: `${v}:modules`, variant: v, app: big }, { key: `${v}:trivial`, variant: v, app: trivial }]);
    const runs = await ctx.interleave('modules', entries, rounds);
    const med = (k, key = 'wallMs') => ctx.stat(runs[k], key).median;
    /** (v − bare) of the big app minus (v − bare) of the trivial app, from medians and per round. */
    const extra = (v, key = 'wallMs') => ({
      value: (med(`${v}:modules`, key) - med('bare:modules', key)) - (med(`${v}:trivial`, key) - med('bare:trivial', key)),
      paired: ctx.summary(runs[`${v}:modules`].map((r) => {
        const at = (k) => runs[k].find((x) => x.round === r.round)?.[key] ?? NaN;
        return (r[key] - at('bare:modules')) - (at(`${v}:trivial`) - at('bare:trivial'));
      })).median,
    });
    const on = extra('on');
    ctx.set('modules-on', { variants: { bare: med('bare:modules'), on: med('on:modules') }, unit: 'ms', ...on });
    const section = { rounds, modules: MODULES, wall: Object.fromEntries(entries.map((e) => [e.key, med(e.key)])), runs };
    if (ctx.otel) {
      const otel = extra('otel');
      section.otel = otel;
      ctx.info({ figure: `${MODULES}-module app: (OTel auto-instr. − bare) − the trivial app's (OTel − bare)`, value: otel.value, diffUnit: 'ms', detail: `per-round ${ctx.fmt(otel.paired)} ms; OTel ${ctx.fmt(med('otel:modules'), 0)} ms vs bare ${ctx.fmt(med('bare:modules'), 0)} ms` });
    }
    ctx.info({ figure: `${MODULES}-module app: per module, agent on`, value: (on.value * 1000) / MODULES, diffUnit: 'µs' });
    // CPU time until the app's first line (every module loaded; µs resolution) moves much less than
    // wall time when other work runs on the machine: the same difference of differences.
    for (const v of variants.slice(1)) {
      const cpu = extra(v, 'firstLineCpuMs');
      ctx.info({ figure: `${MODULES}-module app: CPU time until the first line, (${v} − bare) − the trivial app's (${v} − bare)`, value: cpu.value, diffUnit: 'ms', detail: `per-round ${ctx.fmt(cpu.paired)} ms` });
    }
    section.lines = [`${MODULES}-module app (${rounds} rounds, with the trivial app in the same rounds): median wall ` +
      entries.map((e) => `${e.key} ${ctx.fmt(med(e.key))} ms`).join(', ')];
    return section;
  },
};
