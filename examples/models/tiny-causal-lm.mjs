#!/usr/bin/env node
// A tiny, entirely local causal language model for @huggingface/transformers (v4) text generation,
// written from scratch (no Hub, no Python):
//
//   <dir>/local-org/tiny-causal-lm/
//     config.json             model_type "gpt2", GPT2LMHeadModel (a decoder-only model: onnx/model.onnx)
//     generation_config.json  eos/bos/pad token ids, greedy by default
//     tokenizer.json          WordPiece vocabulary, BertNormalizer (lowercase), BertPreTokenizer,
//                             WordPiece decoder; no template, so the prompt is tokenized as written
//     tokenizer_config.json   tokenizer class, special tokens and a small chat template (its presence
//                             makes transformers.js load tokenizer.json)
//     onnx/model.onnx         input_ids [batch, seq] int64 → logits [batch, seq, vocab] float32
//
// The graph is a bigram model: logits = Gather(T, input_ids), where row i of T [V,V] scores the
// token that follows token i. It has no key/value cache inputs, which transformers.js accepts: after
// the first step it feeds only the last generated token, and a bigram model needs nothing else.
// Greedy decoding from any prompt writes the fixed sentence below (TINY_CAUSAL_LM_SENTENCE) and then
// the end-of-sequence token, so a generation stops by itself after TINY_CAUSAL_LM_STEPS tokens
// (finish reason "stop"), or earlier when max_new_tokens is smaller ("length").
//
// Load it with:
//   import { env, pipeline } from '@huggingface/transformers';
//   env.allowRemoteModels = false; env.localModelPath = dir;
//   const generate = await pipeline('text-generation', TINY_CAUSAL_LM_ID);
//   await generate('Tell me something', { max_new_tokens: 20 })
//
// Usage as a script:  node examples/models/tiny-causal-lm.mjs <dir>

import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataType, encodeModel, node, tensor, valueInfo } from './tiny-onnx.mjs';

export const TINY_CAUSAL_LM_ID = 'local-org/tiny-causal-lm';

const SPECIAL_TOKENS = ['<pad>', '<unk>', '</s>'];
const EOS = '</s>';
/** What greedy decoding writes after any prompt that does not end inside the sentence. */
export const TINY_CAUSAL_LM_SENTENCE = Object.freeze(
  ['this', 'is', 'a', 'tiny', 'language', 'model', 'writing', 'one', 'short', 'sentence', '.'],
);
/** Generated tokens of a full generation: the sentence and the end-of-sequence token. */
export const TINY_CAUSAL_LM_STEPS = TINY_CAUSAL_LM_SENTENCE.length + 1;
/** Words a prompt may use besides the sentence's own (anything else is <unk>). */
const OTHER_WORDS = ['hello', 'tell', 'me', 'something', 'about', 'the', 'weather', 'write', 'story', ',', '!', '?', ':', 'system', 'user', 'assistant'];
/** A minimal chat template (role: content lines), so chat input works like with real chat models. */
const CHAT_TEMPLATE =
  "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}";

/** The vocabulary, in id order. */
export function tinyCausalLmVocab() {
  return [...SPECIAL_TOKENS, ...TINY_CAUSAL_LM_SENTENCE, ...OTHER_WORDS];
}

/** T [V,V]: the next token of the sentence scores 10, everything else 0. */
export function tinyTransitions(vocab) {
  const id = Object.fromEntries(vocab.map((t, i) => [t, i]));
  const V = vocab.length;
  const table = new Array(V * V).fill(0);
  for (let i = 0; i < V; i++) {
    const at = TINY_CAUSAL_LM_SENTENCE.indexOf(vocab[i]);
    let next;
    if (vocab[i] === EOS) next = EOS; // never fed back in practice: generation stops at EOS
    else if (at === -1) next = TINY_CAUSAL_LM_SENTENCE[0];
    else next = at + 1 < TINY_CAUSAL_LM_SENTENCE.length ? TINY_CAUSAL_LM_SENTENCE[at + 1] : EOS;
    table[i * V + id[next]] = 10;
  }
  return table;
}

/** The serialised decoder graph for `vocab`. */
export function buildTinyCausalLmOnnx(vocab = tinyCausalLmVocab()) {
  return encodeModel({
    name: 'tiny-causal-lm',
    nodes: [node('Gather', ['transitions', 'input_ids'], ['logits'], { axis: 0 })],
    initializers: [tensor('transitions', DataType.FLOAT, [vocab.length, vocab.length], tinyTransitions(vocab))],
    inputs: [valueInfo('input_ids', DataType.INT64, ['batch_size', 'sequence_length'])],
    outputs: [valueInfo('logits', DataType.FLOAT, ['batch_size', 'sequence_length', vocab.length])],
  });
}

export function tinyTokenizerJson(vocab) {
  const ids = Object.fromEntries(vocab.map((t, i) => [t, i]));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: ids[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '<unk>', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: ids },
  };
}

export function tinyTokenizerConfigJson() {
  return {
    tokenizer_class: 'PreTrainedTokenizer',
    model_max_length: 128,
    clean_up_tokenization_spaces: true,
    add_bos_token: false,
    add_eos_token: false,
    pad_token: '<pad>',
    unk_token: '<unk>',
    eos_token: EOS,
    chat_template: CHAT_TEMPLATE,
  };
}

function configJson(vocab) {
  const eos = vocab.indexOf(EOS);
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: vocab.length,
    n_positions: 128,
    n_embd: vocab.length,
    n_layer: 1,
    n_head: 1,
    bos_token_id: eos,
    eos_token_id: eos,
    pad_token_id: vocab.indexOf('<pad>'),
  };
}

function generationConfigJson(vocab) {
  const eos = vocab.indexOf(EOS);
  return { bos_token_id: eos, eos_token_id: eos, pad_token_id: vocab.indexOf('<pad>'), do_sample: false };
}

/**
 * Writes the model folder under `<dir>/local-org/tiny-causal-lm/`. Returns `{ modelId, modelDir }`;
 * set `env.localModelPath = dir` (the root, not modelDir) and load `modelId`.
 * @param {string} dir
 * @returns {Promise<{ modelId: string; modelDir: string }>}
 */
export async function writeTinyCausalLm(dir) {
  const modelDir = join(resolve(dir), ...TINY_CAUSAL_LM_ID.split('/'));
  const vocab = tinyCausalLmVocab();
  await mkdir(join(modelDir, 'onnx'), { recursive: true });
  const json = (v) => JSON.stringify(v, null, 2) + '\n';
  await Promise.all([
    writeFile(join(modelDir, 'config.json'), json(configJson(vocab))),
    writeFile(join(modelDir, 'generation_config.json'), json(generationConfigJson(vocab))),
    writeFile(join(modelDir, 'tokenizer.json'), json(tinyTokenizerJson(vocab))),
    writeFile(join(modelDir, 'tokenizer_config.json'), json(tinyTokenizerConfigJson())),
    writeFile(join(modelDir, 'onnx', 'model.onnx'), buildTinyCausalLmOnnx(vocab)),
  ]);
  return { modelId: TINY_CAUSAL_LM_ID, modelDir };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node examples/models/tiny-causal-lm.mjs <dir>');
    process.exitCode = 2;
  } else {
    const { modelDir } = await writeTinyCausalLm(out);
    console.log(modelDir);
  }
}
