// `telemetry-agent <command>`: each command is declared once below (its options for
// node:util parseArgs, its usage and its help), so `--help` works on every command and the
// overview is built from the same table.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { formatStatus, statusReport } from './status.js';
import { PROJECT_ENABLE_REFUSED, disable, enable, reset, showId } from './consent-commands.js';
import { runCollect } from '../receiver/index.js';
import { COLLECT_USAGE } from '../receiver/collect-args.js';
import { REPORT_USAGE, runReport } from '../report/index.js';
import { AGENT_PRODUCT, isProductName } from '../decide/paths.js';
import { AGENT_VERSION } from '../version.js';
import { runDocs } from './docs-command.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

interface Command {
  readonly name: string;
  /** One line for the overview. */
  readonly summary: string;
  /** `status [--product NAME] [--json]` */
  readonly usage: string;
  /** Everything `<command> --help` says below the usage line. */
  readonly help: string;
  readonly options?: Options;
  readonly positionals?: 'none' | 'one';
  /** Commands with their own argument parser get the raw arguments (their own help included). */
  readonly raw?: (args: string[]) => Promise<number>;
  readonly run?: (values: Values, positionals: string[]) => number | Promise<number>;
}

const PRODUCT_HELP = `  --product NAME   which product: telemetry-agent (default; the preload) or the name of a tool that
                   embeds the agent. Each product has its own consent, install ID and queue.`;
const product = { product: { type: 'string' } } as const satisfies Options;

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');
const fail = (msg: string): number => {
  process.stderr.write(`telemetry-agent: ${msg}\n`);
  return 2;
};

function productOf(values: Values): string {
  const p = values.product;
  if (p === undefined) return AGENT_PRODUCT;
  if (typeof p !== 'string' || !isProductName(p)) throw new UsageError(`--product ${JSON.stringify(p)} is not a product name (lower-case letters, digits, ".", "_", "-")`);
  return p;
}

class UsageError extends Error {}

const COMMANDS: readonly Command[] = [
  {
    name: 'status',
    summary: 'whether telemetry is on for each product, which rule decided it, the endpoint, the IDs, and what is collected',
    usage: 'status [--product NAME] [--json]',
    help: `Prints, for every product seen on this machine (or the one given), whether an app started
from here would send telemetry, which consent rule decided it, the endpoint (never its
credentials), the install ID, and the full list of what is collected.

${PRODUCT_HELP}
  --json           the same as JSON`,
    options: { ...product, json: { type: 'boolean' } },
    run: (v) => {
      const r = statusReport(v.product === undefined ? undefined : productOf(v));
      out(v.json ? JSON.stringify(r, null, 2) : formatStatus(r));
      return 0;
    },
  },
  {
    name: 'enable',
    summary: 'send telemetry for a product (yours only; never for a project)',
    usage: 'enable [--product NAME]',
    help: `Saves your consent for one product in your config dir. It never enables another product.
When something else still says no (DO_NOT_TRACK, an opt-out variable, a project file), the
choice is saved and you are told why telemetry stays off.

${PRODUCT_HELP}
  --project        refused: a project may only opt out (see \`disable --project\`)`,
    options: { ...product, project: { type: 'boolean' } },
    run: (v) => {
      if (v.project) return fail(PROJECT_ENABLE_REFUSED);
      enable(productOf(v), out);
      return 0;
    },
  },
  {
    name: 'disable',
    summary: 'do not send telemetry for a product, and delete what it queued',
    usage: 'disable [--product NAME] [--project]',
    help: `Saves "no" for one product and deletes the payloads it queued on disk (and says how many).

${PRODUCT_HELP}
  --project        commit "no" for everyone working in this project: writes .telemetry-agent.json
                   next to the nearest package.json (for every product, or only --product NAME)`,
    options: { ...product, project: { type: 'boolean' } },
    run: (v) => {
      disable(productOf(v), v.project === true, v.product !== undefined, out);
      return 0;
    },
  },
  {
    name: 'reset',
    summary: 'forget a product\'s install ID and consent, delete its queued data',
    usage: 'reset [--product NAME]',
    help: `Removes the product's install ID (a new one is made the next time telemetry is sent), its
salt, its saved consent and notice marker, and deletes its queued payloads.

${PRODUCT_HELP}`,
    options: product,
    run: (v) => {
      reset(productOf(v), out);
      return 0;
    },
  },
  {
    name: 'id',
    summary: 'print a product\'s install ID (quote it in a deletion request)',
    usage: 'id [--product NAME]',
    help: `Prints the product's anonymous install ID, the one value that links its data to this
machine: quote it when asking the maintainers to delete your data. Creates nothing: before
anything was sent there is no ID, and nothing to delete.

${PRODUCT_HELP}`,
    options: product,
    run: (v) => showId(productOf(v), out),
  },
  {
    name: 'docs',
    summary: 'print the telemetry page (Markdown) of a tool from its telemetry description',
    usage: 'docs DESCRIPTION.json [-o FILE]',
    help: `Checks a tool's telemetry description (the object its start() takes, as JSON) and prints its
telemetry page: why, every declared event and attribute, what the agent adds, an example payload
made by the agent's own serialiser, every way to opt out, how to inspect, the install ID, how to
ask for deletion, where the data goes and how long it is kept. Exit 2 with one line per problem
when the description is invalid.

  -o, --output FILE  write the page there instead of printing it`,
    options: { output: { type: 'string', short: 'o' } },
    positionals: 'one',
    run: (v, [file]) => runDocs(file!, typeof v.output === 'string' ? v.output : undefined, out, (m) => { process.stderr.write(`telemetry-agent docs: ${m}\n`); }),
  },
  {
    name: 'collect',
    summary: 'run a local OTLP/HTTP receiver on 127.0.0.1 that writes OTLP JSON lines',
    usage: 'collect [--port 4318] [--out DIR]',
    help: COLLECT_USAGE,
    raw: (args) => runCollect(args),
  },
  {
    name: 'report',
    summary: 'write a self-contained HTML report of the runs collected in DIR',
    usage: 'report DIR [-o FILE] [--watch]',
    help: REPORT_USAGE,
    raw: (args) => runReport(args),
  },
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length)) + 2;
  return `usage: telemetry-agent <command> [options]      (telemetry-agent <command> --help for details)

commands:
${COMMANDS.map((c) => `  ${c.usage.padEnd(width)}${c.summary}`).join('\n')}

  --help, -h      this text        --version, -v   the version

Preload: node --import telemetry-agent app.mjs   (or --require for CommonJS)
Opt out: DO_NOT_TRACK=1   Inspect payloads: TELEMETRY_AGENT_INSPECT=1
`;
}

function commandHelp(c: Command): string {
  // Commands with their own parser carry a full usage text already.
  return c.raw ? c.help : `usage: telemetry-agent ${c.usage}\n\n${c.help}\n  --help, -h       this text\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    out(topic ? commandHelp(topic) : overview());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    out(AGENT_VERSION);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) return fail(`unknown command ${JSON.stringify(name)}; run \`telemetry-agent --help\``);
  if (rest.includes('--help') || rest.includes('-h')) {
    out(commandHelp(command));
    return 0;
  }
  try {
    if (command.raw) return await command.raw(rest);
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: command.positionals !== undefined && command.positionals !== 'none', strict: true });
    } catch (e) {
      return fail(`${name}: ${(e as Error).message.split('\n')[0]}; run \`telemetry-agent ${name} --help\``);
    }
    const { values, positionals } = parsed;
    if (command.positionals === 'one' && positionals.length !== 1) return fail(`${name}: expected one argument; run \`telemetry-agent ${name} --help\``);
    return await command.run!(values as Values, positionals);
  } catch (e) {
    if (e instanceof UsageError) return fail(`${name}: ${e.message}`);
    return fail(`${name} failed: ${(e as Error).message ?? e}`);
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, () => { process.exitCode = 1; });
