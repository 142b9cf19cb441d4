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

import type { Attributes } from '../signals.js';
import type { AnyFunction, Instrumentation, Patch, Telemetry } from './types.js';
import { observeCallInSpan } from './wrap-util.js';

const FRAMEWORK = 'transformers.js';

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
      return observeCallInSpan(t, span, original, this, arguments, () =>
        t.record('ml.inference.duration', (performance.now() - t0) / 1000, attrs));
    };
    return wrapper;
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
    ...pipelines.map((name): Patch => ({
      label: `${name}.prototype._call`,
      target: (exp[name] as { prototype: object }).prototype,
      method: '_call',
      wrapper: call,
    })),
    { label: 'PreTrainedModel.from_pretrained', target: model, method: 'from_pretrained', wrapper: fromPretrained },
  ];
}

export const transformersInstrumentation: Instrumentation = {
  id: 'transformers',
  modules: [
    { package: '@huggingface/transformers', versions: '>=4.0.0 <5', format: 'esm' },
    { package: '@huggingface/transformers', versions: '>=4.0.0 <5', format: 'cjs' },
  ],
  patches,
};
