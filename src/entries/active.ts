// Entry of dist/active.cjs: what the preload loads once telemetry may act (boot-active.ts), and the
// export settings' reader. The "off" start never loads it.
export { activation } from '../boot-active.js';
