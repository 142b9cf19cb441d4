// Entry of dist/redactor.cjs: the redaction engine, for the short-run exit path, which loads it
// only when a value is not known clean (protect/process-gate.ts). The pipeline bundles its own.
export { createRedactor } from '../protect/redaction-engine.js';
