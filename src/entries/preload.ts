// `node --import telemetry-agent` / `node --require telemetry-agent`: decide, and only if
// telemetry is on in the main process, instrument and export. Kept tiny: it runs on every start;
// what runs only when telemetry may act is in dist/active.cjs.
import { boot } from '../boot.js';

boot({}, () => (require('./active.cjs') as typeof import('./active.js')).activation);
