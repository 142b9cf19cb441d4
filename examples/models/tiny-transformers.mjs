#!/usr/bin/env node
// A tiny, entirely local text-classification model for @huggingface/transformers (v4), written
// from scratch (no Hub, no Python):
//
//   <dir>/local-org/tiny-classifier/
//     config.json            model_type "bert", BertForSequenceClassification, id2label/label2id
//     tokenizer.json         WordPiece model, BertNormalizer (lowercase), BertPreTokenizer,
//                            TemplateProcessing "[CLS] $A [SEP]", WordPiece decoder
//     tokenizer_config.json  tokenizer_class BertTokenizer + special tokens (its presence is what
//                            makes transformers.js load tokenizer.json at all)
//     onnx/model.onnx        what transformers.js asks for on Node: device "cpu" → dtype "fp32" →
//                            suffix "" → `onnx/model${suffix}.onnx` (q8 would be model_quantized.onnx)
//
// Load it with:
//   import { env, pipeline } from '@huggingface/transformers';
//   env.allowRemoteModels = false; env.localModelPath = dir;
//   const classify = await pipeline('text-classification', TINY_TRANSFORMERS_MODEL_ID);
//   await classify('I love this')  // → [{ label: 'POSITIVE', score: ≈0.96 }]
//
// The ONNX graph (opset 13, IR 8) is a masked mean of word embeddings followed by a linear layer:
//   emb    = Gather(E [V,2], input_ids [batch,seq] int64)            → [batch,seq,2]
//   mask   = Unsqueeze(Cast<float>(attention_mask [batch,seq] int64), axes=[2]) → [batch,seq,1]
//   pooled = ReduceSum(emb·mask, axes=[1]) / ReduceSum(mask, axes=[1]) → [batch,2]
//   logits = pooled · W [2,2] + b [2]                                  → [batch,2]
// transformers.js feeds only the inputs the session declares (it picks from the tokenizer output by
// `session.inputNames`), so token_type_ids, which the BERT tokenizer also produces, is simply not fed.
// Embedding dim 0 is "positivity", dim 1 "negativity"; label 0 = NEGATIVE, label 1 = POSITIVE.
//
// Usage as a script:  node examples/models/tiny-transformers.mjs <dir>

import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataType, encodeModel, node, tensor, valueInfo } from './tiny-onnx.mjs';

export const TINY_TRANSFORMERS_MODEL_ID = 'local-org/tiny-classifier';
export const TINY_TRANSFORMERS_LABELS = Object.freeze(['NEGATIVE', 'POSITIVE']);

const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
/** word → [positivity, negativity]; everything else (special tokens, neutral words) embeds to 0. */
const SENTIMENT = {
  good: [3, 0], great: [4, 0], love: [4, 0], happy: [3, 0], excellent: [4, 0], fast: [2, 0],
  bad: [0, 3], awful: [0, 4], hate: [0, 4], sad: [0, 3], terrible: [0, 4], slow: [0, 2],
};
const NEUTRAL = ['i', 'you', 'this', 'that', 'it', 'is', 'was', 'a', 'the', 'movie', 'model', 'very', 'not', '.', ',', '!', '?', '##s', '##ly'];

/** The vocabulary, in id order. */
export function tinyVocab() {
  return [...SPECIAL_TOKENS, ...NEUTRAL, ...Object.keys(SENTIMENT)];
}

function tokenizerJson(vocab) {
  const ids = Object.fromEntries(vocab.map((t, i) => [t, i]));
  const special = (content) => ({
    id: ids[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  });
  const templateToken = (t) => ({ id: t, ids: [ids[t]], tokens: [t] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': templateToken('[CLS]'), '[SEP]': templateToken('[SEP]') },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: ids,
    },
  };
}

function tokenizerConfigJson() {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 64,
    clean_up_tokenization_spaces: true,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    mask_token: '[MASK]',
  };
}

function configJson(vocabSize) {
  const [neg, pos] = TINY_TRANSFORMERS_LABELS;
  return {
    architectures: ['BertForSequenceClassification'],
    model_type: 'bert',
    vocab_size: vocabSize,
    hidden_size: 2,
    num_hidden_layers: 0,
    num_attention_heads: 1,
    intermediate_size: 2,
    max_position_embeddings: 64,
    type_vocab_size: 2,
    pad_token_id: 0,
    problem_type: 'single_label_classification',
    id2label: { 0: neg, 1: pos },
    label2id: { [neg]: 0, [pos]: 1 },
  };
}

/** The serialised classifier graph for a vocabulary of `vocab` tokens. */
export function buildTinyClassifierOnnx(vocab = tinyVocab()) {
  const embedding = vocab.flatMap((t) => SENTIMENT[t] ?? [0, 0]);
  return encodeModel({
    name: 'tiny-classifier',
    nodes: [
      node('Gather', ['embeddings', 'input_ids'], ['emb'], { axis: 0 }),
      node('Cast', ['attention_mask'], ['mask_f'], { to: DataType.FLOAT }),
      node('Unsqueeze', ['mask_f', 'axis_2'], ['mask']),
      node('Mul', ['emb', 'mask'], ['emb_masked']),
      node('ReduceSum', ['emb_masked', 'axis_1'], ['emb_sum'], { keepdims: 0 }),
      node('ReduceSum', ['mask', 'axis_1'], ['token_count'], { keepdims: 0 }),
      node('Div', ['emb_sum', 'token_count'], ['pooled']),
      node('MatMul', ['pooled', 'classifier_weight'], ['scores']),
      node('Add', ['scores', 'classifier_bias'], ['logits']),
    ],
    initializers: [
      tensor('embeddings', DataType.FLOAT, [vocab.length, 2], embedding),
      tensor('axis_1', DataType.INT64, [1], [1]),
      tensor('axis_2', DataType.INT64, [1], [2]),
      // logits[NEGATIVE] = 4·negativity, logits[POSITIVE] = 4·positivity
      tensor('classifier_weight', DataType.FLOAT, [2, 2], [0, 4, 4, 0]),
      tensor('classifier_bias', DataType.FLOAT, [2], [0, 0]),
    ],
    inputs: [
      valueInfo('input_ids', DataType.INT64, ['batch_size', 'sequence_length']),
      valueInfo('attention_mask', DataType.INT64, ['batch_size', 'sequence_length']),
    ],
    outputs: [valueInfo('logits', DataType.FLOAT, ['batch_size', 2])],
  });
}

/**
 * Writes the model folder under `<dir>/local-org/tiny-classifier/`. Returns `{ modelId, modelDir }`;
 * set `env.localModelPath = dir` (the root, not modelDir) and load `modelId`.
 * @param {string} dir
 * @returns {Promise<{ modelId: string; modelDir: string }>}
 */
export async function writeTinyTransformersModel(dir) {
  const modelDir = join(resolve(dir), ...TINY_TRANSFORMERS_MODEL_ID.split('/'));
  const vocab = tinyVocab();
  await mkdir(join(modelDir, 'onnx'), { recursive: true });
  const json = (v) => JSON.stringify(v, null, 2) + '\n';
  await Promise.all([
    writeFile(join(modelDir, 'config.json'), json(configJson(vocab.length))),
    writeFile(join(modelDir, 'tokenizer.json'), json(tokenizerJson(vocab))),
    writeFile(join(modelDir, 'tokenizer_config.json'), json(tokenizerConfigJson())),
    writeFile(join(modelDir, 'onnx', 'model.onnx'), buildTinyClassifierOnnx(vocab)),
  ]);
  return { modelId: TINY_TRANSFORMERS_MODEL_ID, modelDir };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node examples/models/tiny-transformers.mjs <dir>');
    process.exitCode = 2;
  } else {
    const { modelDir } = await writeTinyTransformersModel(out);
    console.log(modelDir);
  }
}
