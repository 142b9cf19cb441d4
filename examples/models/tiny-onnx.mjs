#!/usr/bin/env node
// A tiny ONNX model written from scratch with `onnx-proto` (no downloads, no Python):
//
//   x: float32 [1,4]  ──MatMul(W: 4×2)──▶  ──Add(b: [2])──▶  y: float32 [1,2]
//
// opset 13, IR version 8. Loads and runs with onnxruntime-node's CPU provider.
// With x = [1, 2, 3, 4] the output is exactly y = [0.5, 6] (TINY_ONNX_EXPECTED).
//
// Usage as a script:  node examples/models/tiny-onnx.mjs out.onnx
// Usage as a module:  import { writeTinyOnnxModel } from './tiny-onnx.mjs'
//
// The small graph-building helpers below are exported too; tiny-transformers.mjs reuses them.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import onnxProto from 'onnx-proto'; // CommonJS package: default import, then destructure

const { onnx } = onnxProto;

/** ONNX TensorProto.DataType values used here. */
export const DataType = Object.freeze({ FLOAT: 1, INT32: 6, INT64: 7 });

/** W (row-major, 4 rows × 2 columns). */
export const TINY_ONNX_WEIGHTS = Object.freeze([
  1, 0,
  0, 1,
  1, 1,
  -1, 0.5,
]);
export const TINY_ONNX_BIAS = Object.freeze([0.5, -1]);
export const TINY_ONNX_INPUT = Object.freeze([1, 2, 3, 4]);
/** x·W + b for TINY_ONNX_INPUT: [1+3-4+0.5, 2+3+2-1] — exact in float32. */
export const TINY_ONNX_EXPECTED = Object.freeze([0.5, 6]);

/**
 * A tensor initializer. `dims` is the shape; `values` are stored as float_data / int64_data.
 * @param {string} name
 * @param {number} dataType one of DataType
 * @param {number[]} dims
 * @param {readonly number[]} values
 */
export function tensor(name, dataType, dims, values) {
  const t = { name, dataType, dims };
  if (dataType === DataType.FLOAT) t.floatData = [...values];
  else if (dataType === DataType.INT64) t.int64Data = [...values];
  else if (dataType === DataType.INT32) t.int32Data = [...values];
  else throw new Error(`unsupported data type ${dataType}`);
  return onnx.TensorProto.create(t);
}

/**
 * A graph input/output description. Each dim is a number (fixed) or a string (symbolic, e.g. 'batch').
 * @param {string} name
 * @param {number} elemType one of DataType
 * @param {(number|string)[]} dims
 */
export function valueInfo(name, elemType, dims) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

/**
 * A node. `attrs` maps attribute names to an integer (INT), integer array (INTS) or number (FLOAT, if
 * not an integer).
 * @param {string} opType
 * @param {string[]} inputs
 * @param {string[]} outputs
 * @param {Record<string, number | number[]>} [attrs]
 */
export function node(opType, inputs, outputs, attrs = {}) {
  const T = onnx.AttributeProto.AttributeType;
  const attribute = Object.entries(attrs).map(([name, v]) => {
    if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: T.INTS, ints: v });
    if (Number.isInteger(v)) return onnx.AttributeProto.create({ name, type: T.INT, i: v });
    return onnx.AttributeProto.create({ name, type: T.FLOAT, f: v });
  });
  return onnx.NodeProto.create({ opType, input: inputs, output: outputs, name: `${opType}_${outputs[0]}`, attribute });
}

/**
 * Wraps a graph into a serialised ModelProto (IR version 8, default-domain opset `opset`).
 * @param {{ name: string; nodes: any[]; initializers: any[]; inputs: any[]; outputs: any[] }} graph
 * @param {number} [opset]
 * @returns {Uint8Array}
 */
export function encodeModel({ name, nodes, initializers, inputs, outputs }, opset = 13) {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'telemetry-agent-fixtures',
    producerVersion: '1',
    opsetImport: [{ domain: '', version: opset }],
    graph: { name, node: nodes, initializer: initializers, input: inputs, output: outputs },
  });
  const err = onnx.ModelProto.verify(model);
  if (err) throw new Error(`invalid ModelProto: ${err}`);
  // protobufjs hands back a Buffer on Node; return a plain Uint8Array on every platform.
  const bytes = onnx.ModelProto.encode(model).finish();
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice();
}

/** The serialised tiny model (x [1,4] → MatMul → Add → y [1,2]). */
export function buildTinyOnnxModel() {
  return encodeModel({
    name: 'tiny-linear',
    nodes: [node('MatMul', ['x', 'W'], ['xW']), node('Add', ['xW', 'b'], ['y'])],
    initializers: [
      tensor('W', DataType.FLOAT, [4, 2], TINY_ONNX_WEIGHTS),
      tensor('b', DataType.FLOAT, [2], TINY_ONNX_BIAS),
    ],
    inputs: [valueInfo('x', DataType.FLOAT, [1, 4])],
    outputs: [valueInfo('y', DataType.FLOAT, [1, 2])],
  });
}

/**
 * Writes the tiny model to `filePath` (parent directories are created). Returns the absolute path.
 * @param {string} filePath
 * @returns {Promise<string>}
 */
export async function writeTinyOnnxModel(filePath) {
  const abs = resolve(filePath);
  await mkdir(dirname(abs), { recursive: true });
  await writeFile(abs, buildTinyOnnxModel());
  return abs;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node examples/models/tiny-onnx.mjs <out.onnx>');
    process.exitCode = 2;
  } else {
    const abs = await writeTinyOnnxModel(out);
    console.log(abs);
  }
}
