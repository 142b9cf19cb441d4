import { fstatSync, readFileSync } from 'node:fs';
import { DATA_CHANGES, DATA_VERSION } from '../data-version.js';
import { writeFileAtomic } from './atomic-file.js';
import { consentCommandLine, productEnableVars, productOptOutVars } from './consent.js';
import type { Decision, StartOptions } from './decision.js';
import { AGENT_PRODUCT } from './paths.js';
import { maskUrl } from './mask-secrets.js';

/**
 * stderr is a terminal. A terminal is a character device, so fstat rules most cases out cheaply;
 * only then is node:tty (which loads net and streams) asked. process.stderr is never built here.
 */
export function stderrIsTerminal(): boolean {
  try {
    if (!fstatSync(2).isCharacterDevice()) return false;
    return (process.getBuiltinModule('node:tty') as typeof import('node:tty')).isatty(2);
  } catch {
    return false;
  }
}

/** Whether the one-time notice is due: undecided consent, a terminal, not CI, main process, not shown for this data version. */
export function noticeDue(d: Decision, isTTY: () => boolean = stderrIsTerminal): boolean {
  if (!d.consent.undecided || !isTTY() || d.ci || !d.role.main || alreadyShown(d)) return false;
  return true;
}

function alreadyShown(d: Decision): boolean {
  try {
    const seen = JSON.parse(readFileSync(d.paths.noticeFile, 'utf8')) as { dataVersion?: number };
    return seen.dataVersion === DATA_VERSION;
  } catch {
    return false;
  }
}

/** Only what a notice needs to name: the tool, its variables, its commands and its page. */
export type NoticeOptions = Pick<StartOptions, 'product' | 'serviceName' | 'optOutEnv' | 'enableEnv' | 'consentCommand' | 'docsUrl'>;

export function noticeText(d: Decision, options: NoticeOptions = {}): string {
  const o = { ...options, product: d.product };
  const own = d.product === AGENT_PRODUCT;
  const name = own ? 'telemetry-agent' : (options.serviceName ?? d.product);
  const sending = d.consent.granted;
  const what = own
    ? 'anonymous telemetry (hardware, memory, ML training progress and inference timings, redacted errors)'
    : 'anonymous usage telemetry (the usage events it declares, hardware, redacted errors)';
  const lines = [
    `${name}: this program can send ${what} to ${maskUrl(d.config.endpoint)}.`,
    sending ? '  It is sent unless you turn it off.' : '  Nothing is sent until you turn it on.',
  ];
  if (d.consent.staleConsent) {
    const newer = DATA_CHANGES.filter((c) => c.version > d.consent.staleConsent!.dataVersion).map((c) => c.summary);
    if (d.consent.staleConsent.declaredChanged) newer.push(`${name} now declares different usage events${options.docsUrl ? ` (see ${options.docsUrl})` : ''}`);
    lines.push(`  What is collected changed since you enabled it: ${newer.join('; ')}. Run \`${consentCommandLine(o, 'enable')}\` again to keep sending.`);
  }
  const enable = productEnableVars(o);
  const optOut = productOptOutVars(o).filter((v) => v !== 'TELEMETRY_AGENT_DISABLED');
  lines.push(
    `  on: \`${consentCommandLine(o, 'enable')}\`${enable.length > 0 ? ` or ${enable[0]}=1` : ''}   off: \`${consentCommandLine(o, 'disable')}\` or ${optOut.map((v) => `${v}=1`).join(' or ')}`,
    `  see what would be sent: TELEMETRY_AGENT_INSPECT=1   details: ${options.docsUrl ?? `\`${consentCommandLine(o, 'status')}\``}`,
  );
  return lines.join('\n') + '\n';
}

/** Prints the notice once per product and remembers it. Never blocks beyond one small write; never throws. */
export function showNoticeOnce(d: Decision, options: NoticeOptions = {}, write: (s: string) => void = (s) => process.stderr.write(s)): void {
  try {
    write(noticeText(d, options));
    writeFileAtomic(d.paths.noticeFile, JSON.stringify({ dataVersion: DATA_VERSION, shownAt: new Date().toISOString() }) + '\n');
  } catch {
    // A read-only home only means the notice shows again next time.
  }
}
