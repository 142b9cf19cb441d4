// Entry of dist/preload.mjs, what `node --import telemetry-agent` loads: it only loads the CommonJS
// bundle dist/preload.cjs, so a process holds one copy of the agent whether the app imports or
// requires it, and the builtins it needs are required (cheaper than ESM imports, each of which
// builds a module namespace: this runs on every start). No top-level await and no ESM import of
// node:module, which would make this file slower to load. Node older than 20.16 has no
// process.getBuiltinModule; it is unsupported anyway, and this says so in the preload's words.
import { unsupportedRuntimeReason } from '../decide/runtime-support.js';

if (process.getBuiltinModule) process.getBuiltinModule('node:module').createRequire(import.meta.url)('./preload.cjs');
else process.stderr.write(`telemetry-agent: disabled: ${unsupportedRuntimeReason()}. The app runs without telemetry.\n`);
