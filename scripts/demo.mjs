// `npm start`: the main job on a laptop, with no infrastructure. Starts the local OTLP receiver,
// runs the examples under `node --import telemetry-agent` with consent granted for those
// commands only, and writes an HTML report of the runs.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const out = join(root, 'demo-output');
const data = join(out, 'telemetry-data');
const cli = join(root, 'dist', 'cli.mjs');
const started = Date.now();

const EXAMPLES = [
  { file: 'examples/train-tfjs.mjs', what: 'TensorFlow.js training, 10 epochs with validation (loss curves in the report)' },
  { file: 'examples/infer-onnx.mjs', what: 'ONNX Runtime inference, 300 calls' },
  { file: 'examples/pipeline-transformers.mjs', what: 'Transformers.js pipeline on a local tiny model' },
  { file: 'examples/chat-llama.mjs', what: 'node-llama-cpp chat, completion and embedding on a tiny local GGUF model' },
  { file: 'examples/generate-transformers.mjs', what: 'Transformers.js chat, completion and summarization on tiny local models' },
  { file: 'examples/custom-loop.mjs', what: 'a hand-written loop with the progress() API' },
  { file: 'examples/crash.mjs', what: 'a run that crashes on purpose (secrets in the message are redacted)', expectCode: 1 },
];

const step = (msg) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${msg}`);

function run(args, env, { quiet = false } = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.on('data', (d) => { if (!quiet) process.stdout.write(String(d).replace(/^(?=.)/gm, '        ')); });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolvePromise({ code, stderr }));
  });
}

if (!existsSync(cli)) {
  console.error('demo: dist/ is missing; run `npm install` (it builds) or `npm run build` first.');
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(data, { recursive: true });

// The demo's own config and cache dirs: it never touches your saved consent, install ID or queue.
const demoEnv = {
  ...process.env,
  XDG_CONFIG_HOME: join(out, 'config'),
  XDG_CACHE_HOME: join(out, 'cache'),
  CI: undefined,
};
delete demoEnv.CI;
delete demoEnv.NODE_OPTIONS;

step('starting the local OTLP receiver (telemetry-agent collect)');
const receiver = spawn(process.execPath, [cli, 'collect', '--port', '0', '--out', data], { cwd: root, env: demoEnv, stdio: ['ignore', 'pipe', 'inherit'] });
const endpoint = await new Promise((resolvePromise, reject) => {
  let buf = '';
  receiver.stdout.on('data', (d) => {
    buf += d;
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
    if (m) resolvePromise(m[1]);
  });
  receiver.on('exit', (code) => reject(new Error(`the receiver stopped (exit ${code})`)));
  setTimeout(() => reject(new Error('the receiver did not start within 10 s')), 10_000).unref();
});
step(`receiver listening on ${endpoint}, writing to ${relative(root, data)}/`);

let failures = 0;
for (const [i, ex] of EXAMPLES.entries()) {
  step(`(${i + 1}/${EXAMPLES.length + 1}) ${ex.what}: node --import telemetry-agent ${ex.file}`);
  const env = { ...demoEnv, TELEMETRY_AGENT_ENABLED: '1', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: ex.file.replace(/^examples\/|\.mjs$/g, ''), OTEL_METRIC_EXPORT_INTERVAL: '1000' };
  const r = await run(['--import', 'telemetry-agent', ex.file], env);
  const expected = ex.expectCode ?? 0;
  if (r.code !== expected) {
    failures++;
    console.error(`        exit code ${r.code}, expected ${expected}\n${r.stderr}`);
  } else if (expected !== 0) {
    console.log(`        crashed as intended (exit ${r.code}); Node's error output is unchanged by the agent`);
  }
}

// A tool that embeds the agent (examples/speedy): no preload, its own product and consent. Its
// enable variable grants it for this run only; its usage events show in the report.
step(`(${EXAMPLES.length + 1}/${EXAMPLES.length + 1}) a tool that embeds the agent, with its own consent: SPEEDY_TELEMETRY=1 node examples/speedy/speedy.mjs optimize`);
{
  const r = await run(['examples/speedy/speedy.mjs', 'optimize', '--runs', '50'], { ...demoEnv, SPEEDY_TELEMETRY: '1', SPEEDY_TELEMETRY_ENDPOINT: endpoint, OTEL_METRIC_EXPORT_INTERVAL: '1000' });
  if (r.code !== 0) {
    failures++;
    console.error(`        exit code ${r.code}, expected 0\n${r.stderr}`);
  }
}

// The crash report is delivered by a short-lived sender after the crashed process has exited.
const until = Date.now() + 5_000;
while (Date.now() < until && !(existsSync(join(data, 'traces.jsonl')) && readFileSync(join(data, 'traces.jsonl'), 'utf8').includes('uncaught_exception'))) {
  await new Promise((r) => setTimeout(r, 100));
}
receiver.kill('SIGINT');
await new Promise((r) => receiver.on('exit', r));

const report = join(out, 'report.html');
step('writing the report (telemetry-agent report)');
const rep = await run([cli, 'report', data, '-o', report], demoEnv);
if (rep.code !== 0) {
  console.error(rep.stderr);
  process.exit(1);
}
step('done');
console.log(`
  Report:        ${report}
  Open it in a browser (it is one self-contained file), e.g.  xdg-open ${relative(process.cwd(), report) || report}
  Raw telemetry: ${data}/  (OTLP JSON lines, replayable into an OpenTelemetry Collector)
  Next:          TELEMETRY_AGENT_INSPECT=1 node --import telemetry-agent examples/train-tfjs.mjs   # see exactly what is sent
`);
process.exit(failures === 0 ? 0 : 1);
