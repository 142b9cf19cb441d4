// `node --import telemetry-agent` / `node --require telemetry-agent`: decide, and only if
// telemetry is on in the main process, instrument and export. Kept tiny: it runs on every start.
import { boot } from '../boot.js';

boot();
