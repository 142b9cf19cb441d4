import { fstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_CHANGES, DATA_VERSION } from '../catalog.js';
import { writeFileAtomic } from './atomic-file.js';
import type { Decision } from './decision.js';
import { agentPaths } from './paths.js';

const NOTICE_FILE = 'notice.json';

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
  if (!d.consent.undecided || alreadyShown() || !isTTY() || d.ci || !d.role.main) return false;
  return true;
}

function alreadyShown(): boolean {
  try {
    const seen = JSON.parse(readFileSync(join(agentPaths().configDir, NOTICE_FILE), 'utf8')) as { dataVersion?: number };
    return seen.dataVersion === DATA_VERSION;
  } catch {
    return false;
  }
}

export function noticeText(d: Decision): string {
  const sending = d.consent.granted;
  const lines = [
    `telemetry-agent: this program can send anonymous telemetry (hardware, memory, ML training progress and inference timings, redacted errors) to ${d.config.endpoint}.`,
    sending ? '  It is sent unless you turn it off.' : '  Nothing is sent until you turn it on.',
  ];
  if (d.consent.staleConsent) {
    const newer = DATA_CHANGES.filter((c) => c.version > d.consent.staleConsent!.dataVersion).map((c) => c.summary);
    lines.push(`  What is collected changed since you enabled it: ${newer.join('; ')}. Run \`npx telemetry-agent enable\` again to keep sending.`);
  }
  lines.push(
    '  on: `npx telemetry-agent enable`   off: `npx telemetry-agent disable` or DO_NOT_TRACK=1',
    '  see what would be sent: TELEMETRY_AGENT_INSPECT=1   details: `npx telemetry-agent status`',
  );
  return lines.join('\n') + '\n';
}

/** Prints the notice once and remembers it. Never blocks beyond one small write; never throws. */
export function showNoticeOnce(d: Decision, write: (s: string) => void = (s) => process.stderr.write(s)): void {
  try {
    write(noticeText(d));
    writeFileAtomic(join(agentPaths().configDir, NOTICE_FILE), JSON.stringify({ dataVersion: DATA_VERSION, shownAt: new Date().toISOString() }) + '\n');
  } catch {
    // A read-only home only means the notice shows again next time.
  }
}
