// The gate of this process, for the pipeline and the short-run exit path alike: the one redactor,
// made here (and only here) from this process's context (home, user and host names, app root) and
// the product's salt, and a memo of resource values found clean in earlier runs (clean-memo.ts).
// The redactor's code is asked for only when a string is not in the memo: the short-run exit
// path then loads it from its own bundle (dist/redactor.cjs, about 1.1 ms of a short run when it
// is not needed), the pipeline has it at hand.
import { fingerprint, loadCleanMemo } from './clean-memo.js';
import { createProtectGate, type ProtectGate } from './gate.js';
import { processContext, type RedactContext } from './redaction-context.js';
import type { Redactor } from './redaction-engine.js';
import { REDACTION_ID } from '../version.js';

/** Gives the engine's redactor factory (redaction-engine.ts `createRedactor`), loading it if need be. */
export type RedactorFactoryLoader = () => (ctx: RedactContext) => Redactor;

export function processGate(salt: string, cleanMemoFile: string | undefined, loadFactory: RedactorFactoryLoader): ProtectGate {
  const ctx = processContext(salt);
  const key = fingerprint([REDACTION_ID, ctx.homeDir, ctx.userName, ctx.hostName, ctx.appRoot].join('\0'));
  let redactor: Redactor | undefined;
  const redact: Redactor = (text, maxLength) => (redactor ??= loadFactory()(ctx))(text, maxLength);
  return createProtectGate(redact, cleanMemoFile === undefined ? undefined : loadCleanMemo(cleanMemoFile, key));
}
