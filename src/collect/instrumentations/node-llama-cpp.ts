// node-llama-cpp 3.x (ESM-only: `import` of `dist/index.js`; a CommonJS app reaches it through
// `await import('node-llama-cpp')`, which the ESM hook sees the same way).
//
// What is reachable (checked in node_modules, 3.22.1): every class is exported, and the public
// methods are on the prototypes, so the prototypes are patched:
// - `Llama.prototype.loadModel(options)` → `ml.model.load` span (`ml.framework=node-llama-cpp`,
//   `ml.operation=loadModel`). The model's name is known only once it is loaded: its GGUF
//   `general.name`, through `modelName` (an allow-listed public id as it is, anything else a
//   salted hash; never the path). `ml.model.file.size` is the GGUF file's size. The span's
//   duration is the load duration. The name is remembered per model for its generations.
// - `LlamaChatSession.prototype.promptWithMeta` → `chat {model}`; `prompt()` calls
//   `this.promptWithMeta`, so both are covered once.
// - `LlamaCompletion.prototype.generateCompletionWithMeta` and `generateInfillCompletionWithMeta` →
//   `text_completion {model}`; `generateCompletion()`/`generateInfillCompletion()` call them.
// - `LlamaEmbeddingContext.prototype.getEmbeddingFor` → `embeddings {model}` (input tokens only).
//
// Token counts are the library's own: `LlamaContextSequence.tokenMeter` (`usedInputTokens`,
// `usedOutputTokens`) read before the call and after it settles; the difference is what the call
// used, including the BOS token, the chat template and the system prompt — exactly what the
// library counts. (Its "output" count includes the evaluation that produced the first token's
// logits; it is reported as the library counts it.) The library serialises calls on one sequence;
// a call that starts while another is running on the same sequence would see the other's tokens
// in its difference, so such an overlapping call reports no token counts rather than wrong ones.
//
// Timing: the call's options get an `onToken` that takes a timestamp and counts tokens, then calls
// the app's own `onToken` (if any) with the same arguments and returns what it returns, so the app
// receives exactly the calls it received before. Time to first token is from the call to the first
// `onToken`; time per output token is the span between the first and the last `onToken` divided
// by the tokens after the first.
//
// GPU memory: when the `Llama` runs on a GPU (`llama.gpu !== false`), `getVramState()` after a load
// and after generations (at most every 10 s) → `hw.gpu.memory.usage`/`limit`. On the CPU nothing.
//
// Never content: prompts, responses, token ids and vectors are only passed through, never read.

import { GENAI_FINISH_REASON, GENAI_OPERATION, GENAI_PROVIDER, type GenAiOperation } from '../../genai-conventions.js';
import type { Attributes } from '../signals.js';
import { GenerationRecorder, type Generation } from './generation.js';
import type { AnyFunction, Instrumentation, Patch, Telemetry } from './types.js';
import { observeCall, observeCallInSpan, safely } from './wrap-util.js';

const FRAMEWORK = GENAI_PROVIDER.nodeLlamaCpp;
const VRAM_INTERVAL_MS = 10_000;
const VRAM_ATTRIBUTES: Attributes = Object.freeze({ 'hw.type': 'gpu', 'hw.id': 'all', 'ml.framework': FRAMEWORK });

interface MeterState {
  readonly usedInputTokens: number;
  readonly usedOutputTokens: number;
}
interface TokenMeterLike {
  getState(): MeterState;
}

/** node-llama-cpp's stop reasons → the conventions' finish reasons (unknown ones pass as they are: a library enum). */
const FINISH_REASONS: Readonly<Record<string, string>> = {
  eogToken: GENAI_FINISH_REASON.stop,
  stopGenerationTrigger: GENAI_FINISH_REASON.stop,
  customStopTrigger: GENAI_FINISH_REASON.stop,
  maxTokens: GENAI_FINISH_REASON.length,
  functionCalls: GENAI_FINISH_REASON.toolCalls,
  abort: GENAI_FINISH_REASON.cancelled,
};

function finishReasons(result: unknown): string[] | undefined {
  // LlamaChatSession.promptWithMeta → { stopReason }; LlamaCompletion.*WithMeta → { metadata: { stopReason } }
  const reason = safely(() => {
    const r = result as { stopReason?: unknown; metadata?: { stopReason?: unknown } } | null;
    return r?.stopReason ?? r?.metadata?.stopReason;
  });
  if (typeof reason !== 'string' || !/^[A-Za-z_]{1,40}$/.test(reason)) return undefined;
  return [FINISH_REASONS[reason] ?? reason];
}

function meterState(meter: TokenMeterLike | undefined): MeterState | undefined {
  if (!meter) return undefined;
  return safely(() => {
    const s = meter.getState();
    return typeof s?.usedInputTokens === 'number' && typeof s.usedOutputTokens === 'number' ? s : undefined;
  });
}

function tokenMeterOf(sequence: unknown): TokenMeterLike | undefined {
  const meter = safely(() => (sequence as { tokenMeter?: unknown } | null)?.tokenMeter);
  return meter !== null && typeof meter === 'object' && typeof (meter as TokenMeterLike).getState === 'function'
    ? (meter as TokenMeterLike)
    : undefined;
}

function patches(exp: Record<string, unknown>, t: Telemetry): Patch[] | string {
  const proto = (name: string): object | undefined => {
    const C = exp[name];
    const p = typeof C === 'function' ? (C as { prototype?: unknown }).prototype : undefined;
    return p !== null && typeof p === 'object' ? p : undefined;
  };
  const llama = proto('Llama');
  const chatSession = proto('LlamaChatSession');
  const completion = proto('LlamaCompletion');
  const embeddingContext = proto('LlamaEmbeddingContext');
  if (!llama && !chatSession && !completion && !embeddingContext) return 'no Llama, LlamaChatSession, LlamaCompletion or LlamaEmbeddingContext in the exports';

  const recorder = new GenerationRecorder(t);
  /** Loaded model → its name as it may be sent. */
  const modelNames = new WeakMap<object, string>();
  /** Token meter → calls running on it (see the header: overlapping calls report no counts). */
  const inFlight = new WeakMap<object, number>();
  /** Model → the Llama that loaded it (for VRAM state). */
  const llamaOf = new WeakMap<object, object>();
  let lastVramMs = -Infinity;

  const nameOfModel = (model: unknown): string | undefined => {
    if (model === null || typeof model !== 'object') return undefined;
    const known = modelNames.get(model);
    if (known !== undefined) return known;
    const name = ggufName(model) ?? undefined;
    const safe = name !== undefined ? t.modelName(name) : undefined;
    if (safe !== undefined) modelNames.set(model, safe);
    return safe;
  };

  const recordVram = (llamaInstance: unknown, force: boolean): void => {
    safely(() => {
      if (llamaInstance === null || typeof llamaInstance !== 'object') return;
      const l = llamaInstance as { gpu?: unknown; getVramState?: () => Promise<{ total?: unknown; used?: unknown }> };
      if (l.gpu === false || l.gpu === undefined || typeof l.getVramState !== 'function') return;
      const now = performance.now();
      if (!force && now - lastVramMs < VRAM_INTERVAL_MS) return;
      lastVramMs = now;
      l.getVramState().then(
        (s) => {
          if (typeof s?.used === 'number') t.record('hw.gpu.memory.usage', s.used, VRAM_ATTRIBUTES);
          if (typeof s?.total === 'number') t.record('hw.gpu.memory.limit', s.total, VRAM_ATTRIBUTES);
        },
        () => undefined,
      );
    });
  };

  const loadModel = (original: AnyFunction): AnyFunction =>
    function (this: unknown, options?: unknown) {
      const span = t.startSpan('ml.model.load', { 'ml.framework': FRAMEWORK, 'ml.operation': 'loadModel' });
      const self = this;
      return observeCallInSpan(t, span, original, this, arguments, (_error, failed, model) => {
        if (failed || model === null || typeof model !== 'object') return;
        const name = nameOfModel(model);
        const size = fileSize(model, options);
        span?.setAttributes({ 'ml.model.name': name, 'ml.model.file.size': size });
        if (self !== null && typeof self === 'object') llamaOf.set(model, self);
        recordVram(self, true);
      });
    };

  /**
   * Wraps a generating method whose options object is argument `optionsIndex`: span, meter
   * difference, and a chained `onToken` in a copy of the options (the app's object is not changed).
   */
  const generating = (operation: GenAiOperation, optionsIndex: number, sequenceOf: (self: unknown) => unknown) =>
    (original: AnyFunction): AnyFunction =>
      function (this: unknown) {
        const args = Array.prototype.slice.call(arguments) as unknown[];
        const started = safely(() => begin(this, operation, args[optionsIndex], sequenceOf));
        if (!started) return original.apply(this, args);
        const { generation, meter, before, overlapping } = started;
        if (started.options !== undefined) {
          while (args.length <= optionsIndex) args.push(undefined);
          args[optionsIndex] = started.options;
        }
        return observeCall(original, this, args, (error, failed, result) => {
          const after = meterState(meter);
          if (meter) {
            const n = (inFlight.get(meter) ?? 1) - 1;
            if (n > 0) inFlight.set(meter, n);
            else inFlight.delete(meter);
          }
          const exact = before !== undefined && after !== undefined && !overlapping;
          const usedIn = exact ? after.usedInputTokens - before.usedInputTokens : undefined;
          const usedOut = exact ? after.usedOutputTokens - before.usedOutputTokens : undefined;
          const embeddings = operation === GENAI_OPERATION.embeddings;
          generation.end(
            {
              // An embedding evaluates its input once; the meter files the last token (whose
              // logits it computes) under "output", so the input is both together.
              inputTokens: embeddings && usedIn !== undefined && usedOut !== undefined ? usedIn + usedOut : usedIn,
              outputTokens: embeddings ? undefined : usedOut,
              finishReasons: failed ? undefined : finishReasons(result),
            },
            error,
            failed,
          );
          recordVram(llamaOfSequence(this, sequenceOf), false);
        });
      };

  const llamaOfSequence = (self: unknown, sequenceOf: (self: unknown) => unknown): object | undefined =>
    safely(() => {
      const model = (sequenceOf(self) as { model?: unknown } | null)?.model;
      return model !== null && typeof model === 'object' ? llamaOf.get(model) : undefined;
    });

  const begin = (self: unknown, operation: GenAiOperation, options: unknown, sequenceOf: (self: unknown) => unknown) => {
    if (!t.signals()) return undefined;
    const sequence = sequenceOf(self);
    // Getters of a disposed sequence throw: the call then fails in the library, and is recorded.
    const model = safely(() => (sequence as { model?: unknown } | null)?.model);
    const o = options !== null && typeof options === 'object' ? (options as Record<string, unknown>) : undefined;
    const generation = recorder.start(
      { provider: FRAMEWORK, operation, model: nameOfModel(model) },
      o ? { maxTokens: o['maxTokens'], temperature: o['temperature'], topP: o['topP'], topK: o['topK'] } : {},
    );
    const meter = tokenMeterOf(sequence);
    const overlapping = meter !== undefined && (inFlight.get(meter) ?? 0) > 0;
    if (meter) inFlight.set(meter, (inFlight.get(meter) ?? 0) + 1);
    const before = meterState(meter);
    // Embeddings stream no tokens: their options (none) stay as they are.
    const chained = operation === GENAI_OPERATION.embeddings ? undefined : withTokenTimer(o, generation);
    return { generation, meter, before, overlapping, options: chained };
  };

  const chatSequence = (self: unknown): unknown => safely(() => (self as { sequence?: unknown } | null)?.sequence);
  // LlamaCompletion and LlamaEmbeddingContext keep their sequence in `_sequence` (no public getter).
  const ownSequence = (self: unknown): unknown => safely(() => (self as { _sequence?: unknown } | null)?._sequence);

  return [
    { label: 'Llama.prototype.loadModel', target: llama, method: 'loadModel', wrapper: loadModel },
    { label: 'LlamaChatSession.prototype.promptWithMeta', target: chatSession, method: 'promptWithMeta', wrapper: generating(GENAI_OPERATION.chat, 1, chatSequence) },
    { label: 'LlamaCompletion.prototype.generateCompletionWithMeta', target: completion, method: 'generateCompletionWithMeta', wrapper: generating(GENAI_OPERATION.textCompletion, 1, ownSequence) },
    { label: 'LlamaCompletion.prototype.generateInfillCompletionWithMeta', target: completion, method: 'generateInfillCompletionWithMeta', wrapper: generating(GENAI_OPERATION.textCompletion, 2, ownSequence), optional: true },
    { label: 'LlamaEmbeddingContext.prototype.getEmbeddingFor', target: embeddingContext, method: 'getEmbeddingFor', wrapper: generating(GENAI_OPERATION.embeddings, 1, ownSequence) },
  ];
}

/**
 * A copy of the app's options whose `onToken` times the tokens and then calls the app's own
 * `onToken` (same `this`, same arguments, same return value). The hot path: `generation.token`.
 */
function withTokenTimer(options: Record<string, unknown> | undefined, generation: Generation): Record<string, unknown> {
  const appOnToken = options?.['onToken'];
  const onToken = typeof appOnToken === 'function'
    ? function (this: unknown, tokens: unknown) {
        generation.token(Array.isArray(tokens) ? tokens.length : 1);
        return (appOnToken as AnyFunction).apply(this, arguments as unknown as unknown[]);
      }
    : function (tokens: unknown) {
        generation.token(Array.isArray(tokens) ? tokens.length : 1);
      };
  return { ...options, onToken };
}

/** The GGUF `general.name` of a loaded model, if it has one. */
function ggufName(model: object): string | undefined {
  const name = safely(() => (model as { fileInfo?: { metadata?: { general?: { name?: unknown } } } }).fileInfo?.metadata?.general?.name);
  return typeof name === 'string' && name.trim() !== '' ? name.trim() : undefined;
}

/** Size in bytes of the model's file (a local stat; the path itself is never recorded). */
function fileSize(model: object, options: unknown): number | undefined {
  return safely(() => {
    // `_modelPath` is the resolved path (`filename` is only the base name).
    const file = (model as { _modelPath?: unknown })._modelPath ?? (options as { modelPath?: unknown } | null)?.modelPath;
    if (typeof file !== 'string' || file === '') return undefined;
    const { statSync } = process.getBuiltinModule('node:fs') as typeof import('node:fs');
    const s = statSync(file, { throwIfNoEntry: false });
    return s?.isFile() ? s.size : undefined;
  });
}

export const nodeLlamaCppInstrumentation: Instrumentation = {
  id: 'node-llama-cpp',
  modules: [{ package: 'node-llama-cpp', versions: '>=3.0.0 <4', format: 'esm' }],
  patches,
};
