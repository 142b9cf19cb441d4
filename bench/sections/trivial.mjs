// Start-up and exit of a trivial app: bare Node, agent off, agent on, OpenTelemetry's
// auto-instrumentation, and agent on with the collector down, interleaved.
import { join } from 'node:path';
import { DOWN_ENDPOINT } from '../lib/receiver.mjs';

export default {
  id: 'trivial',
  defaultRounds: 15,
  figures: [
    { id: 'on-wall', figure: 'trivial app wall: agent on / bare', kind: 'ratio', target: 1.30 },
    { id: 'off-wall', figure: 'trivial app wall: agent off / bare', kind: 'ratio', target: 1.05 },
    { id: 'on-rss', figure: 'peak RSS: agent on − bare', kind: 'diff', diffUnit: 'MB', target: 6 },
    { id: 'down-wall', figure: 'collector down: wall agent on − bare', kind: 'diff', diffUnit: 'ms', target: 25 },
    { id: 'on-otel', figure: 'trivial app wall: agent on / OTel auto-instr.', kind: 'ratio', target: 0.125 },
  ],
  async run(ctx, rounds) {
    const app = join(ctx.apps, 'trivial.mjs');
    const variants = ['bare', 'off', 'on', ...(ctx.otel ? ['otel'] : []), 'down'];
    const runs = await ctx.interleave('trivial', variants.map((v) => ({ key: v, variant: v, app })), rounds);
    const { stat, paired, ratio, diff } = ctx;
    const s = Object.fromEntries(variants.map((v) => [v, { wall: stat(runs[v], 'wallMs'), rss: stat(runs[v], 'maxRssMB'), firstLine: stat(runs[v], 'firstLineMs'), firstLineCpu: stat(runs[v], 'firstLineCpuMs'), requests: stat(runs[v], 'requests'), runs: runs[v].length }]));
    const m = (v, k) => s[v]?.[k].median ?? NaN;
    ctx.set('off-wall', { variants: { bare: m('bare', 'wall'), off: m('off', 'wall') }, unit: 'ms', value: m('off', 'wall') / m('bare', 'wall'), paired: paired(runs, 'off', 'bare', 'wallMs', ratio) });
    ctx.set('on-wall', { variants: { bare: m('bare', 'wall'), on: m('on', 'wall') }, unit: 'ms', value: m('on', 'wall') / m('bare', 'wall'), paired: paired(runs, 'on', 'bare', 'wallMs', ratio) });
    ctx.set('on-otel', { variants: { on: m('on', 'wall'), otel: m('otel', 'wall') }, unit: 'ms', value: m('on', 'wall') / m('otel', 'wall'), paired: paired(runs, 'on', 'otel', 'wallMs', ratio) });
    ctx.set('on-rss', { variants: { bare: m('bare', 'rss'), on: m('on', 'rss') }, unit: 'MB', value: m('on', 'rss') - m('bare', 'rss'), paired: paired(runs, 'on', 'bare', 'maxRssMB', diff) });
    ctx.set('down-wall', { variants: { bare: m('bare', 'wall'), down: m('down', 'wall') }, unit: 'ms', value: m('down', 'wall') - m('bare', 'wall'), paired: paired(runs, 'down', 'bare', 'wallMs', diff) });
    ctx.info({ figure: "app's first line: agent on − bare", value: m('on', 'firstLine') - m('bare', 'firstLine'), diffUnit: 'ms' });
    ctx.info({ figure: "app's first line: agent off − bare", value: m('off', 'firstLine') - m('bare', 'firstLine'), diffUnit: 'ms' });
    // CPU time until the first line moves much less than wall time when other work runs.
    ctx.info({ figure: "CPU time until the app's first line: agent off − bare", value: paired(runs, 'off', 'bare', 'firstLineCpuMs', diff), diffUnit: 'ms', detail: 'per-round median' });
    ctx.info({ figure: "CPU time until the app's first line: agent on − bare", value: paired(runs, 'on', 'bare', 'firstLineCpuMs', diff), diffUnit: 'ms', detail: 'per-round median' });
    ctx.info({ figure: 'peak RSS: agent off − bare', value: m('off', 'rss') - m('bare', 'rss'), diffUnit: 'MB' });
    ctx.info({ figure: 'peak RSS: OTel auto-instr. − bare', value: m('otel', 'rss') - m('bare', 'rss'), diffUnit: 'MB' });
    ctx.info({ figure: "app's first line: OTel auto-instr. − bare", value: m('otel', 'firstLine') - m('bare', 'firstLine'), diffUnit: 'ms' });
    ctx.info({ figure: 'trivial app wall: OTel auto-instr. / bare', value: m('otel', 'wall') / m('bare', 'wall'), ratio: true });
    ctx.info({ figure: 'OTLP requests per agent-on run (median)', value: m('on', 'requests'), plain: true });
    ctx.info({ figure: 'OTLP requests per OTel run (median)', value: m('otel', 'requests'), plain: true });
    ctx.info({ figure: 'first agent run on a machine (cold caches): wall − bare', value: ctx.cold.wallMs - m('bare', 'wall'), diffUnit: 'ms' });
    ctx.info({ figure: 'collector down: detached exit sender alive after the app exited (median)', value: ctx.summary(runs.down.map((r) => r.stragglerMs)).median, diffUnit: 'ms' });
    const section = { rounds, variants: s, runs };

    if (ctx.otel) {
      // Stock OpenTelemetry without its default resource detectors (no cloud metadata probes): 5 runs.
      const nd = [];
      for (let i = 0; i < 5; i++) nd.push(await ctx.measure('otel', app, { extraEnv: { OTEL_NODE_RESOURCE_DETECTORS: 'none' } }));
      const w = ctx.summary(nd.map((r) => r.wallMs)).median;
      section.otelNoDetectors = { wallMs: w };
      ctx.info({ figure: 'trivial app wall: agent on / OTel auto-instr. with OTEL_NODE_RESOURCE_DETECTORS=none (5 runs)', value: m('on', 'wall') / w, ratio: true, detail: `OTel ${w.toFixed(0)} ms` });
      // Stock OpenTelemetry with the collector down: once, for comparison (it takes ~9 s).
      const r = await ctx.measure('otel', app, { extraEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: DOWN_ENDPOINT }, timeoutMs: 60_000 });
      section.otelDown = { wallMs: r.wallMs };
      ctx.info({ figure: 'collector down: wall OTel auto-instr. − bare (1 run)', value: r.wallMs - m('bare', 'wall'), diffUnit: 'ms' });
    }

    const f = ctx.fmt;
    section.lines = [
      `trivial app, per variant (${rounds} runs each; median [p25–p75]):`,
      ctx.table(['variant', 'wall ms', 'peak RSS MB', 'first line ms', 'OTLP requests'], Object.entries(s).map(([v, x]) => [
        v,
        `${f(x.wall.median)} [${f(x.wall.p25)}–${f(x.wall.p75)}]`,
        `${f(x.rss.median)} [${f(x.rss.p25)}–${f(x.rss.p75)}]`,
        `${f(x.firstLine.median, 2)} [${f(x.firstLine.p25, 2)}–${f(x.firstLine.p75, 2)}]`,
        f(x.requests.median, 0),
      ])),
      'variants: bare = node app.mjs; off = --import telemetry-agent, nobody consented; on = TELEMETRY_AGENT_ENABLED=1, local receiver;',
      'otel = --import @opentelemetry/auto-instrumentations-node/register, OTLP to the same receiver; down = agent on, endpoint 127.0.0.1:9 (refused).',
    ];
    return section;
  },
};
