// Filled in by the build (scripts/build.mjs); the fallbacks apply when running from source in tests.
declare const __TA_VERSION__: string | undefined;
declare const __TA_SDK_VERSION__: string | undefined;

export const AGENT_VERSION: string = typeof __TA_VERSION__ === 'string' ? __TA_VERSION__ : '0.0.0-dev';
export const SDK_VERSION: string = typeof __TA_SDK_VERSION__ === 'string' ? __TA_SDK_VERSION__ : '0.0.0-dev';

declare const __TA_REDACTION_ID__: string | undefined;
/**
 * Identifies this build's redaction code (a hash of src/protect/redaction-*.ts and redact-paths.ts,
 * written by the build): what the redactor returns may be remembered across runs only for the
 * same code (protect/clean-memo.ts). From source, a value of its own per process.
 */
export const REDACTION_ID: string = typeof __TA_REDACTION_ID__ === 'string' ? __TA_REDACTION_ID__ : `source-${process.pid}-${Date.now()}`;
