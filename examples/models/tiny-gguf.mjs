#!/usr/bin/env node
// A tiny llama-architecture GGUF model written from scratch (no downloads, no Python), for tests
// and examples of node-llama-cpp 3.x:
//
//   GGUF v3, all tensors F32, one transformer block, embedding width 32, 4 heads, FFN width 64,
//   a SentencePiece-style ("llama") vocabulary of 272 tokens: <unk>, <s>, </s>, the 256 byte
//   tokens <0x00>…<0xFF> (type 6, so any text tokenizes by byte fallback), and a few word pieces.
//   About 120 KB.
//
// The weights are pseudo-random from a fixed seed, so the file is byte-identical on every run and
// greedy decoding always produces the same tokens. The `</s>` row of the output matrix is zero (its
// logit is always 0 while most others are not), so generation rarely stops early by itself: tests
// that need a fixed number of output tokens set `maxTokens`.
//
// Usage as a script:  node examples/models/tiny-gguf.mjs out.gguf
// Usage as a module:  import { writeTinyGguf } from './tiny-gguf.mjs'
//   const llama = await getLlama({ gpu: false, build: 'never' });
//   const model = await llama.loadModel({ modelPath: await writeTinyGguf(file) });
//   const context = await model.createContext({ threads: 1 });
// (One thread: llama.cpp's worker threads spin while waiting for each other; on a busy machine that
// costs hundreds of times more than the work itself on a model this small.)

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** `general.name` written into the file (a name anyone could choose: the agent hashes it unless allow-listed). */
export const TINY_GGUF_NAME = 'tiny-random-llama';

const N_EMBD = 32;
const N_HEAD = 4;
const N_FF = 64;
const N_LAYER = 1;
const CONTEXT = 2048;
const ALIGNMENT = 32;

/** Word pieces after the special and byte tokens ("▁" marks a leading space, as in SentencePiece). */
const PIECES = ['▁', '▁the', '▁a', '▁hello', '▁world', 'e', 't', 'a', 'o', 'n', 's', 'r', '.'];

// GGUF metadata value types and tensor types (ggml).
const T = Object.freeze({ UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9 });
const GGML_TYPE_F32 = 0;
// SentencePiece token types as llama.cpp reads them.
const TOKEN_TYPE = Object.freeze({ NORMAL: 1, UNKNOWN: 2, CONTROL: 3, BYTE: 6 });

/** The vocabulary: `{ tokens, scores, types }` in id order (<unk>=0, <s>=1, </s>=2). */
export function tinyGgufVocab() {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [TOKEN_TYPE.UNKNOWN, TOKEN_TYPE.CONTROL, TOKEN_TYPE.CONTROL];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TOKEN_TYPE.BYTE);
  }
  for (const p of PIECES) {
    tokens.push(p);
    types.push(TOKEN_TYPE.NORMAL);
  }
  // Longer pieces score higher so the SentencePiece merge prefers them over bytes.
  const scores = tokens.map((t, i) => (types[i] === TOKEN_TYPE.NORMAL ? -1 - 1 / t.length : 0));
  return { tokens, scores, types };
}

/** mulberry32: a small deterministic PRNG (the file must not depend on Math.random). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Little-endian byte writer that grows as needed. */
class Writer {
  constructor() {
    this.buf = Buffer.alloc(1 << 16);
    this.len = 0;
  }
  ensure(n) {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  u32(v) { this.ensure(4); this.buf.writeUInt32LE(v, this.len); this.len += 4; }
  i32(v) { this.ensure(4); this.buf.writeInt32LE(v, this.len); this.len += 4; }
  u64(v) { this.ensure(8); this.buf.writeBigUInt64LE(BigInt(v), this.len); this.len += 8; }
  f32(v) { this.ensure(4); this.buf.writeFloatLE(v, this.len); this.len += 4; }
  u8(v) { this.ensure(1); this.buf.writeUInt8(v, this.len); this.len += 1; }
  str(s) { const b = Buffer.from(s, 'utf8'); this.u64(b.length); this.ensure(b.length); b.copy(this.buf, this.len); this.len += b.length; }
  pad(alignment) { while (this.len % alignment !== 0) this.u8(0); }
  bytes() { return this.buf.subarray(0, this.len); }
}

/** A metadata value: [type, value] (arrays: [T.ARRAY, elementType, values]). */
function writeKv(w, key, spec) {
  w.str(key);
  const [type, value, values] = spec;
  w.u32(type);
  if (type === T.ARRAY) {
    w.u32(value);
    w.u64(values.length);
    for (const v of values) writeScalar(w, value, v);
  } else {
    writeScalar(w, type, value);
  }
}

function writeScalar(w, type, v) {
  switch (type) {
    case T.UINT32: w.u32(v); break;
    case T.INT32: w.i32(v); break;
    case T.FLOAT32: w.f32(v); break;
    case T.BOOL: w.u8(v ? 1 : 0); break;
    case T.STRING: w.str(v); break;
    default: throw new Error(`unsupported GGUF type ${type}`);
  }
}

/** Tensors as `{ name, dims (ggml order: dims[0] is the contiguous one), data: Float32Array }`. */
function tinyTensors(vocabSize) {
  const rand = prng(0x5eed);
  const normal = (n, scale) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  const ones = (n) => new Float32Array(n).fill(1);
  const output = normal(N_EMBD * vocabSize, 0.5);
  output.fill(0, 2 * N_EMBD, 3 * N_EMBD); // row of </s>: logit 0 (see the header comment)
  const tensors = [
    { name: 'token_embd.weight', dims: [N_EMBD, vocabSize], data: normal(N_EMBD * vocabSize, 1) },
    { name: 'output_norm.weight', dims: [N_EMBD], data: ones(N_EMBD) },
    { name: 'output.weight', dims: [N_EMBD, vocabSize], data: output },
  ];
  for (let l = 0; l < N_LAYER; l++) {
    const b = `blk.${l}`;
    tensors.push(
      { name: `${b}.attn_norm.weight`, dims: [N_EMBD], data: ones(N_EMBD) },
      { name: `${b}.attn_q.weight`, dims: [N_EMBD, N_EMBD], data: normal(N_EMBD * N_EMBD, 0.2) },
      { name: `${b}.attn_k.weight`, dims: [N_EMBD, N_EMBD], data: normal(N_EMBD * N_EMBD, 0.2) },
      { name: `${b}.attn_v.weight`, dims: [N_EMBD, N_EMBD], data: normal(N_EMBD * N_EMBD, 0.2) },
      { name: `${b}.attn_output.weight`, dims: [N_EMBD, N_EMBD], data: normal(N_EMBD * N_EMBD, 0.2) },
      { name: `${b}.ffn_norm.weight`, dims: [N_EMBD], data: ones(N_EMBD) },
      { name: `${b}.ffn_gate.weight`, dims: [N_EMBD, N_FF], data: normal(N_EMBD * N_FF, 0.2) },
      { name: `${b}.ffn_up.weight`, dims: [N_EMBD, N_FF], data: normal(N_EMBD * N_FF, 0.2) },
      { name: `${b}.ffn_down.weight`, dims: [N_FF, N_EMBD], data: normal(N_FF * N_EMBD, 0.2) },
    );
  }
  return tensors;
}

/** The serialised GGUF file. `name` becomes `general.name`. */
export function buildTinyGguf({ name = TINY_GGUF_NAME } = {}) {
  const vocab = tinyGgufVocab();
  const tensors = tinyTensors(vocab.tokens.length);
  const kv = [
    ['general.architecture', [T.STRING, 'llama']],
    ['general.name', [T.STRING, name]],
    ['general.alignment', [T.UINT32, ALIGNMENT]],
    ['general.file_type', [T.UINT32, 0]], // all F32
    ['llama.context_length', [T.UINT32, CONTEXT]],
    ['llama.embedding_length', [T.UINT32, N_EMBD]],
    ['llama.block_count', [T.UINT32, N_LAYER]],
    ['llama.feed_forward_length', [T.UINT32, N_FF]],
    ['llama.attention.head_count', [T.UINT32, N_HEAD]],
    ['llama.attention.head_count_kv', [T.UINT32, N_HEAD]],
    ['llama.attention.layer_norm_rms_epsilon', [T.FLOAT32, 1e-5]],
    ['llama.rope.dimension_count', [T.UINT32, N_EMBD / N_HEAD]],
    ['llama.vocab_size', [T.UINT32, vocab.tokens.length]],
    ['tokenizer.ggml.model', [T.STRING, 'llama']],
    ['tokenizer.ggml.tokens', [T.ARRAY, T.STRING, vocab.tokens]],
    ['tokenizer.ggml.scores', [T.ARRAY, T.FLOAT32, vocab.scores]],
    ['tokenizer.ggml.token_type', [T.ARRAY, T.INT32, vocab.types]],
    ['tokenizer.ggml.unknown_token_id', [T.UINT32, 0]],
    ['tokenizer.ggml.bos_token_id', [T.UINT32, 1]],
    ['tokenizer.ggml.eos_token_id', [T.UINT32, 2]],
    ['tokenizer.ggml.add_bos_token', [T.BOOL, true]],
    ['tokenizer.ggml.add_eos_token', [T.BOOL, false]],
  ];

  const w = new Writer();
  w.u32(0x46554747); // "GGUF" little-endian
  w.u32(3); // version
  w.u64(tensors.length);
  w.u64(kv.length);
  for (const [key, spec] of kv) writeKv(w, key, spec);
  let offset = 0;
  for (const t of tensors) {
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(GGML_TYPE_F32);
    w.u64(offset);
    offset += Math.ceil(t.data.byteLength / ALIGNMENT) * ALIGNMENT;
  }
  w.pad(ALIGNMENT);
  for (const t of tensors) {
    const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    w.ensure(bytes.length);
    bytes.copy(w.buf, w.len);
    w.len += bytes.length;
    w.pad(ALIGNMENT);
  }
  return new Uint8Array(w.bytes());
}

/**
 * Writes the tiny model to `filePath` (parent directories are created). Returns the absolute path.
 * @param {string} filePath
 * @param {{ name?: string }} [options]
 * @returns {Promise<string>}
 */
export async function writeTinyGguf(filePath, options) {
  const abs = resolve(filePath);
  await mkdir(dirname(abs), { recursive: true });
  await writeFile(abs, buildTinyGguf(options));
  return abs;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node examples/models/tiny-gguf.mjs <out.gguf>');
    process.exitCode = 2;
  } else {
    console.log(await writeTinyGguf(out));
  }
}
