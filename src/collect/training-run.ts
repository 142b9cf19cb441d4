// One "training run": the `ml.train` span, its `ml.train.epoch` children and the training
// metrics. Shared by the TensorFlow.js instrumentation (fit/fitDataset) and the public
// `progress()` API, so both produce the same telemetry.
//
//   ml.train                 attributes: ml.framework, ml.operation, ml.training.epochs.total,
//   └─ ml.train.epoch (×N)   ml.training.batch_size, ml.training.steps_per_epoch,
//                            ml.training.steps.total, ml.training.unit, ml.run.name
//                            epoch spans: ml.training.epoch (0-based), ml.training.loss
//
// Metrics (all with the single attribute `ml.framework`, to keep cardinality low):
//   ml.training.progress          gauge 0..1 — only when the total is known (never guessed)
//   ml.training.epochs.completed  counter
//   ml.training.batches.completed counter
//   ml.training.loss              gauge, last finite value reported
//
// Every method is safe to call in any order and any number of times, and never throws.
// Strings (the run name) are passed to the facade as given: redaction happens in the pipeline
// that every attribute goes through before it leaves the process.

import type { Attributes, Signals, SpanHandle } from './signals.js';

export interface TrainingRunOptions {
  /** `tfjs`, `custom`, … (the `ml.framework` attribute). */
  framework: string;
  /** `fit`, `fitDataset`, `progress`, … (the `ml.operation` attribute). */
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
}

export interface TrainingRun {
  /** The `ml.train` span (undefined when the facade could not start one). */
  readonly span: SpanHandle | undefined;
  /** Totals learnt after the start (e.g. from tfjs `setParams`). Unknown values are left as they are. */
  setTotals(totals: { epochsTotal?: number; stepsPerEpoch?: number; batchSize?: number; stepsTotal?: number }): void;
  /** Starts the `ml.train.epoch` span of `epoch` (0-based); ends a previous one still open. */
  epochBegin(epoch: number): void;
  /** Ends the epoch span, counts the epoch, records loss and progress. */
  epochEnd(epoch: number, loss?: number): void;
  /** Counts one batch; records loss (when given) and progress (when computable). */
  batchEnd(loss?: number): void;
  /** progress() runs: `done` units of `unit` so far (cumulative). Counts the increase since the last call. */
  update(done: number, values?: { loss?: number }): void;
  /** Ends the run (and an epoch span still open). */
  end(): void;
  /**
   * Ends the run with an error: the ml.train span gets status ERROR and a redacted exception
   * event (`recordError`, which also counts it in `ml.errors`); an open epoch span is just ended.
   */
  fail(error: unknown): void;
}

const METRIC_PROGRESS = 'ml.training.progress';
const METRIC_EPOCHS = 'ml.training.epochs.completed';
const METRIC_BATCHES = 'ml.training.batches.completed';
const METRIC_LOSS = 'ml.training.loss';

function positive(n: unknown): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

function finite(n: unknown): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function clamp01(n: number): number {
  return n < 0 ? 0 : n > 1 ? 1 : n;
}

/** Starts a training run. Never throws; with a broken facade it returns a run that records nothing. */
export function startTrainingRun(signals: Signals, options: TrainingRunOptions): TrainingRun {
  const framework = typeof options?.framework === 'string' && options.framework ? options.framework : 'custom';
  const metricAttributes: Attributes = { 'ml.framework': framework };
  const unit = options?.unit === 'epoch' ? 'epoch' : 'step';

  let epochsTotal = positive(options?.epochsTotal);
  let stepsPerEpoch = positive(options?.stepsPerEpoch);
  let batchSize = positive(options?.batchSize);
  let stepsTotal = positive(options?.stepsTotal);

  let ended = false;
  let epochSpan: SpanHandle | undefined;
  let epochSpanIndex = -1;
  let currentEpoch = 0; // index of the epoch in progress (from epochBegin), for batch progress
  let batchesInEpoch = 0;
  let batchesTotal = 0; // batches counted by batchEnd in this run
  let lastDone = 0; // last `done` given to update()

  const safe = (fn: () => void): void => {
    try {
      fn();
    } catch {
      // telemetry never throws into the app
    }
  };
  const record = (metric: string, value: number): void => {
    safe(() => signals.record(metric, value, metricAttributes));
  };
  const recordProgress = (fraction: number | undefined): void => {
    if (fraction !== undefined && Number.isFinite(fraction)) record(METRIC_PROGRESS, clamp01(fraction));
  };
  const recordLoss = (loss: unknown): number | undefined => {
    const value = finite(loss);
    if (value !== undefined) record(METRIC_LOSS, value);
    return value;
  };
  /** Progress from counted batches, when a batch total is known. */
  const batchProgress = (): number | undefined => {
    if (epochsTotal !== undefined && stepsPerEpoch !== undefined) {
      return (currentEpoch * stepsPerEpoch + batchesInEpoch) / (epochsTotal * stepsPerEpoch);
    }
    if (stepsTotal !== undefined && unit === 'step') return batchesTotal / stepsTotal;
    return undefined;
  };

  const totalsAttributes = (): Attributes => ({
    'ml.training.epochs.total': epochsTotal,
    'ml.training.batch_size': batchSize,
    'ml.training.steps_per_epoch': stepsPerEpoch,
    'ml.training.steps.total': stepsTotal,
  });

  let span: SpanHandle | undefined;
  safe(() => {
    const attributes: Attributes = {
      'ml.framework': framework,
      'ml.operation': typeof options?.operation === 'string' ? options.operation : undefined,
      ...totalsAttributes(),
      'ml.training.unit': options?.unit !== undefined ? unit : undefined,
      'ml.run.name': typeof options?.name === 'string' && options.name ? options.name : undefined,
    };
    for (const key of Object.keys(attributes)) if (attributes[key] === undefined) delete attributes[key];
    span = signals.startSpan('ml.train', attributes);
  });

  const closeEpochSpan = (loss: number | undefined): void => {
    const s = epochSpan;
    epochSpan = undefined;
    epochSpanIndex = -1;
    if (!s) return;
    if (loss !== undefined) safe(() => s.setAttributes({ 'ml.training.loss': loss }));
    safe(() => s.end());
  };
  const openEpochSpan = (epoch: number): void => {
    safe(() => {
      epochSpan = signals.startSpan(
        'ml.train.epoch',
        { 'ml.framework': framework, 'ml.training.epoch': epoch },
        span,
      );
      epochSpanIndex = epoch;
    });
  };

  return {
    get span() {
      return span;
    },

    setTotals(totals) {
      if (ended || !totals) return;
      safe(() => {
        epochsTotal = positive(totals.epochsTotal) ?? epochsTotal;
        stepsPerEpoch = positive(totals.stepsPerEpoch) ?? stepsPerEpoch;
        batchSize = positive(totals.batchSize) ?? batchSize;
        stepsTotal = positive(totals.stepsTotal) ?? stepsTotal;
        const attributes = totalsAttributes();
        for (const key of Object.keys(attributes)) if (attributes[key] === undefined) delete attributes[key];
        if (span && Object.keys(attributes).length > 0) span.setAttributes(attributes);
      });
    },

    epochBegin(epoch) {
      if (ended) return;
      const index = finite(epoch) ?? currentEpoch;
      if (epochSpan) closeEpochSpan(undefined);
      currentEpoch = index;
      batchesInEpoch = 0;
      openEpochSpan(index);
    },

    epochEnd(epoch, loss) {
      if (ended) return;
      const index = finite(epoch) ?? currentEpoch;
      // An epochEnd without its epochBegin still gets its (zero-length) span.
      if (!epochSpan || epochSpanIndex !== index) {
        if (epochSpan) closeEpochSpan(undefined);
        openEpochSpan(index);
      }
      const value = recordLoss(loss);
      closeEpochSpan(value);
      record(METRIC_EPOCHS, 1);
      if (epochsTotal !== undefined) recordProgress((index + 1) / epochsTotal);
      currentEpoch = index + 1;
      batchesInEpoch = 0;
    },

    batchEnd(loss) {
      if (ended) return;
      batchesInEpoch++;
      batchesTotal++;
      record(METRIC_BATCHES, 1);
      recordLoss(loss);
      recordProgress(batchProgress());
    },

    update(done, values) {
      if (ended) return;
      safe(() => {
        const n = finite(done);
        if (n !== undefined) {
          const delta = n - lastDone;
          if (delta > 0) record(unit === 'epoch' ? METRIC_EPOCHS : METRIC_BATCHES, delta);
          lastDone = n;
          const total = stepsTotal ?? (unit === 'epoch' ? epochsTotal : undefined);
          if (total !== undefined) recordProgress(n / total);
        }
        recordLoss(values?.loss);
      });
    },

    end() {
      if (ended) return;
      ended = true;
      closeEpochSpan(undefined);
      safe(() => span?.end());
    },

    fail(error) {
      if (ended) return;
      ended = true;
      // The error goes on the ml.train span only: recordError also counts it in ml.errors, so
      // recording it on the open epoch span too would count one failure twice.
      closeEpochSpan(undefined);
      if (span) safe(() => span!.recordError(error));
      else safe(() => signals.countError(error));
      safe(() => span?.end());
    },
  };
}
