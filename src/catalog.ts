// The single list of everything the agent may collect. It feeds the allow-list filter,
// `telemetry-agent status`, docs/privacy.md (checked by a test) and the collector-tier tests.
// Bump DATA_VERSION (and add a DATA_CHANGES entry) in ./data-version.ts whenever something new is collected:
// saved consent given for an older version then no longer counts.
// GenAI names come from ./genai-conventions.ts (one place, so a convention rename is one edit).

import { GENAI_ATTR, GENAI_BUCKETS, GENAI_METRIC, GENAI_SPAN_NAME_PATTERN } from './genai-conventions.js';
export { DATA_CHANGES, DATA_VERSION } from './data-version.js';

export interface AttributeSpec {
  readonly key: string;
  readonly description: string;
  /** Why sending it is harmless (resource attributes: printed on every tool's telemetry page). */
  readonly harmless?: string;
}

/** Resource attributes: nothing else is ever attached to the resource. */
export const RESOURCE_ATTRIBUTES: readonly AttributeSpec[] = [
  { key: 'service.name', description: 'the app or tool name (OTEL_SERVICE_NAME or start({ serviceName }))', harmless: 'names the tool, not you' },
  { key: 'service.version', description: 'the app or tool version, when given', harmless: 'the tool\'s release, the same for everyone who installed it' },
  { key: 'service.instance.id', description: 'random ID, new for every process run', harmless: 'random, new for every run: it links the payloads of one run and nothing else' },
  { key: 'telemetry.sdk.name', description: 'opentelemetry', harmless: 'a constant' },
  { key: 'telemetry.sdk.language', description: 'nodejs', harmless: 'a constant' },
  { key: 'telemetry.sdk.version', description: 'the OpenTelemetry SDK version', harmless: 'a library version, the same for everyone' },
  { key: 'telemetry.distro.name', description: 'telemetry-agent', harmless: 'a constant' },
  { key: 'telemetry.distro.version', description: 'the telemetry-agent version', harmless: 'a library version, the same for everyone' },
  { key: 'telemetry.install.id', description: 'random ID saved in your config dir; `telemetry-agent reset` replaces it', harmless: 'random, made on this machine, derived from nothing about you; `reset` replaces it and it is what a deletion request quotes' },
  { key: 'process.runtime.name', description: 'nodejs', harmless: 'a constant' },
  { key: 'process.runtime.version', description: 'the Node.js version', harmless: 'a public release number shared by millions' },
  { key: 'os.type', description: 'linux, darwin, windows, …', harmless: 'one of a handful of values' },
  { key: 'os.version', description: 'the kernel / OS release number', harmless: 'a public release number, no host name or serial' },
  { key: 'host.arch', description: 'CPU architecture (amd64, arm64, …)', harmless: 'one of a handful of values' },
  { key: 'host.cpu.model.name', description: 'CPU model name', harmless: 'a product name sold by the million, never a serial number' },
  { key: 'host.cpu.logical_count', description: 'number of logical CPUs', harmless: 'a small number' },
  { key: 'host.memory.total', description: 'total memory in bytes', harmless: 'a size, not what is in it' },
  { key: 'host.gpu.count', description: 'number of GPUs', harmless: 'a small number' },
  { key: 'host.gpu.model.names', description: 'GPU model names', harmless: 'product names, never a GPU UUID or serial' },
  { key: 'host.gpu.memory.total', description: 'total GPU memory in bytes', harmless: 'a size, not what is in it' },
  { key: 'deployment.environment.name', description: '"ci" when running in CI', harmless: 'only ever the word "ci"' },
];

/** Never attached, whatever any code or environment variable asks for. */
export const FORBIDDEN_RESOURCE_KEYS: readonly string[] = [
  'host.name', // never: names the machine
  'host.id', // never: /etc/machine-id, a stable machine identifier
  'host.ip', // never: network identity
  'host.mac', // never: hardware identity
  'client.address', // never: added by receivers from the connection
  'network.peer.address', // never: network identity
  'user.name', // never: a person
  'process.owner', // never: the user name
  'process.command', // never: may hold paths and secrets
  'process.command_line', // never: may hold paths and secrets
  'process.command_args', // never: may hold paths and secrets
  'process.executable.path', // never: a path with the user name
  'process.executable.name', // never: not needed, may identify a private tool
  'process.working_directory', // never: a path with the user name
];

export interface SpanSpec {
  readonly name: string;
  readonly description: string;
}

export const SPANS: readonly SpanSpec[] = [
  { name: 'ml.train', description: 'one training run (fit, fitDataset or a progress() run)' },
  { name: 'ml.train.epoch', description: 'one epoch, child of ml.train' },
  { name: 'ml.model.load', description: 'loading a model' },
  { name: 'ml.inference', description: 'an inference call (sampled when calls are frequent)' },
  { name: GENAI_SPAN_NAME_PATTERN, description: 'one generative call (chat, text_completion or embeddings) of an in-process model, e.g. `chat Xenova/gpt2`; never its prompt or answer' },
  { name: 'uncaught_exception', description: 'the app crashed with an uncaught exception or unhandled rejection' },
  { name: 'usage', description: 'a usage event an embedding tool declared and recorded with recordUsage(), or one CLI command timed with recordCommand()' },
];

/** Span event names: other events are dropped. */
export const SPAN_EVENTS: readonly SpanSpec[] = [
  { name: 'exception', description: 'an error, with exception.type, exception.message and exception.stacktrace (redacted)' },
  { name: 'ml.training.metric', description: 'one value of an epoch (on ml.train.epoch): ml.metric.name, ml.metric.split, ml.metric.value' },
];

/** Attribute keys allowed on spans, span events and metric points. Other keys are dropped. */
export const SIGNAL_ATTRIBUTES: readonly AttributeSpec[] = [
  { key: 'ml.framework', description: 'tfjs, onnxruntime, transformers.js, node-llama-cpp or custom' },
  { key: 'ml.model.name', description: 'public model id (allow-listed organisations) or a salted hash; never a path' },
  { key: 'ml.model.file.size', description: 'size of the model file in bytes (node-llama-cpp)' },
  { key: 'ml.task', description: 'pipeline task, e.g. text-classification' },
  { key: 'ml.operation', description: 'fit, fitDataset, predict, run, …' },
  { key: 'ml.training.epochs.total', description: 'planned number of epochs' },
  { key: 'ml.training.batch_size', description: 'batch size' },
  { key: 'ml.training.steps_per_epoch', description: 'batches per epoch, when known' },
  { key: 'ml.training.steps.total', description: 'planned number of steps of a progress() run' },
  { key: 'ml.training.unit', description: 'step or epoch (progress() runs)' },
  { key: 'ml.training.epoch', description: 'epoch index' },
  { key: 'ml.training.loss', description: 'training loss of the epoch (ml.train.epoch)' },
  { key: 'ml.training.epochs.completed', description: 'epochs completed in the run (ml.train)' },
  { key: 'ml.training.batches.completed', description: 'batches (optimizer steps) completed in the run (ml.train) or the epoch (ml.train.epoch)' },
  { key: 'ml.training.samples.completed', description: 'training samples processed in the run (ml.train) or the epoch (ml.train.epoch); validation excluded' },
  { key: 'ml.training.fit.index', description: 'index of this fit call on the same model object: 0, 1, …' },
  { key: 'ml.model.instance.id', description: 'random ID of the model object, new in every process, to group repeated fit calls' },
  { key: 'ml.metric.split', description: 'train or validation' },
  { key: 'ml.metric.name', description: 'training metric name: a known TensorFlow.js/Keras name (acc, mse, …) as it is, others hashed' },
  { key: 'ml.metric.value', description: 'value of a training metric (ml.training.metric span events)' },
  { key: 'ml.run.name', description: 'the name given to progress() (redacted)' },
  { key: 'ml.inference.sampled_every', description: 'how many calls one sampled ml.inference span stands for' },
  { key: GENAI_ATTR.operationName, description: 'generative operation: chat, text_completion or embeddings' },
  { key: GENAI_ATTR.providerName, description: 'the library running the model: node-llama-cpp or transformers.js' },
  { key: GENAI_ATTR.requestModel, description: 'the model, as ml.model.name (public id or a salted hash)' },
  { key: GENAI_ATTR.requestMaxTokens, description: 'the maximum number of tokens the call asked for' },
  { key: GENAI_ATTR.requestTemperature, description: 'sampling temperature the call asked for' },
  { key: GENAI_ATTR.requestTopP, description: 'top-p the call asked for' },
  { key: GENAI_ATTR.requestTopK, description: 'top-k the call asked for' },
  { key: GENAI_ATTR.usageInputTokens, description: 'input tokens, as counted by the library (never estimated)' },
  { key: GENAI_ATTR.usageOutputTokens, description: 'output tokens, as counted by the library (never estimated)' },
  { key: GENAI_ATTR.responseFinishReasons, description: 'why generation stopped: stop, length, tool_calls, cancelled, …' },
  { key: GENAI_ATTR.tokenType, description: 'input or output (token usage metric)' },
  { key: 'usage.name', description: 'the declared event name given to recordUsage(), or "command" for recordCommand()' },
  { key: 'usage.command', description: 'the declared command name given to recordCommand()' },
  { key: 'usage.dropped.reason', description: 'why recordUsage() dropped something: undeclared_event, undeclared_attribute, wrong_type, value_not_allowed or undeclared_command' },
  { key: 'error.type', description: 'the error\'s own name, as Node prints it (e.g. ValueError)' },
  { key: 'exception.type', description: 'the error\'s own name, as Node prints it (e.g. ValueError)' },
  { key: 'exception.message', description: 'exception message, redacted' },
  { key: 'exception.stacktrace', description: 'stack trace, redacted (dependency frames kept as node_modules/<pkg>/…, your own files as <path:hash>:line:col)' },
  { key: 'exception.origin', description: 'uncaughtException or unhandledRejection' },
  { key: 'hw.id', description: 'GPU index (never its UUID)' },
  { key: 'hw.type', description: 'gpu' },
  { key: 'process.memory.type', description: 'rss' },
  { key: 'otel.metric.overflow', description: 'true on the one series that counts what went over a metric\'s cardinality limit' },
];

export type InstrumentKind = 'gauge' | 'counter' | 'histogram';

export interface MetricSpec {
  readonly name: string;
  readonly kind: InstrumentKind;
  readonly unit: string;
  readonly description: string;
  /**
   * Gauges whose every value is its own data point with the time it was observed (kept by hand,
   * bounded, sent at the next export): a short run still draws a curve. Others send their last
   * value at each export.
   */
  readonly timed?: boolean;
  /** Histogram bucket boundaries, when not the default (seconds, fine at the low end). */
  readonly buckets?: readonly number[];
}

export const METRICS: readonly MetricSpec[] = [
  { name: 'process.memory.usage', kind: 'gauge', unit: 'By', description: 'resident set size of the process' },
  { name: 'v8js.memory.heap.used', kind: 'gauge', unit: 'By', description: 'V8 heap in use' },
  { name: 'ml.tfjs.memory.bytes', kind: 'gauge', unit: 'By', description: 'bytes held by TensorFlow.js tensors' },
  { name: 'ml.tfjs.memory.tensors', kind: 'gauge', unit: '{tensor}', description: 'live TensorFlow.js tensors' },
  { name: 'hw.gpu.memory.usage', kind: 'gauge', unit: 'By', description: 'GPU memory in use (nvidia-smi)' },
  { name: 'hw.gpu.memory.limit', kind: 'gauge', unit: 'By', description: 'GPU memory size (nvidia-smi)' },
  { name: 'hw.gpu.utilization', kind: 'gauge', unit: '1', description: 'GPU utilisation 0..1 (nvidia-smi)' },
  { name: 'ml.training.progress', kind: 'gauge', unit: '1', description: 'fraction of the training run done, 0..1' },
  { name: 'ml.training.epochs.completed', kind: 'counter', unit: '{epoch}', description: 'epochs completed' },
  { name: 'ml.training.batches.completed', kind: 'counter', unit: '{batch}', description: 'batches (steps) completed; optimizer steps outside fit with ml.operation=minimize' },
  { name: 'ml.training.samples.completed', kind: 'counter', unit: '{sample}', description: 'training samples processed (validation excluded)' },
  { name: 'ml.training.loss', kind: 'gauge', unit: '1', description: 'loss per epoch (and the latest batch loss), ml.metric.split=train|validation', timed: true },
  { name: 'ml.training.metric', kind: 'gauge', unit: '1', description: 'other training metrics per epoch, by ml.metric.name and ml.metric.split', timed: true },
  { name: 'ml.inference.duration', kind: 'histogram', unit: 's', description: 'duration of each inference call' },
  { name: GENAI_METRIC.operationDuration, kind: 'histogram', unit: 's', description: 'duration of each generative call', buckets: GENAI_BUCKETS.operationDuration },
  { name: GENAI_METRIC.tokenUsage, kind: 'histogram', unit: '{token}', description: 'input and output tokens of each generative call (gen_ai.token.type)', buckets: GENAI_BUCKETS.tokens },
  { name: GENAI_METRIC.timeToFirstToken, kind: 'histogram', unit: 's', description: 'time from the call to the first generated token', buckets: GENAI_BUCKETS.timeToFirstToken },
  { name: GENAI_METRIC.timePerOutputToken, kind: 'histogram', unit: 's', description: 'decode time per token after the first', buckets: GENAI_BUCKETS.timePerOutputToken },
  { name: 'ml.errors', kind: 'counter', unit: '{error}', description: 'errors, by error.type' },
  { name: 'telemetry_agent.usage.dropped', kind: 'counter', unit: '{item}', description: 'usage events or attributes dropped because the tool\'s description does not declare them, by usage.dropped.reason' },
  { name: 'telemetry_agent.install.created', kind: 'counter', unit: '{install}', description: '1, once, in the run that created this product\'s install ID (new installs per day)' },
  { name: 'telemetry_agent.queue.dropped', kind: 'counter', unit: '{payload}', description: 'payloads dropped: the on-disk queue was full, their destination was gone, or they were too large even split' },
];

export const METRIC_NAMES: readonly string[] = /* @__PURE__ */ METRICS.map((m) => m.name);
export const SPAN_NAMES: readonly string[] = /* @__PURE__ */ SPANS.map((s) => s.name);
export const SPAN_EVENT_NAMES: readonly string[] = /* @__PURE__ */ SPAN_EVENTS.map((s) => s.name);
export const RESOURCE_KEYS: readonly string[] = /* @__PURE__ */ RESOURCE_ATTRIBUTES.map((a) => a.key);
export const SIGNAL_ATTRIBUTE_KEYS: readonly string[] = /* @__PURE__ */ SIGNAL_ATTRIBUTES.map((a) => a.key);

/** Model names from these organisations are public and sent as-is; others are hashed. */
export const DEFAULT_PUBLIC_MODEL_ORGS: readonly string[] = ['Xenova', 'onnx-community', 'HuggingFaceTB', 'google', 'microsoft', 'meta-llama', 'openai', 'sentence-transformers', 'distilbert', 'facebook'];

/**
 * Training metric names sent as they are (`ml.metric.name`): the names TensorFlow.js and Keras
 * give their built-in metrics. Any other name (a custom metric function, a multi-output prefix)
 * is hashed like a model name.
 */
export const KNOWN_TRAINING_METRICS: readonly string[] = [
  'loss', 'acc', 'accuracy', 'ce', 'crossentropy',
  'binaryAccuracy', 'categoricalAccuracy', 'sparseCategoricalAccuracy', 'topKCategoricalAccuracy', 'sparseTopKCategoricalAccuracy',
  'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy',
  'meanSquaredError', 'meanAbsoluteError', 'meanAbsolutePercentageError', 'meanSquaredLogarithmicError',
  'mse', 'mae', 'mape', 'msle', 'MSE', 'MAE', 'MAPE', 'MSLE',
  'cosineProximity', 'cosine', 'precision', 'recall', 'r2Score', 'auc', 'AUC',
  'kld', 'KLD', 'kullbackLeiblerDivergence', 'poisson', 'hinge', 'squaredHinge', 'categoricalHinge', 'logcosh', 'huber',
  'binary_accuracy', 'categorical_accuracy', 'sparse_categorical_accuracy', 'top_k_categorical_accuracy',
  'binary_crossentropy', 'categorical_crossentropy', 'sparse_categorical_crossentropy',
  'mean_squared_error', 'mean_absolute_error', 'mean_absolute_percentage_error', 'mean_squared_logarithmic_error',
  'kullback_leibler_divergence', 'squared_hinge', 'categorical_hinge', 'cosine_similarity',
];
