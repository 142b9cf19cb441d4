// `telemetry-agent <command>`: status, enable, disable, reset, id, collect, report.
import { formatStatus, statusReport } from './status.js';
import { disable, enable, reset, showId } from './consent-commands.js';
import { runCollect } from '../receiver/index.js';
import { runReport } from '../report/index.js';

const HELP = `usage: telemetry-agent <command> [options]

commands:
  status [--json]         whether telemetry is on, which rule decided it, the endpoint, the IDs,
                          and everything that is collected
  enable [--project]      send telemetry (--project: for everyone in this project, saved next to package.json)
  disable [--project]     do not send telemetry, and delete anything queued
  reset                   new install ID, forget saved consent, delete queued data
  id                      print the install ID (quote it in a deletion request)
  collect [--port 4318] [--out DIR]
                          run a local OTLP/HTTP receiver on 127.0.0.1 that writes OTLP JSON lines
  report DIR [-o FILE]    write a self-contained HTML report of the runs collected in DIR

Preload: node --import telemetry-agent app.mjs   (or --require for CommonJS)
Opt out: DO_NOT_TRACK=1   Inspect payloads: TELEMETRY_AGENT_INSPECT=1
`;

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');
const fail = (msg: string): number => {
  process.stderr.write(`telemetry-agent: ${msg}\n`);
  return 2;
};

function flags(args: string[], allowed: string[]): string | undefined {
  const bad = args.find((a) => !allowed.includes(a));
  return bad === undefined ? undefined : `unknown option ${JSON.stringify(bad)}; run \`telemetry-agent --help\``;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        out(HELP);
        return 0;
      case 'status': {
        const bad = flags(rest, ['--json']);
        if (bad) return fail(bad);
        const r = statusReport();
        out(rest.includes('--json') ? JSON.stringify(r, null, 2) : formatStatus(r));
        return 0;
      }
      case 'enable':
      case 'disable': {
        const bad = flags(rest, ['--project']);
        if (bad) return fail(bad);
        (command === 'enable' ? enable : disable)(rest.includes('--project'), out);
        return 0;
      }
      case 'reset':
      case 'id': {
        const bad = flags(rest, []);
        if (bad) return fail(bad);
        (command === 'reset' ? reset : showId)(out);
        return 0;
      }
      case 'collect':
        return await runCollect(rest);
      case 'report':
        return await runReport(rest);
      default:
        return fail(`unknown command ${JSON.stringify(command)}; run \`telemetry-agent --help\``);
    }
  } catch (e) {
    return fail(`${command} failed: ${(e as Error).message ?? e}`);
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, () => { process.exitCode = 1; });
