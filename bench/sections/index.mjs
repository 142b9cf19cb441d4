// The sections of `npm run bench`, in the order they run. A new row of the target table is a
// new section file here (or one more figure in an existing one): declare its figures with their
// targets, measure them in run(ctx) with ctx.interleave/ctx.measure, then ctx.set(id, …) each.
// bench/run.mjs does the rest (report, exit code, docs/performance.md).
import trivial from './trivial.mjs';
import modules from './modules.mjs';
import onnx from './onnx.mjs';
import tfjs from './tfjs.mjs';
import progress from './progress.mjs';
import wire from './wire.mjs';
import llama from './llama.mjs';

export const SECTIONS = [trivial, modules, onnx, tfjs, progress, llama, wire];
