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
// `signals.withSpan`, so the `session.run` calls inside are recorded by the onnxruntime
// instrumentation as its children. Counting: the pipeline call's duration goes to
// `ml.inference.duration` with `ml.framework=transformers.js`; the ONNX runs inside it keep
// theirs with `ml.framework=onnxruntime`. The two are distinct series (filter by
// `ml.framework`; do not sum across frameworks). Pipeline spans are not sampled (one span per
// pipeline call, which is a much coarser unit than a session run), so the histogram is recorded
// with `signals.record` and `signals.inference` is not used here (it could add a second span).

import type { Attributes, Signals } from '../signals.js';
import type { Instrumentation } from './types.js';
import {
  debug,
  finishSpan,
  getSignals,
  observe,
  runInSpan,
  safeModelName,
  safeStartSpan,
  satisfies,
  unwrapMethod,
  wrapMethod,
} from './wrap-util.js';

const VERSIONS = '>=4.0.0 <5';
const FRAMEWORK = 'transformers.js';

type Fn = (this: unknown, ...args: any[]) => any;

let currentSignals: (() => Signals) | undefined;

/** Loaded model → the model name as it may be sent (already through signals.modelName). */
const modelNames = new WeakMap<object, string>();
/** Pipeline instance → the attributes of its calls. */
const pipelineAttributes = new WeakMap<object, Attributes>();

function pipelineModelName(s: Signals, pipe: unknown): string | undefined {
  try {
    const model = (pipe as { model?: unknown } | null)?.model;
    if (model === null || (typeof model !== 'object' && typeof model !== 'function')) return undefined;
    const known = modelNames.get(model);
    if (known !== undefined) return known;
    const fromConfig = (model as { config?: { _name_or_path?: unknown } }).config?._name_or_path;
    return safeModelName(s, fromConfig);
  } catch {
    return undefined;
  }
}

function callWrapper(original: Fn): Fn {
  const wrapper = function (this: unknown) {
    const args = arguments as unknown as unknown[];
    let s: Signals | undefined;
    let attributes: Attributes | undefined;
    try {
      // Record only at the outermost level: a subclass `_call` calling `super._call` reaches
      // another wrapper with the same `this`, whose `_call` is not that wrapper.
      if ((this as { _call?: unknown } | null)?._call === wrapper) {
        s = getSignals(currentSignals);
        if (s) {
          // One attributes object per pipeline instance (its task and model never change): the
          // facade caches the redacted form per object, so repeated calls cost no redaction.
          attributes = pipelineAttributes.get(this as object);
          if (!attributes) {
            const task = (this as { task?: unknown }).task;
            attributes = Object.freeze({
              'ml.framework': FRAMEWORK,
              'ml.operation': 'pipeline',
              'ml.task': typeof task === 'string' ? task : undefined,
              'ml.model.name': pipelineModelName(s, this),
            }) as Attributes;
            pipelineAttributes.set(this as object, attributes);
          }
        }
      }
    } catch {
      s = undefined;
    }
    if (!s || !attributes) return original.apply(this, args);
    const span = safeStartSpan(s, 'ml.inference', attributes);
    const t0 = performance.now();
    const signals = s;
    const attrs = attributes;
    const done = (error: unknown, failed: boolean): void => {
      try {
        signals.record('ml.inference.duration', (performance.now() - t0) / 1000, attrs);
      } catch {
        // ignore
      }
      finishSpan(span, error, failed);
    };
    let result: unknown;
    try {
      result = runInSpan(s, span, () => original.apply(this, args));
    } catch (error) {
      done(error, true);
      throw error;
    }
    return observe(result, done);
  };
  return wrapper as Fn;
}

function fromPretrainedWrapper(original: Fn): Fn {
  return function (this: unknown, idOrPath?: unknown) {
    const args = arguments as unknown as unknown[];
    const s = getSignals(currentSignals);
    const modelName = safeModelName(s, idOrPath);
    const span = safeStartSpan(s, 'ml.model.load', {
      'ml.framework': FRAMEWORK,
      'ml.operation': 'from_pretrained',
      'ml.model.name': modelName,
    });
    if (!span) return original.apply(this, args);
    let result: unknown;
    try {
      result = runInSpan(s, span, () => original.apply(this, args));
    } catch (error) {
      finishSpan(span, error, true);
      throw error;
    }
    if (!(result instanceof Promise)) {
      finishSpan(span, undefined, false);
      return result;
    }
    return result.then(
      (model: unknown) => {
        try {
          if (modelName !== undefined && model !== null && (typeof model === 'object' || typeof model === 'function')) {
            modelNames.set(model, modelName);
          }
        } catch {
          // ignore
        }
        finishSpan(span, undefined, false);
        return model;
      },
      (error: unknown) => {
        finishSpan(span, error, true);
        throw error;
      },
    );
  };
}

/** Export names of pipeline classes that define their own `prototype._call`. */
function pipelineClasses(exp: Record<string, unknown>): string[] {
  const names: string[] = [];
  let keys: string[] = [];
  try {
    keys = Object.keys(exp);
  } catch {
    return names;
  }
  for (const name of keys) {
    if (!name.endsWith('Pipeline')) continue;
    try {
      const C = exp[name];
      if (typeof C !== 'function') continue;
      const proto = (C as { prototype?: unknown }).prototype;
      if (!proto || typeof proto !== 'object') continue;
      const desc = Object.getOwnPropertyDescriptor(proto, '_call');
      if (desc && 'value' in desc && typeof desc.value === 'function') names.push(name);
    } catch {
      // skip this export
    }
  }
  return names;
}

function preTrainedModel(exp: Record<string, unknown>): Function | undefined {
  try {
    const C = exp['PreTrainedModel'];
    return typeof C === 'function' && typeof (C as unknown as Record<string, unknown>)['from_pretrained'] === 'function'
      ? C
      : undefined;
  } catch {
    return undefined;
  }
}

function wrap(moduleExports: unknown, signals: () => Signals, packageVersion: string): void {
  try {
    if (!satisfies(packageVersion, VERSIONS)) {
      debug(signals, `transformers: version ${String(packageVersion)} is not in ${VERSIONS}; not instrumented`);
      return;
    }
    if (moduleExports === null || (typeof moduleExports !== 'object' && typeof moduleExports !== 'function')) {
      debug(signals, 'transformers: unexpected module exports; not instrumented');
      return;
    }
    const exp = moduleExports as Record<string, unknown>;
    const pipelines = pipelineClasses(exp);
    const model = preTrainedModel(exp);
    if (pipelines.length === 0 && !model) {
      debug(signals, 'transformers: no pipeline classes and no PreTrainedModel in the exports; not instrumented');
      return;
    }
    currentSignals = signals;
    const skipped: string[] = [];
    for (const name of pipelines) {
      const proto = (exp[name] as { prototype: object }).prototype;
      if (!wrapMethod(proto, '_call', callWrapper)) skipped.push(`${name}.prototype._call`);
    }
    if (!model) skipped.push('PreTrainedModel.from_pretrained (not exported)');
    else if (!wrapMethod(model, 'from_pretrained', fromPretrainedWrapper)) skipped.push('PreTrainedModel.from_pretrained');
    if (skipped.length > 0) debug(signals, `transformers: not patched: ${skipped.join(', ')}`);
  } catch (error) {
    debug(signals, `transformers: instrumentation failed: ${String((error as Error)?.message ?? error)}`);
  }
}

function unwrap(moduleExports: unknown): void {
  try {
    if (moduleExports === null || (typeof moduleExports !== 'object' && typeof moduleExports !== 'function')) return;
    const exp = moduleExports as Record<string, unknown>;
    for (const name of pipelineClasses(exp)) unwrapMethod((exp[name] as { prototype: object }).prototype, '_call');
    const model = preTrainedModel(exp);
    if (model) unwrapMethod(model, 'from_pretrained');
  } catch {
    // ignore
  }
}

export const transformersInstrumentation: Instrumentation = {
  id: 'transformers',
  modules: [
    { package: '@huggingface/transformers', versions: VERSIONS, format: 'esm' },
    { package: '@huggingface/transformers', versions: VERSIONS, format: 'cjs' },
  ],
  wrap,
  unwrap,
};
