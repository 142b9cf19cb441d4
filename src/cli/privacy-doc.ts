import { DATA_VERSION, DEFAULT_PUBLIC_MODEL_ORGS, FORBIDDEN_RESOURCE_KEYS, METRICS, RESOURCE_ATTRIBUTES, SIGNAL_ATTRIBUTES, SPANS } from '../catalog.js';
import { TOKENS } from '../protect/redact.js';

const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/**
 * docs/privacy.md, generated from the same catalog the code filters with, so the document
 * cannot drift from what is sent (test/docs checks it; UPDATE_DOCS=1 rewrites it).
 */
export function renderPrivacyDoc(): string {
  return `# Privacy: what telemetry-agent collects, and what it never sends

<!-- Generated from src/catalog.ts by src/cli/privacy-doc.ts. Do not edit by hand: run \`UPDATE_DOCS=1 npx vitest run test/docs\`. -->

Data list version: **${DATA_VERSION}**. When a release collects something new this number goes up,
consent saved for an older version stops counting, and the notice tells you what changed.

## Nothing is sent unless you agree
- Default: **opt-in**. Nothing is sent until \`npx telemetry-agent enable\` or \`TELEMETRY_AGENT_ENABLED=1\`.
  A tool that embeds the agent may choose opt-out; then \`DO_NOT_TRACK=1\` or \`npx telemetry-agent disable\` stops it.
- \`DO_NOT_TRACK\`, \`TELEMETRY_AGENT_DISABLED\` (and a tool's own opt-out variable) win over everything but \`OTEL_SDK_DISABLED=true\`, which turns the agent off before anything loads.
- In CI nothing is sent unless \`TELEMETRY_AGENT_ENABLED=1\` is set explicitly.
- A project can commit \`.telemetry-agent.json\` (\`npx telemetry-agent disable --project\`) to turn it off for everyone working on it.
- Only the main process sends: never worker threads, cluster workers, non-zero ranks of a distributed launch, or child processes.
- Revoking consent deletes anything queued on disk and not yet sent.

## See it, and ask for deletion
- \`TELEMETRY_AGENT_INSPECT=1\` prints every payload exactly as it is sent (after redaction), also when nothing may be sent.
- \`npx telemetry-agent status\` prints whether it is on, which rule decided it, the endpoint, the IDs and this list.
- \`npx telemetry-agent id\` prints your install ID: quote it in a deletion request. \`npx telemetry-agent reset\` replaces it.

## Resource attributes (nothing else is ever attached)
${table(['key', 'what'], RESOURCE_ATTRIBUTES.map((a) => [`\`${a.key}\``, a.description]))}

## Never collected
${FORBIDDEN_RESOURCE_KEYS.map((k) => `\`${k}\``).join(', ')}; IP and MAC addresses, user names, host names, the working
directory, command lines, environment variable values, file paths (other than \`node_modules/<package>/…\` frames and
paths relative to your app), model file paths.

## Spans
${table(['name', 'what'], SPANS.map((s) => [`\`${s.name}\``, s.description]))}

## Metrics
${table(['name', 'type', 'unit', 'what'], METRICS.map((m) => [`\`${m.name}\``, m.kind, `\`${m.unit}\``, m.description]))}

## Span and metric attributes (other keys are dropped, not redacted)
${table(['key', 'what'], SIGNAL_ATTRIBUTES.map((a) => [`\`${a.key}\``, a.description]))}

## Redaction
Every string that leaves the process (exception messages and stack traces, attribute values, usage events,
resource values) passes one redaction step first. It replaces:

${table(['what', 'becomes'], [
    ['your home directory and any absolute path (POSIX, Windows, UNC, `file://`)', '`node_modules/<pkg>/<file>` for dependencies, a path relative to the app for your own files when that contains no user name, otherwise the file name'],
    ['your user name and host name (as words)', `\`${TOKENS.user}\`, \`${TOKENS.host}\``],
    ['e-mail addresses', `\`${TOKENS.email}\``],
    ['IPv4 and IPv6 addresses', `\`${TOKENS.ip}\``],
    ['MAC addresses', `\`${TOKENS.mac}\``],
    ['URLs with credentials or query strings', `scheme and host only, or \`${TOKENS.url}\` when the host is an IP`],
    ['bearer tokens, API-key shapes (`sk-…`, `ghp_…`, `AKIA…`, `xox…`, `hf_…`, …), JWTs, `password=…`-style pairs, long hex or base64 runs', `\`${TOKENS.secret}\``],
  ])}

Values are length-capped. Model names are sent as-is only when they belong to a public organisation
(${DEFAULT_PUBLIC_MODEL_ORGS.map((o) => `\`${o}/…\``).join(', ')}, plus any an embedding tool adds);
anything else, including every file path, becomes \`sha256:\` and 16 hex digits of a hash salted with a value
that never leaves your machine.

## Where the agent keeps files
Everything you consent to or can delete is kept per **product**: \`telemetry-agent\` (the preload, for your own runs) and
each tool that embeds the agent. Enabling one never enables another, and no two share an install ID.
- config dir (\`$XDG_CONFIG_HOME/telemetry-agent/products/<product>/\` or the OS equivalent): \`consent.json\`, \`install-id\`, \`salt\`, \`notice.json\` (and, for a tool, \`product.json\`: its opt-out and enable variable names, so \`status --product\` can explain them).
- cache dir (\`$XDG_CACHE_HOME/telemetry-agent/\`): \`hardware.json\` (the hardware probe, so it does not run every start, shared) and \`products/<product>/queue/\` (that product's payloads not yet delivered, bounded in size).
- Files a first-release install kept directly in the config dir move to \`products/telemetry-agent/\` on first use, so nobody is asked again and the install ID stays the same.
`;
}
