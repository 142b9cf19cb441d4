// The packages the start-up hook watches for. Only names live here, so the preload stays small;
// the instrumentation code itself is in the runtime bundle, loaded when one of them is required.
// test/collect/instrumentations/packages.test.ts checks this list against INSTRUMENTATIONS.

export interface WatchedPackage {
  readonly package: string;
  readonly format: 'cjs' | 'esm';
}

export const INSTRUMENTED_PACKAGES: readonly WatchedPackage[] = [
  { package: '@tensorflow/tfjs-core', format: 'cjs' },
  { package: '@tensorflow/tfjs-layers', format: 'cjs' },
  { package: '@tensorflow/tfjs-converter', format: 'cjs' },
  { package: 'onnxruntime-common', format: 'cjs' },
  { package: 'onnxruntime-node', format: 'cjs' },
  { package: '@huggingface/transformers', format: 'esm' },
  { package: '@huggingface/transformers', format: 'cjs' },
  { package: 'node-llama-cpp', format: 'esm' },
];
