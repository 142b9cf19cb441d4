// Every OpenTelemetry GenAI name the agent uses, in one place: the GenAI conventions are in
// development status and names still move (an open proposal renames the client metrics to
// `gen_ai.client.inference.*`), so a rename must be one edit here. The catalog (src/catalog.ts)
// builds its allow-list entries from these constants, and the instrumentations import them.
//
// Followed: OpenTelemetry semantic conventions v1.41.0, docs/gen-ai (the last core release that
// carried the GenAI conventions before they moved to open-telemetry/semantic-conventions-genai).

/** The convention version followed (docs/generative-inference.md says the same). */
export const GENAI_SEMCONV_VERSION = '1.41.0';

/** Span and metric attribute keys. */
export const GENAI_ATTR = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  requestTopP: 'gen_ai.request.top_p',
  requestTopK: 'gen_ai.request.top_k',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  tokenType: 'gen_ai.token.type',
} as const;

/** Metric names. */
export const GENAI_METRIC = {
  operationDuration: 'gen_ai.client.operation.duration',
  tokenUsage: 'gen_ai.client.token.usage',
  timeToFirstToken: 'gen_ai.server.time_to_first_token',
  timePerOutputToken: 'gen_ai.server.time_per_output_token',
} as const;

/** Well-known `gen_ai.operation.name` values used here. */
export const GENAI_OPERATION = {
  chat: 'chat',
  textCompletion: 'text_completion',
  embeddings: 'embeddings',
} as const;
export type GenAiOperation = (typeof GENAI_OPERATION)[keyof typeof GENAI_OPERATION];

/** `gen_ai.token.type` values. */
export const GENAI_TOKEN_TYPE = { input: 'input', output: 'output' } as const;

/** `gen_ai.response.finish_reasons` values (the conventions' examples; libraries' own reasons map onto them). */
export const GENAI_FINISH_REASON = {
  stop: 'stop',
  length: 'length',
  toolCalls: 'tool_calls',
  cancelled: 'cancelled',
  error: 'error',
} as const;

/** `gen_ai.provider.name` of in-process models: the library that runs them (custom values, as the conventions allow). */
export const GENAI_PROVIDER = {
  nodeLlamaCpp: 'node-llama-cpp',
  transformersJs: 'transformers.js',
} as const;

/**
 * Histogram boundaries. Token usage uses the conventions' boundaries. The time metrics use the
 * conventions' boundaries with finer ones added below: in-process models on a CPU produce tokens
 * in well under a millisecond, which the conventions' lowest bucket (10 ms) cannot tell apart.
 */
export const GENAI_BUCKETS = {
  tokens: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864],
  operationDuration: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92],
  timeToFirstToken: [0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0],
  timePerOutputToken: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5],
} as const;

/** The span name pattern as documented (`{gen_ai.operation.name} {gen_ai.request.model}`). */
export const GENAI_SPAN_NAME_PATTERN = `{${GENAI_ATTR.operationName}} {${GENAI_ATTR.requestModel}}`;

const OPERATIONS: ReadonlySet<string> = new Set(Object.values(GENAI_OPERATION));

/** The span name of a generative call: `{operation} {model}`, or the operation alone when the model has no name. */
export function genAiSpanName(operation: GenAiOperation, model: string | undefined): string {
  return model ? `${operation} ${model}` : operation;
}

/**
 * Whether `name` is the name of a generative span with these attributes: built from its own
 * `gen_ai.operation.name` (a known operation) and `gen_ai.request.model`. Then the name holds
 * nothing that is not also in those (allow-listed, redacted) attributes.
 */
export function isGenAiSpanName(name: string, attributes: Readonly<Record<string, unknown>>): boolean {
  const op = attributes[GENAI_ATTR.operationName];
  if (typeof op !== 'string' || !OPERATIONS.has(op)) return false;
  const model = attributes[GENAI_ATTR.requestModel];
  return name === genAiSpanName(op as GenAiOperation, typeof model === 'string' ? model : undefined);
}
