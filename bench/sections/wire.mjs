// Bytes on the wire per hour of training at the default export interval (60 s), as OTLP/HTTP JSON
// and gzip-compressed JSON (and protobuf, for reference), and what dominates them.
//
// An hour cannot be run here, so it is built from measured pieces: the tfjs training app runs with
// the agent on and a 1 s metric interval (several periodic exports in one run), and the receiver
// keeps every request. Per hour = 60 metric exports (the median metrics request: every export
// carries every series, cumulative) + the training's spans: one `ml.train.epoch` per epoch, each
// in its own traces request when epochs are further apart than the span buffer's 5 s delay, with
// the resource repeated in each request (the envelope) + HTTP request headers of every request.
// The figure is given for one epoch per minute; each further epoch per hour adds one traces request.
import { gzipSync, gunzipSync } from 'node:zlib';
import { join } from 'node:path';

const EPOCHS_PER_HOUR = 60;
const INTERVALS_PER_HOUR = 60; // OTEL_METRIC_EXPORT_INTERVAL default: 60 000 ms

export default {
  id: 'wire',
  defaultRounds: 1,
  figures: [],
  async run(ctx) {
    const app = join(ctx.apps, 'tfjs-train.mjs');
    const env = { OTEL_METRIC_EXPORT_INTERVAL: '1000', BENCH_TFJS_EPOCHS: '48' };
    const capture = async (extraEnv) => {
      const stop = ctx.receiver.capture();
      await ctx.measure('on', app, { extraEnv: { ...env, ...extraEnv } });
      return stop();
    };
    const json = await capture({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    const proto = await capture({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });

    const body = (r) => (/gzip/i.test(r.contentEncoding) ? gunzipSync(r.body) : r.body);
    const med = (xs) => ctx.summary(xs).median;
    const of = (reqs, path) => reqs.filter((r) => r.path === path);
    const metricsJson = of(json, '/v1/metrics');
    const tracesJson = of(json, '/v1/traces');
    if (metricsJson.length === 0 || tracesJson.length === 0) throw new Error(`wire: expected metrics and traces requests, got ${json.map((r) => r.path).join(', ') || 'none'}`);

    // Traces: spans per request, and the envelope (the request without its spans).
    let spans = 0;
    let epochSpans = 0;
    const envelopes = [];
    for (const r of tracesJson) {
      const doc = JSON.parse(body(r).toString('utf8'));
      for (const rs of doc.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) {
        spans += ss.spans?.length ?? 0;
        epochSpans += (ss.spans ?? []).filter((s) => s.name === 'ml.train.epoch').length;
        ss.spans = [];
      }
      envelopes.push(Buffer.byteLength(JSON.stringify(doc)));
    }
    const tracesBytes = tracesJson.reduce((n, r) => n + body(r).length, 0);
    const envelope = med(envelopes);
    const perSpan = (tracesBytes - envelopes.reduce((a, b) => a + b, 0)) / Math.max(1, spans);
    const headers = med(json.map((r) => r.headerBytes));

    const metricsBody = med(metricsJson.map((r) => body(r).length));
    const metricsGzip = med(metricsJson.map((r) => gzipSync(body(r)).length));
    const traceRequestJson = envelope + perSpan; // one epoch span per request
    const traceGzipRatio = tracesJson.reduce((n, r) => n + gzipSync(body(r)).length, 0) / tracesBytes;

    const hour = {
      metricsJson: INTERVALS_PER_HOUR * metricsBody,
      metricsGzip: INTERVALS_PER_HOUR * metricsGzip,
      tracesJson: EPOCHS_PER_HOUR * traceRequestJson,
      tracesGzip: EPOCHS_PER_HOUR * traceRequestJson * traceGzipRatio,
      headers: (INTERVALS_PER_HOUR + EPOCHS_PER_HOUR) * headers,
    };
    const totalJson = hour.metricsJson + hour.tracesJson + hour.headers;
    const totalGzip = hour.metricsGzip + hour.tracesGzip + hour.headers;
    const metricsProto = med(of(proto, '/v1/metrics').map((r) => body(r).length));
    const metricsProtoGzip = med(of(proto, '/v1/metrics').map((r) => gzipSync(body(r)).length));
    const series = countSeries(JSON.parse(body(metricsJson[metricsJson.length - 1]).toString('utf8')));

    const kb = (b) => `${ctx.fmt(b / 1024, 1)} KB`;
    const parts = [['metrics', hour.metricsJson], ['spans', hour.tracesJson], ['HTTP headers', hour.headers]].sort((a, b) => b[1] - a[1]);
    const dominates = `${parts[0][0]} (${ctx.fmt((100 * parts[0][1]) / totalJson, 0)} % of the JSON bytes)`;
    ctx.info({ figure: `bytes on the wire per hour of training, default interval, ${EPOCHS_PER_HOUR} epochs/h: OTLP/HTTP JSON`, value: totalJson / 1024, diffUnit: 'KB', unsigned: true, detail: `dominated by ${dominates}` });
    ctx.info({ figure: `bytes on the wire per hour of training, default interval, ${EPOCHS_PER_HOUR} epochs/h: JSON, gzip`, value: totalGzip / 1024, diffUnit: 'KB', unsigned: true, detail: `${ctx.fmt(totalJson / totalGzip, 1)}× smaller` });
    return {
      rounds: 1,
      hour, totalJson, totalGzip, dominates,
      perRequest: { metricsJson: metricsBody, metricsGzip, metricsProto, metricsProtoGzip, traceEnvelope: envelope, perSpan, headers, series },
      lines: [
        `bytes on the wire per hour of training at the default interval (${INTERVALS_PER_HOUR} metric exports, ${EPOCHS_PER_HOUR} epochs → ${EPOCHS_PER_HOUR} traces requests):`,
        ctx.table(['part', 'JSON', 'gzip', 'how it is made up'], [
          ['metrics', kb(hour.metricsJson), kb(hour.metricsGzip), `${INTERVALS_PER_HOUR} × ${kb(metricsBody)} (${series} series, every one in every export; protobuf ${kb(metricsProto)}, gzip ${kb(metricsProtoGzip)})`],
          ['spans', kb(hour.tracesJson), kb(hour.tracesGzip), `${EPOCHS_PER_HOUR} × (${kb(envelope)} resource envelope + ${kb(perSpan)} per span)`],
          ['HTTP headers', kb(hour.headers), kb(hour.headers), `${INTERVALS_PER_HOUR + EPOCHS_PER_HOUR} requests × ${ctx.fmt(headers, 0)} B`],
          ['total', kb(totalJson), kb(totalGzip), `dominated by ${dominates}`],
        ]),
        `measured from one training run (${epochSpans} epochs, ${spans} spans in ${tracesJson.length} traces requests, ${metricsJson.length} metrics requests at a 1 s interval).`,
      ],
    };
  },
};

/** Number of data-point series (metric × attribute set) in an OTLP JSON metrics request. */
function countSeries(doc) {
  let n = 0;
  for (const rm of doc.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) {
    const data = m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary;
    n += data?.dataPoints?.length ?? 0;
  }
  return n;
}
