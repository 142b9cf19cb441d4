// What every generative instrumentation records, in one shape: one span per call named
// `{gen_ai.operation.name} {gen_ai.request.model}` (kind INTERNAL, the default), token counts the
// library itself counted, request parameters, finish reasons; and the four GenAI metrics. The
// library files only find the numbers (token meter, streamer, options) and call this.
//
// Per token the hot path is `Generation.token(n)`: one timestamp and three numbers. Everything
// else happens once per call, and attribute objects are cached per (operation, model) so metric
// recording never re-redacts (the facade caches per attributes object).
//
// Never content: nothing here accepts a prompt, a completion, token ids or vectors — only counts,
// times, numbers the call asked for, and the library's own enum of why it stopped.

import type { Attributes, SpanHandle } from '../signals.js';
import {
  GENAI_ATTR,
  GENAI_METRIC,
  GENAI_TOKEN_TYPE,
  genAiSpanName,
  type GenAiOperation,
} from '../../genai-conventions.js';
import { errorType } from '../../protect/error-attributes.js';
import type { Telemetry } from './types.js';
import { safely } from './wrap-util.js';

export interface GenerationSite {
  /** `ml.framework` and `gen_ai.provider.name`: the library running the model. */
  readonly provider: string;
  readonly operation: GenAiOperation;
  /** The model name as it may be sent (already through `Telemetry.modelName`), if any. */
  readonly model: string | undefined;
}

/** What the call asked for (only numbers are kept). */
export interface GenerationRequest {
  readonly maxTokens?: unknown;
  readonly temperature?: unknown;
  readonly topP?: unknown;
  readonly topK?: unknown;
}

export interface GenerationResult {
  /** Exact counts from the library, or undefined when it did not count (then nothing is reported). */
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly finishReasons?: readonly string[];
}

interface SiteAttributes {
  readonly metric: Attributes;
  readonly input: Attributes;
  readonly output: Attributes;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

/** One per instrumentation instance: caches the metric attributes of each (operation, model). */
export class GenerationRecorder {
  private readonly sites = new Map<string, SiteAttributes>();

  constructor(private readonly t: Telemetry) {}

  /** Starts recording one call (its span opens now). Never throws. */
  start(site: GenerationSite, request: GenerationRequest = {}, parent?: SpanHandle): Generation {
    const attrs = this.siteAttributes(site);
    const span = this.t.startSpan(
      genAiSpanName(site.operation, site.model),
      {
        ...attrs.metric,
        'ml.framework': site.provider,
        'ml.model.name': site.model,
        [GENAI_ATTR.requestMaxTokens]: num(request.maxTokens),
        [GENAI_ATTR.requestTemperature]: num(request.temperature),
        [GENAI_ATTR.requestTopP]: num(request.topP),
        [GENAI_ATTR.requestTopK]: num(request.topK),
      },
      parent,
    );
    return new Generation(this.t, span, attrs);
  }

  private siteAttributes(site: GenerationSite): SiteAttributes {
    const key = `${site.provider}\0${site.operation}\0${site.model ?? ''}`;
    let a = this.sites.get(key);
    if (!a) {
      const metric: Attributes = Object.freeze({
        [GENAI_ATTR.operationName]: site.operation,
        [GENAI_ATTR.providerName]: site.provider,
        [GENAI_ATTR.requestModel]: site.model,
      });
      a = Object.freeze({
        metric,
        input: Object.freeze({ ...metric, [GENAI_ATTR.tokenType]: GENAI_TOKEN_TYPE.input }),
        output: Object.freeze({ ...metric, [GENAI_ATTR.tokenType]: GENAI_TOKEN_TYPE.output }),
      });
      this.sites.set(key, a);
    }
    return a;
  }
}

/** One generative call being recorded. */
export class Generation {
  readonly startMs = performance.now();
  private firstMs = -1;
  private lastMs = -1;
  private streamed = 0;
  private ended = false;

  constructor(
    private readonly t: Telemetry,
    readonly span: SpanHandle | undefined,
    private readonly attrs: SiteAttributes,
  ) {}

  /** The hot path: `n` tokens were just generated. A timestamp and three numbers. */
  token(n = 1): void {
    if (!(n > 0)) return; // an empty chunk is not a token
    const now = performance.now();
    if (this.firstMs < 0) this.firstMs = now;
    this.lastMs = now;
    this.streamed += n;
  }

  /** Tokens seen through `token()` so far. */
  get streamedTokens(): number {
    return this.streamed;
  }

  /** Ends the call: span attributes and status, then the metrics. Once; never throws. */
  end(result: GenerationResult, error?: unknown, failed = false): void {
    if (this.ended) return;
    this.ended = true;
    const endMs = performance.now();
    safely(() => this.finish(result, endMs, error, failed));
  }

  private finish(result: GenerationResult, endMs: number, error: unknown, failed: boolean): void {
    const t = this.t;
    const input = count(result.inputTokens);
    const output = count(result.outputTokens);
    const reasons = Array.isArray(result.finishReasons)
      ? result.finishReasons.filter((r): r is string => typeof r === 'string' && r !== '')
      : [];
    if (this.span) {
      safely(() =>
        this.span!.setAttributes({
          [GENAI_ATTR.usageInputTokens]: input,
          [GENAI_ATTR.usageOutputTokens]: output,
          [GENAI_ATTR.responseFinishReasons]: reasons.length > 0 ? reasons : undefined,
        }),
      );
    }
    t.endSpan(this.span, error, failed);

    const a = this.attrs;
    const type = failed ? errorType(error) : undefined;
    t.record(
      GENAI_METRIC.operationDuration,
      (endMs - this.startMs) / 1000,
      type === undefined ? a.metric : { ...a.metric, 'error.type': type },
    );
    if (input !== undefined) t.record(GENAI_METRIC.tokenUsage, input, a.input);
    if (output !== undefined) t.record(GENAI_METRIC.tokenUsage, output, a.output);
    // The two latency metrics are for successful calls that produced tokens.
    if (failed || this.firstMs < 0) return;
    t.record(GENAI_METRIC.timeToFirstToken, (this.firstMs - this.startMs) / 1000, a.metric);
    if (this.streamed > 1) t.record(GENAI_METRIC.timePerOutputToken, (this.lastMs - this.firstMs) / 1000 / (this.streamed - 1), a.metric);
  }
}
