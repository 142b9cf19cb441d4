// Entry of dist/short-run.cjs: the exit path of a run that ended before the pipeline was needed
// (deliver/short-run.ts). Loaded at exit only, instead of dist/runtime.cjs; the redaction engine
// comes from dist/redactor.cjs, only when a value is not known clean (protect/process-gate.ts).
import { createShortRunExit as create, type ShortRunInit } from '../deliver/short-run.js';

export function createShortRunExit(init: Omit<ShortRunInit, 'distDir' | 'loadRedactor'>) {
  return create({
    ...init,
    distDir: typeof __dirname === 'string' ? __dirname : undefined,
    loadRedactor: () => (require('./redactor.cjs') as typeof import('./redactor.js')).createRedactor,
  });
}
