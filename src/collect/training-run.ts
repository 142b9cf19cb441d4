// One "training run": the `ml.train` span, its `ml.train.epoch` children and the training
// metrics. Shared by the TensorFlow.js instrumentation (fit/fitDataset, optimizer steps of custom
// loops) and the public `progress()` API, so all produce the same telemetry.
//
//   ml.train                 ml.framework, ml.operation, ml.model.name, ml.model.instance.id,
//   └─ ml.train.epoch (×N)   ml.training.fit.index, ml.training.{epochs.total, batch_size,
//                            steps_per_epoch, steps.total, unit}, ml.run.name; the totals
//                            ml.training.{epochs,batches,samples}.completed (kept up to date at
//                            every export, final at the end)
//      epoch spans: ml.training.epoch (0-based), ml.training.loss, the epoch's
//      ml.training.{samples,batches}.completed, and one `ml.training.metric` event per value of
//      the epoch (ml.metric.name, ml.metric.split, ml.metric.value)
//
// Metrics (attributes: ml.framework, plus the run's own metric attributes, e.g. ml.operation=minimize):
//   ml.training.progress          gauge 0..1 — only when the total is known (never guessed)
//   ml.training.epochs.completed  counter
//   ml.training.batches.completed counter
//   ml.training.samples.completed counter (training samples)
//   ml.training.loss / .metric    timed gauges (+ ml.metric.split, ml.metric.name): every epoch's
//                                 value at the epoch's end time, and the latest batch loss
//
// Hot paths (a batch, a progress update) only keep numbers; they are recorded right before each
// export (`onCollect`). Every method is safe in any order, any number of times, and never throws.

import type { Attributes, Signals, SpanHandle } from './signals.js';

export type MetricSplit = 'train' | 'validation';

/** One value of an epoch. `name` is already what may be sent (`loss` is the loss). */
export interface EpochValue {
  readonly name: string;
  readonly split: MetricSplit;
  readonly value: number;
}

export interface TrainingRunOptions {
  /** `tfjs`, `custom`, … (the `ml.framework` attribute). */
  framework: string;
  /** `fit`, `fitDataset`, `minimize`, … (the `ml.operation` attribute). */
  operation?: string;
  /** Planned number of epochs. */
  epochsTotal?: number;
  /** Batches per epoch, when known. */
  stepsPerEpoch?: number;
  batchSize?: number;
  /** Planned number of `unit`s for `update()` (progress() runs). */
  stepsTotal?: number;
  /** What `update(done)` counts: `step` (default) or `epoch`. */
  unit?: string;
  /** A user-given run name (`ml.run.name`). */
  name?: string;
  /** The model's name as it may be sent (`ml.model.name`). */
  modelName?: string;
  /** Random per-process ID of the model object (`ml.model.instance.id`). */
  modelInstanceId?: string;
  /** Index of this fit call on the model (`ml.training.fit.index`). */
  fitIndex?: number;
  /** Extra attributes of the run's metric points (e.g. `ml.operation: 'minimize'`). */
  metricAttributes?: Attributes;
}

export interface TrainingRun {
  /** The `ml.train` span (undefined when the facade could not start one). */
  readonly span: SpanHandle | undefined;
  /** Totals learnt after the start (e.g. from tfjs `setParams`). Unknown values are left as they are. */
  setTotals(totals: { epochsTotal?: number; stepsPerEpoch?: number; batchSize?: number; stepsTotal?: number }): void;
  /** Starts the `ml.train.epoch` span of `epoch` (0-based); ends a previous one still open. */
  epochBegin(epoch: number): void;
  /** Ends the epoch span with the epoch's values, counts the epoch, records the values at this time. */
  epochEnd(epoch: number, values?: readonly EpochValue[]): void;
  /** Counts one batch of `samples` training samples; `loss` when already known as a number. */
  batchEnd(loss?: number, samples?: number): void;
  /** progress() runs: `done` units so far (cumulative) and the latest loss. Keeps two numbers. */
  update(done: number, loss?: number): void;
  /** Ends the run (and an epoch span still open). */
  end(): void;
  /**
   * Ends the run with an error: the ml.train span gets status ERROR and a redacted exception
   * event (`recordError`, which also counts it in `ml.errors`); an open epoch span is just ended.
   */
  fail(error: unknown): void;
}

const nowMs = (): number => performance.timeOrigin + performance.now();

function positive(n: unknown): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

function finite(n: unknown): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function defined(attributes: Attributes): Attributes {
  for (const key of Object.keys(attributes)) if (attributes[key] === undefined) delete attributes[key];
  return attributes;
}

/** Loss points of step-unit progress() runs: about this many per run when the total is known. */
const STEP_LOSS_POINTS = 200;
/** Without a total: a point at steps 1, 2, 4, … up to this, then every this many steps. */
const STEP_LOSS_EVERY = 1024;

class Run implements TrainingRun {
  span: SpanHandle | undefined;
  private readonly framework: string;
  private readonly unit: 'step' | 'epoch';
  private epochsTotal: number | undefined;
  private stepsPerEpoch: number | undefined;
  private batchSize: number | undefined;
  private stepsTotal: number | undefined;

  private readonly attrs: Attributes;
  private readonly trainLoss: Attributes;
  private readonly splitAttributes = new Map<string, Attributes>();
  private ended = false;
  private unregister: (() => void) | undefined;

  private epochSpan: SpanHandle | undefined;
  private epochSpanIndex = -1;
  private samplesAtEpochStart = 0;
  private batchesAtEpochStart = 0;
  private currentEpoch = 0; // the epoch in progress (from epochBegin), for batch progress
  private batchesInEpoch = 0;

  // Kept by the hot paths, recorded at collection.
  private epochs = 0;
  private batches = 0;
  private samples = 0;
  private done = 0;
  private loss = Number.NaN;
  /** A loss was reported since it was last recorded. */
  private lossFresh = false;
  private nextLossMark = 1;
  // What the last collection recorded.
  private epochsSent = 0;
  private batchesSent = 0;
  private samplesSent = 0;
  private doneSent = 0;

  constructor(private readonly signals: Signals, options: TrainingRunOptions) {
    this.framework = typeof options?.framework === 'string' && options.framework ? options.framework : 'custom';
    this.unit = options?.unit === 'epoch' ? 'epoch' : 'step';
    this.epochsTotal = positive(options?.epochsTotal);
    this.stepsPerEpoch = positive(options?.stepsPerEpoch);
    this.batchSize = positive(options?.batchSize);
    this.stepsTotal = positive(options?.stepsTotal);
    this.attrs = Object.freeze(defined({ ...(options?.metricAttributes ?? {}), 'ml.framework': this.framework })) as Attributes;
    this.trainLoss = this.split('train');
    try {
      this.span = signals.startSpan('ml.train', defined({
        'ml.framework': this.framework,
        'ml.operation': typeof options?.operation === 'string' ? options.operation : undefined,
        'ml.model.name': options?.modelName,
        'ml.model.instance.id': options?.modelInstanceId,
        'ml.training.fit.index': finite(options?.fitIndex),
        ...this.totals(),
        'ml.training.unit': options?.unit !== undefined ? this.unit : undefined,
        'ml.run.name': typeof options?.name === 'string' && options.name ? options.name : undefined,
      }));
    } catch {
      this.span = undefined;
    }
    try {
      this.unregister = signals.onCollect(() => this.collect());
    } catch {
      this.unregister = undefined;
    }
  }

  private totals(): Attributes {
    return {
      'ml.training.epochs.total': this.epochsTotal,
      'ml.training.batch_size': this.batchSize,
      'ml.training.steps_per_epoch': this.stepsPerEpoch,
      'ml.training.steps.total': this.stepsTotal,
    };
  }

  /** One frozen attributes object per split and metric name: the facade caches its redacted form. */
  private split(split: MetricSplit, name?: string): Attributes {
    const key = `${split}\0${name ?? ''}`;
    let a = this.splitAttributes.get(key);
    if (!a) {
      a = Object.freeze({ ...this.attrs, 'ml.metric.split': split, ...(name !== undefined ? { 'ml.metric.name': name } : {}) }) as Attributes;
      this.splitAttributes.set(key, a);
    }
    return a;
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch {
      // telemetry never throws into the app
    }
  }

  /** Done / total, only when the total is known (never guessed). */
  private progressFraction(): number | undefined {
    const updateTotal = this.unit === 'epoch' ? this.epochsTotal : this.stepsTotal;
    if (this.done > 0) return updateTotal !== undefined ? this.done / updateTotal : undefined;
    if (this.epochsTotal !== undefined && this.stepsPerEpoch !== undefined && (this.batches > 0 || this.epochs > 0)) {
      return (this.currentEpoch * this.stepsPerEpoch + this.batchesInEpoch) / (this.epochsTotal * this.stepsPerEpoch);
    }
    if (this.epochsTotal !== undefined && this.epochs > 0) return this.epochs / this.epochsTotal;
    if (this.stepsTotal !== undefined && this.batches > 0) return this.batches / this.stepsTotal;
    return undefined;
  }

  /** Records what the hot paths kept since the last collection. Runs right before each export. */
  private collect(): void {
    const s = this.signals;
    if (this.epochs > this.epochsSent) s.record('ml.training.epochs.completed', this.epochs - this.epochsSent, this.attrs);
    if (this.batches > this.batchesSent) s.record('ml.training.batches.completed', this.batches - this.batchesSent, this.attrs);
    if (this.samples > this.samplesSent) s.record('ml.training.samples.completed', this.samples - this.samplesSent, this.attrs);
    if (this.unit === 'step' && this.done > this.doneSent) s.record('ml.training.batches.completed', this.done - this.doneSent, this.attrs);
    if (this.unit === 'epoch' && this.done > this.doneSent) s.record('ml.training.epochs.completed', this.done - this.doneSent, this.attrs);
    this.epochsSent = this.epochs;
    this.batchesSent = this.batches;
    this.samplesSent = this.samples;
    this.doneSent = this.done;
    const fraction = this.progressFraction();
    if (fraction !== undefined && Number.isFinite(fraction)) s.record('ml.training.progress', fraction < 0 ? 0 : fraction > 1 ? 1 : fraction, this.attrs);
    if (this.lossFresh && Number.isFinite(this.loss)) s.record('ml.training.loss', this.loss, this.trainLoss, nowMs());
    this.lossFresh = false;
    this.span?.setAttributes(this.completed());
  }

  private completed(): Attributes {
    const epochs = this.unit === 'epoch' ? Math.max(this.epochs, this.done) : this.epochs;
    const batches = this.unit === 'step' ? Math.max(this.batches, this.done) : this.batches;
    return defined({
      'ml.training.epochs.completed': epochs > 0 ? epochs : undefined,
      'ml.training.batches.completed': batches > 0 ? batches : undefined,
      'ml.training.samples.completed': this.samples > 0 ? this.samples : undefined,
    });
  }

  setTotals(totals: { epochsTotal?: number; stepsPerEpoch?: number; batchSize?: number; stepsTotal?: number }): void {
    if (this.ended || !totals) return;
    this.safe(() => {
      this.epochsTotal = positive(totals.epochsTotal) ?? this.epochsTotal;
      this.stepsPerEpoch = positive(totals.stepsPerEpoch) ?? this.stepsPerEpoch;
      this.batchSize = positive(totals.batchSize) ?? this.batchSize;
      this.stepsTotal = positive(totals.stepsTotal) ?? this.stepsTotal;
      const attributes = defined(this.totals());
      if (this.span && Object.keys(attributes).length > 0) this.span.setAttributes(attributes);
    });
  }

  private closeEpochSpan(values: readonly EpochValue[] | undefined): void {
    const span = this.epochSpan;
    this.epochSpan = undefined;
    this.epochSpanIndex = -1;
    if (!span) return;
    this.safe(() => {
      // The epoch's own throughput: samples and batches between its start and end.
      const samples = this.samples - this.samplesAtEpochStart;
      const batches = this.batches - this.batchesAtEpochStart;
      if (samples > 0 || batches > 0) {
        span.setAttributes(defined({ 'ml.training.samples.completed': samples > 0 ? samples : undefined, 'ml.training.batches.completed': batches > 0 ? batches : undefined }));
      }
      if (values) {
        const trainLoss = values.find((v) => v.name === 'loss' && v.split === 'train');
        if (trainLoss) span.setAttributes({ 'ml.training.loss': trainLoss.value });
        for (const v of values) span.addEvent('ml.training.metric', { 'ml.metric.name': v.name, 'ml.metric.split': v.split, 'ml.metric.value': v.value });
      }
    });
    this.safe(() => span.end());
  }

  private openEpochSpan(epoch: number): void {
    this.safe(() => {
      this.epochSpan = this.signals.startSpan('ml.train.epoch', { 'ml.framework': this.framework, 'ml.training.epoch': epoch }, this.span);
      this.epochSpanIndex = epoch;
      this.samplesAtEpochStart = this.samples;
      this.batchesAtEpochStart = this.batches;
    });
  }

  epochBegin(epoch: number): void {
    if (this.ended) return;
    const index = finite(epoch) ?? this.currentEpoch;
    if (this.epochSpan) this.closeEpochSpan(undefined);
    this.currentEpoch = index;
    this.batchesInEpoch = 0;
    this.openEpochSpan(index);
  }

  epochEnd(epoch: number, values?: readonly EpochValue[]): void {
    if (this.ended) return;
    const index = finite(epoch) ?? this.currentEpoch;
    // An epochEnd without its epochBegin still gets its (zero-length) span.
    if (!this.epochSpan || this.epochSpanIndex !== index) {
      if (this.epochSpan) this.closeEpochSpan(undefined);
      this.openEpochSpan(index);
    }
    const kept = Array.isArray(values) ? values.filter((v) => v && typeof v.name === 'string' && Number.isFinite(v.value)) : undefined;
    const at = nowMs();
    this.closeEpochSpan(kept);
    if (kept) {
      this.safe(() => {
        for (const v of kept) {
          if (v.name === 'loss') this.signals.record('ml.training.loss', v.value, this.split(v.split), at);
          else this.signals.record('ml.training.metric', v.value, this.split(v.split, v.name), at);
        }
      });
      // The epoch's own loss supersedes the last batch loss as the latest value.
      if (kept.some((v) => v.name === 'loss' && v.split === 'train')) this.lossFresh = false;
    }
    this.epochs++;
    this.currentEpoch = index + 1;
    this.batchesInEpoch = 0;
  }

  batchEnd(loss?: number, samples?: number): void {
    if (this.ended) return;
    this.batchesInEpoch++;
    this.batches++;
    if (typeof samples === 'number' && samples > 0) this.samples += samples;
    if (typeof loss === 'number' && loss === loss) {
      this.loss = loss;
      this.lossFresh = true;
    }
  }

  update(done: number, loss?: number): void {
    if (this.ended) return;
    if (typeof done === 'number' && done > this.done) this.done = done;
    if (typeof loss === 'number') {
      this.loss = loss;
      this.lossFresh = true;
      if (this.done >= this.nextLossMark) this.lossPoint(this.done);
    }
  }

  /** A loss point of a progress() run: every epoch, or a bounded number of steps (rare path). */
  private lossPoint(done: number): void {
    const at = nowMs();
    if (Number.isFinite(this.loss)) this.safe(() => this.signals.record('ml.training.loss', this.loss, this.trainLoss, at));
    this.lossFresh = false;
    if (this.unit === 'epoch') this.nextLossMark = Math.floor(done) + 1;
    else if (this.stepsTotal !== undefined) this.nextLossMark = done + Math.max(1, Math.floor(this.stepsTotal / STEP_LOSS_POINTS));
    else this.nextLossMark = done < STEP_LOSS_EVERY ? Math.max(done * 2, done + 1) : done + STEP_LOSS_EVERY;
  }

  end(): void {
    if (this.ended) return;
    this.closeEpochSpan(undefined);
    this.finish();
    this.safe(() => this.span?.end());
  }

  fail(error: unknown): void {
    if (this.ended) return;
    // The error goes on the ml.train span only: recordError also counts it in ml.errors, so
    // recording it on the open epoch span too would count one failure twice.
    this.closeEpochSpan(undefined);
    this.finish();
    if (this.span) this.safe(() => this.span!.recordError(error));
    else this.safe(() => this.signals.countError(error));
    this.safe(() => this.span?.end());
  }

  private finish(): void {
    this.safe(() => this.collect());
    this.ended = true;
    this.safe(() => this.unregister?.());
  }
}

/** A run that records nothing (the facade failed). */
const NOOP: TrainingRun = {
  span: undefined,
  setTotals() {},
  epochBegin() {},
  epochEnd() {},
  batchEnd() {},
  update() {},
  end() {},
  fail() {},
};

/** Starts a training run. Never throws; with a broken facade it returns a run that records nothing. */
export function startTrainingRun(signals: Signals, options: TrainingRunOptions): TrainingRun {
  try {
    return new Run(signals, options);
  } catch {
    return NOOP;
  }
}
