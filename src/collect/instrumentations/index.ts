// Every library instrumentation, in one list. Adding a library = one file + one entry here.

import { nodeLlamaCppInstrumentation } from './node-llama-cpp.js';
import { onnxruntimeInstrumentation } from './onnxruntime.js';
import { tfjsInstrumentation } from './tfjs.js';
import { transformersInstrumentation } from './transformers.js';
import type { Instrumentation } from './types.js';

export type { Instrumentation } from './types.js';

export const INSTRUMENTATIONS: readonly Instrumentation<any>[] = [
  tfjsInstrumentation,
  onnxruntimeInstrumentation,
  transformersInstrumentation,
  nodeLlamaCppInstrumentation,
];
