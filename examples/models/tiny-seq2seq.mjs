#!/usr/bin/env node
// A tiny, entirely local encoder-decoder model for the @huggingface/transformers (v4) pipelines
// `text2text-generation`, `summarization` and `translation`, written from scratch (no Hub, no Python):
//
//   <dir>/local-org/tiny-seq2seq/
//     config.json              model_type "t5", T5ForConditionalGeneration
//     generation_config.json   decoder start, eos and pad token ids; greedy
//     tokenizer.json, tokenizer_config.json   the vocabulary of tiny-causal-lm.mjs
//     onnx/encoder_model.onnx  input_ids [batch, seq] → last_hidden_state [batch, seq, 2]
//     onnx/decoder_model_merged.onnx  input_ids [batch, seq] (decoder) → logits [batch, seq, vocab]
//
// The encoder embeds the prompt (its output is computed and passed on, as for any seq2seq model);
// the decoder is the bigram table of tiny-causal-lm.mjs, so from the decoder start token greedy
// decoding writes TINY_CAUSAL_LM_SENTENCE and then `</s>`. Neither graph has key/value cache
// inputs: transformers.js then feeds the decoder only its last token, which is all a bigram needs.
//
// Usage as a script:  node examples/models/tiny-seq2seq.mjs <dir>

import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataType, encodeModel, node, tensor, valueInfo } from './tiny-onnx.mjs';
import { tinyCausalLmVocab, tinyTokenizerConfigJson, tinyTokenizerJson, tinyTransitions } from './tiny-causal-lm.mjs';

export const TINY_SEQ2SEQ_ID = 'local-org/tiny-seq2seq';
const HIDDEN = 2;

function encoderOnnx(vocab) {
  return encodeModel({
    name: 'tiny-seq2seq-encoder',
    nodes: [node('Gather', ['embeddings', 'input_ids'], ['last_hidden_state'], { axis: 0 })],
    initializers: [tensor('embeddings', DataType.FLOAT, [vocab.length, HIDDEN], vocab.flatMap((_, i) => [i % 2, (i + 1) % 2]))],
    inputs: [valueInfo('input_ids', DataType.INT64, ['batch_size', 'encoder_sequence_length'])],
    outputs: [valueInfo('last_hidden_state', DataType.FLOAT, ['batch_size', 'encoder_sequence_length', HIDDEN])],
  });
}

function decoderOnnx(vocab) {
  return encodeModel({
    name: 'tiny-seq2seq-decoder',
    nodes: [node('Gather', ['transitions', 'input_ids'], ['logits'], { axis: 0 })],
    initializers: [tensor('transitions', DataType.FLOAT, [vocab.length, vocab.length], tinyTransitions(vocab))],
    inputs: [valueInfo('input_ids', DataType.INT64, ['batch_size', 'decoder_sequence_length'])],
    outputs: [valueInfo('logits', DataType.FLOAT, ['batch_size', 'decoder_sequence_length', vocab.length])],
  });
}

function ids(vocab) {
  return { pad: vocab.indexOf('<pad>'), eos: vocab.indexOf('</s>') };
}

function configJson(vocab) {
  const { pad, eos } = ids(vocab);
  return {
    architectures: ['T5ForConditionalGeneration'],
    model_type: 't5',
    is_encoder_decoder: true,
    vocab_size: vocab.length,
    d_model: HIDDEN,
    d_kv: HIDDEN,
    num_heads: 1,
    num_layers: 1,
    num_decoder_layers: 1,
    decoder_start_token_id: pad,
    eos_token_id: eos,
    pad_token_id: pad,
  };
}

function generationConfigJson(vocab) {
  const { pad, eos } = ids(vocab);
  return { decoder_start_token_id: pad, eos_token_id: eos, pad_token_id: pad, do_sample: false };
}

/**
 * Writes the model folder under `<dir>/local-org/tiny-seq2seq/`. Returns `{ modelId, modelDir }`;
 * set `env.localModelPath = dir` (the root, not modelDir) and load `modelId`.
 * @param {string} dir
 * @returns {Promise<{ modelId: string; modelDir: string }>}
 */
export async function writeTinySeq2Seq(dir) {
  const modelDir = join(resolve(dir), ...TINY_SEQ2SEQ_ID.split('/'));
  const vocab = tinyCausalLmVocab();
  await mkdir(join(modelDir, 'onnx'), { recursive: true });
  const json = (v) => JSON.stringify(v, null, 2) + '\n';
  await Promise.all([
    writeFile(join(modelDir, 'config.json'), json(configJson(vocab))),
    writeFile(join(modelDir, 'generation_config.json'), json(generationConfigJson(vocab))),
    writeFile(join(modelDir, 'tokenizer.json'), json(tinyTokenizerJson(vocab))),
    writeFile(join(modelDir, 'tokenizer_config.json'), json(tinyTokenizerConfigJson())),
    writeFile(join(modelDir, 'onnx', 'encoder_model.onnx'), encoderOnnx(vocab)),
    writeFile(join(modelDir, 'onnx', 'decoder_model_merged.onnx'), decoderOnnx(vocab)),
  ]);
  return { modelId: TINY_SEQ2SEQ_ID, modelDir };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node examples/models/tiny-seq2seq.mjs <dir>');
    process.exitCode = 2;
  } else {
    const { modelDir } = await writeTinySeq2Seq(out);
    console.log(modelDir);
  }
}
