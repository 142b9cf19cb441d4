// Transformers.js (`@huggingface/transformers` 4.x; ESM `dist/transformers.node.mjs`, and a
// separate CommonJS build `dist/transformers.node.cjs` with its own copies of every class).
//
// What is reachable (checked in node_modules, 4.3.1):
// - `pipeline` is a function export; on an ESM namespace its binding is live and read-only, so
//   it cannot be replaced. What `pipeline()` returns is `new PipelineClass({ task, model,
//   tokenizer, processor })`, a callable object whose call forwards to `this._call(...)`,
//   looked up on its prototype chain. The base `Pipeline` class is not exported, but every
//   concrete pipeline class is (`TextClassificationPipeline`, …). So we patch the OWN
//   `prototype._call` of every export whose name ends with `Pipeline` (Summarization/Translation
//   inherit Text2Text's `_call` and are covered through it). A subclass `_call` that calls
//   `super._call` (e.g. background removal → image segmentation) is recorded once: a wrapper only
//   records when it is the `_call` the instance resolves to.
// - `pipeline()` loads the model with `<AutoModelFor…>.from_pretrained`, which ends in
//   `PreTrainedModel.from_pretrained` (static, inherited by every model class; subclasses that
//   override it call `super.from_pretrained`). `PreTrainedModel` is exported, so its static
//   `from_pretrained` is patched → one `ml.model.load` span per model load, with
//   `ml.model.name` from the model id (via `signals.modelName`: public id or a salted hash).
//   The ONNX sessions are created inside it, so onnxruntime's own `ml.model.load` spans become
//   its children. Tokenizer/processor/config loading (small JSON files) is not spanned.
// - The model id is not kept on the model (`config._name_or_path` only exists when the
//   config.json has it), so the id seen by `from_pretrained` is remembered in a WeakMap keyed by
//   the loaded model, and looked up from the pipeline's `this.model`.
//
// Inference: each pipeline call is an `ml.inference` span (`ml.framework=transformers.js`,
// `ml.task` from `this.task`, `ml.model.name`, `ml.operation=pipeline`) made current with
// the span current (`observeCallInSpan`), so the `session.run` calls inside are recorded by the onnxruntime
// instrumentation as its children. Counting: the pipeline call's duration goes to
// `ml.inference.duration` with `ml.framework=transformers.js`; the ONNX runs inside it keep
// theirs with `ml.framework=onnxruntime`. The two are distinct series (filter by
// `ml.framework`; do not sum across frameworks). Pipeline spans are not sampled (one span per
// pipeline call, which is a much coarser unit than a session run), so the histogram is recorded
// with `signals.record` and `signals.inference` is not used here (it could add a second span).

import type { AsyncLocalStorage } from 'node:async_hooks';
import { GENAI_FINISH_REASON, GENAI_OPERATION, GENAI_PROVIDER, type GenAiOperation } from '../../genai-conventions.js';
import type { Attributes } from '../signals.js';
import { GenerationRecorder, type Generation } from './generation.js';
import type { AnyFunction, Instrumentation, Patch, Telemetry } from './types.js';
import { observeCall, observeCallInSpan, safely } from './wrap-util.js';

const FRAMEWORK = GENAI_PROVIDER.transformersJs;

/** Export names of pipeline classes that define their own `prototype._call`. */
function pipelineClasses(exp: Record<string, unknown>): string[] {
  const names: string[] = [];
  for (const name of Object.keys(exp)) {
    if (!name.endsWith('Pipeline')) continue;
    const C = exp[name];
    if (typeof C !== 'function') continue;
    const proto = (C as { prototype?: unknown }).prototype;
    if (!proto || typeof proto !== 'object') continue;
    const desc = Object.getOwnPropertyDescriptor(proto, '_call');
    if (desc && 'value' in desc && typeof desc.value === 'function') names.push(name);
  }
  return names;
}

function patches(exp: Record<string, unknown>, t: Telemetry): Patch[] | string {
  const pipelines = pipelineClasses(exp);
  const PreTrainedModel = exp['PreTrainedModel'];
  const model = typeof PreTrainedModel === 'function' ? PreTrainedModel : undefined;
  if (pipelines.length === 0 && !model) return 'no pipeline classes and no PreTrainedModel in the exports';

  /** Loaded model → the model name as it may be sent (already through modelName). */
  const modelNames = new WeakMap<object, string>();
  /** Pipeline instance → the attributes of its calls. */
  const pipelineAttributes = new WeakMap<object, Attributes>();

  const pipelineModelName = (pipe: unknown): string | undefined => {
    const m = (pipe as { model?: unknown } | null)?.model;
    if (m === null || (typeof m !== 'object' && typeof m !== 'function')) return undefined;
    return modelNames.get(m) ?? t.modelName((m as { config?: { _name_or_path?: unknown } }).config?._name_or_path);
  };

  /** One attributes object per pipeline instance (its task and model never change): the facade caches its redacted form. */
  const attributesOf = (pipe: object): Attributes => {
    let attributes = pipelineAttributes.get(pipe);
    if (!attributes) {
      const task = (pipe as { task?: unknown }).task;
      attributes = Object.freeze({
        'ml.framework': FRAMEWORK,
        'ml.operation': 'pipeline',
        'ml.task': typeof task === 'string' ? task : undefined,
        'ml.model.name': pipelineModelName(pipe),
      }) as Attributes;
      pipelineAttributes.set(pipe, attributes);
    }
    return attributes;
  };

  const recorder = new GenerationRecorder(t);
  /** What a pipeline call tells the model calls inside it (async context: concurrent calls stay apart). */
  const als = new (process.getBuiltinModule('node:async_hooks') as typeof import('node:async_hooks')).AsyncLocalStorage<PipelineContext>() as AsyncLocalStorage<PipelineContext>;

  const modelNameOf = (m: unknown): string | undefined => {
    if (m === null || (typeof m !== 'object' && typeof m !== 'function')) return undefined;
    return modelNames.get(m) ?? t.modelName((m as { config?: { _name_or_path?: unknown } }).config?._name_or_path);
  };

  const call = (original: AnyFunction): AnyFunction => {
    const wrapper = function (this: unknown) {
      // Record only at the outermost level: a subclass `_call` calling `super._call` reaches
      // another wrapper with the same `this`, whose `_call` is not that wrapper.
      let attributes: Attributes | undefined;
      try {
        if ((this as { _call?: unknown } | null)?._call === wrapper && t.signals()) attributes = attributesOf(this as object);
      } catch {
        attributes = undefined;
      }
      if (!attributes) return original.apply(this, arguments as unknown as unknown[]);
      const attrs = attributes;
      const span = t.startSpan('ml.inference', attrs);
      const t0 = performance.now();
      // Feature extraction is an `embeddings` operation (input tokens from the tokenizer output
      // the pipeline feeds its model); chat input makes the generation inside a `chat`.
      const context = safely(() => contextFor(attrs['ml.task'], arguments[0], this));
      let embedding: Generation | undefined;
      if (context?.embedding === true) {
        embedding = recorder.start({ provider: FRAMEWORK, operation: GENAI_OPERATION.embeddings, model: modelNameOf((this as { model?: unknown }).model) }, {}, span);
        context.generation = embedding;
      }
      const self = this;
      const args = arguments;
      const run = () => observeCallInSpan(t, span, original, self, args, (error, failed) => {
        embedding?.end({ inputTokens: context?.inputTokens }, error, failed);
        t.record('ml.inference.duration', (performance.now() - t0) / 1000, attrs);
      });
      return context ? als.run(context, run) : run();
    };
    return wrapper;
  };

  /** A model's direct call (`model(inputs)`, not generate's steps): counts an embedding's input tokens. */
  const modelCall = (original: AnyFunction): AnyFunction =>
    function (this: unknown, inputs?: unknown) {
      const context = als.getStore();
      if (context?.embedding === true && context.inputTokens === undefined) {
        context.inputTokens = safely(() => tokenCount(inputs));
      }
      return original.apply(this, arguments as unknown as unknown[]);
    };

  /** `model.generate(options)`: one generative span, tokens and timing through a chained streamer. */
  const generate = (original: AnyFunction): AnyFunction =>
    function (this: unknown, options?: unknown) {
      const started = safely(() => startGeneration(this, options));
      if (!started) return original.apply(this, arguments as unknown as unknown[]);
      const { generation, inputTokens, streamer, steps } = started;
      const args = Array.prototype.slice.call(arguments) as unknown[];
      args[0] = { ...(options as object), streamer };
      const model = this;
      return observeCall(original, this, args, (error, failed) => {
        generation.end({
          inputTokens,
          outputTokens: failed ? undefined : steps.tokens,
          finishReasons: failed ? undefined : safely(() => finishReasons(model, options, steps.last)),
        }, error, failed);
      });
    };

  const startGeneration = (model: unknown, options: unknown) => {
    if (!t.signals() || options === null || typeof options !== 'object') return undefined;
    const o = options as Record<string, unknown>;
    const config = (o['generation_config'] ?? {}) as Record<string, unknown>;
    const pick = (k: string) => o[k] ?? config[k] ?? (model as { generation_config?: Record<string, unknown> } | null)?.generation_config?.[k];
    const operation: GenAiOperation = als.getStore()?.chat ? GENAI_OPERATION.chat : GENAI_OPERATION.textCompletion;
    const generation = recorder.start(
      { provider: FRAMEWORK, operation, model: modelNameOf(model) },
      { maxTokens: pick('max_new_tokens'), temperature: pick('do_sample') ? pick('temperature') : undefined, topP: pick('do_sample') ? pick('top_p') : undefined, topK: pick('do_sample') ? pick('top_k') : undefined },
    );
    const steps = { tokens: 0, puts: 0, last: undefined as unknown };
    const app = o['streamer'];
    const appStreamer = app !== null && typeof app === 'object' ? (app as { put?: AnyFunction; end?: AnyFunction }) : undefined;
    // The first put() is the prompt (or the decoder's start tokens); every later one is one
    // generation step with one new token per sequence. The app's streamer gets the same calls.
    const streamer = {
      put(value: unknown) {
        if (steps.puts++ > 0) {
          const n = Array.isArray(value) ? value.length : 1;
          generation.token(n);
          steps.tokens += n;
          steps.last = value;
        }
        if (appStreamer) return appStreamer.put!.apply(appStreamer, arguments as unknown as unknown[]);
      },
      end() {
        if (appStreamer) return appStreamer.end!.apply(appStreamer, arguments as unknown as unknown[]);
      },
    };
    return { generation, inputTokens: safely(() => tokenCount(o)), streamer, steps };
  };

  const fromPretrained = (original: AnyFunction): AnyFunction =>
    function (this: unknown, idOrPath?: unknown) {
      const modelName = t.modelName(idOrPath);
      const span = t.startSpan('ml.model.load', { 'ml.framework': FRAMEWORK, 'ml.operation': 'from_pretrained', 'ml.model.name': modelName });
      return observeCallInSpan(t, span, original, this, arguments, (_error, failed, loaded) => {
        if (!failed && modelName !== undefined && loaded !== null && (typeof loaded === 'object' || typeof loaded === 'function')) {
          modelNames.set(loaded, modelName);
        }
      });
    };

  return [
    { label: 'PreTrainedModel.prototype.generate', target: protoOf(model), method: 'generate', wrapper: generate },
    { label: 'PreTrainedModel.prototype._call', target: protoOf(model), method: '_call', wrapper: modelCall },
    ...pipelines.map((name): Patch => ({
      label: `${name}.prototype._call`,
      target: (exp[name] as { prototype: object }).prototype,
      method: '_call',
      wrapper: call,
    })),
    { label: 'PreTrainedModel.from_pretrained', target: model, method: 'from_pretrained', wrapper: fromPretrained },
  ];
}

interface PipelineContext {
  /** The pipeline call got chat messages: its generation is a `chat`. */
  readonly chat?: boolean;
  /** A feature-extraction call: an `embeddings` operation. */
  readonly embedding?: boolean;
  inputTokens?: number;
  generation?: Generation;
}

/** What the model calls inside this pipeline call need to know, if anything. */
function contextFor(task: unknown, input: unknown, _pipe: unknown): PipelineContext | undefined {
  if (task === 'feature-extraction') return { embedding: true };
  if (isChat(input) || (Array.isArray(input) && input.length > 0 && input.every(isChat))) return { chat: true };
  return undefined;
}

function isChat(x: unknown): boolean {
  return Array.isArray(x) && x.length > 0 && x.every((m) => m !== null && typeof m === 'object' && 'role' in m && 'content' in m);
}

function protoOf(C: unknown): object | undefined {
  const p = typeof C === 'function' ? (C as { prototype?: unknown }).prototype : undefined;
  return p !== null && typeof p === 'object' ? p : undefined;
}

/**
 * Input tokens of a model call or generate() options: the tokenizer's attention mask summed (real
 * tokens, padding excluded), else every input id. Tensors keep their values in `data`.
 */
function tokenCount(inputs: unknown): number | undefined {
  if (inputs === null || typeof inputs !== 'object') return undefined;
  const o = inputs as Record<string, unknown>;
  const mask = o['attention_mask'] as { data?: ArrayLike<number | bigint> } | undefined;
  if (mask?.data && typeof mask.data.length === 'number') {
    let n = 0;
    for (let i = 0; i < mask.data.length; i++) n += Number(mask.data[i]);
    return n;
  }
  const ids = (o['input_ids'] ?? o['inputs']) as { data?: ArrayLike<unknown>; dims?: number[] } | undefined;
  return ids?.data && typeof ids.data.length === 'number' ? ids.data.length : undefined;
}

/** Per sequence: `stop` when its last generated token is an end-of-sequence id, else `length`. */
function finishReasons(model: unknown, options: unknown, last: unknown): string[] | undefined {
  if (!Array.isArray(last)) return undefined;
  const o = (options ?? {}) as Record<string, unknown>;
  const eos = o['eos_token_id']
    ?? (o['generation_config'] as Record<string, unknown> | undefined)?.['eos_token_id']
    ?? (model as { generation_config?: { eos_token_id?: unknown } }).generation_config?.eos_token_id
    ?? (model as { config?: { eos_token_id?: unknown } }).config?.eos_token_id;
  const ids = new Set((Array.isArray(eos) ? eos : [eos]).filter((x) => x !== undefined && x !== null).map((x) => String(x)));
  return last.map((step) => (ids.has(String(Array.isArray(step) ? step[0] : step)) ? GENAI_FINISH_REASON.stop : GENAI_FINISH_REASON.length));
}

export const transformersInstrumentation: Instrumentation = {
  id: 'transformers',
  modules: [
    { package: '@huggingface/transformers', versions: '>=4.0.0 <5', format: 'esm' },
    { package: '@huggingface/transformers', versions: '>=4.0.0 <5', format: 'cjs' },
  ],
  patches,
};
