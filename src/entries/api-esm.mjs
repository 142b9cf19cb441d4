// Entry of dist/api.mjs, `import { ... } from 'telemetry-agent/api'`: the names of the CommonJS
// bundle dist/api.cjs (built from src/api/index.ts, which esbuild annotates for Node's ESM loader),
// so the API is listed once and a process holds one copy of the agent whether it imports or
// requires it. Copied to dist/ as it is.
export * from './api.cjs';
