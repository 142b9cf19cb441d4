import { describe, expect, it } from 'vitest';
import { startTrainingRun, type EpochValue } from '../../src/collect/training-run.js';
import { RecordingSignals, throwingSignals } from './instrumentations/recording-signals.js';

const fw = (framework: string) => ({ 'ml.framework': framework });
const values = (loss: number, valLoss?: number, acc?: number): EpochValue[] => [
  { name: 'loss', split: 'train', value: loss },
  ...(valLoss !== undefined ? [{ name: 'loss', split: 'validation' as const, value: valLoss }] : []),
  ...(acc !== undefined ? [{ name: 'acc', split: 'train' as const, value: acc }] : []),
];

describe('startTrainingRun', () => {
  it('epoch-based runs: ml.train with ml.train.epoch children carrying their values; every epoch a point at its own time', () => {
    const rec = new RecordingSignals();
    const run = startTrainingRun(rec, { framework: 'tfjs', operation: 'fit', epochsTotal: 2, stepsPerEpoch: 2, batchSize: 4, modelName: 'sequential_1', modelInstanceId: 'abc', fitIndex: 0 });
    for (let epoch = 0; epoch < 2; epoch++) {
      run.epochBegin(epoch);
      run.batchEnd(0.9, 4);
      run.batchEnd(undefined, 3);
      run.epochEnd(epoch, values([0.5, 0.4][epoch]!, [0.6, 0.5][epoch]!, [0.7, 0.8][epoch]!));
    }
    run.end();

    const [train] = rec.spansNamed('ml.train');
    expect(train!.attributes).toEqual({
      'ml.framework': 'tfjs',
      'ml.operation': 'fit',
      'ml.model.name': 'sequential_1',
      'ml.model.instance.id': 'abc',
      'ml.training.fit.index': 0,
      'ml.training.epochs.total': 2,
      'ml.training.batch_size': 4,
      'ml.training.steps_per_epoch': 2,
      'ml.training.epochs.completed': 2,
      'ml.training.batches.completed': 4,
      'ml.training.samples.completed': 14,
    });
    expect(train!.ended).toBe(true);
    const epochs = rec.spansNamed('ml.train.epoch');
    expect(epochs.map((e) => [e.attributes['ml.training.epoch'], e.attributes['ml.training.loss'], e.parent, e.ended])).toEqual([
      [0, 0.5, train, true],
      [1, 0.4, train, true],
    ]);
    expect(epochs[1]!.events).toEqual([
      { name: 'ml.training.metric', attributes: { 'ml.metric.name': 'loss', 'ml.metric.split': 'train', 'ml.metric.value': 0.4 } },
      { name: 'ml.training.metric', attributes: { 'ml.metric.name': 'loss', 'ml.metric.split': 'validation', 'ml.metric.value': 0.5 } },
      { name: 'ml.training.metric', attributes: { 'ml.metric.name': 'acc', 'ml.metric.split': 'train', 'ml.metric.value': 0.8 } },
    ]);
    const train0 = { 'ml.framework': 'tfjs', 'ml.metric.split': 'train' };
    expect(rec.metricValues('ml.training.loss', train0)).toEqual([0.5, 0.4]);
    expect(rec.metricValues('ml.training.loss', { 'ml.metric.split': 'validation' })).toEqual([0.6, 0.5]);
    expect(rec.metricValues('ml.training.metric', { 'ml.metric.name': 'acc', 'ml.metric.split': 'train' })).toEqual([0.7, 0.8]);
    const times = rec.metrics.filter((m) => m.metric === 'ml.training.loss').map((m) => m.timeMs!);
    expect(times.every((t) => t > 1.6e12)).toBe(true);
    expect(times[2]!).toBeGreaterThanOrEqual(times[0]!);
    // counters and progress are recorded at collection (here: the end), from the numbers kept
    expect(rec.metricValues('ml.training.epochs.completed', fw('tfjs'))).toEqual([2]);
    expect(rec.metricValues('ml.training.batches.completed', fw('tfjs'))).toEqual([4]);
    expect(rec.metricValues('ml.training.samples.completed', fw('tfjs'))).toEqual([14]);
    expect(rec.metricValues('ml.training.progress', fw('tfjs'))).toEqual([1]);
    expect(rec.unknownNames()).toEqual([]);
  });

  it('records what the hot paths kept at each collection, as deltas, and the latest batch loss', () => {
    const rec = new RecordingSignals();
    const run = startTrainingRun(rec, { framework: 'tfjs', operation: 'fit', epochsTotal: 1, stepsPerEpoch: 4 });
    run.epochBegin(0);
    run.batchEnd(2, 8);
    run.batchEnd(1.5, 8);
    expect(rec.metricValues('ml.training.batches.completed')).toEqual([]);
    rec.collect();
    expect(rec.metricValues('ml.training.batches.completed')).toEqual([2]);
    expect(rec.metricValues('ml.training.samples.completed')).toEqual([16]);
    expect(rec.metricValues('ml.training.progress')).toEqual([0.5]);
    expect(rec.metricValues('ml.training.loss', { 'ml.metric.split': 'train' })).toEqual([1.5]);
    rec.collect(); // nothing new: no counter points, no second loss point
    expect(rec.metricValues('ml.training.batches.completed')).toEqual([2]);
    expect(rec.metricValues('ml.training.loss')).toEqual([1.5]);
    run.batchEnd(1, 8);
    run.end();
    expect(rec.metricValues('ml.training.batches.completed')).toEqual([2, 1]);
    rec.collect(); // unregistered at the end
    expect(rec.metricValues('ml.training.batches.completed')).toEqual([2, 1]);
    expect(rec.collectors.size).toBe(0);
  });

  it('omits progress rather than guessing when no total is known', () => {
    const rec = new RecordingSignals();
    const run = startTrainingRun(rec, { framework: 'tfjs', operation: 'fitDataset' });
    run.epochBegin(0);
    run.batchEnd(1);
    run.epochEnd(0, values(1));
    run.end();
    expect(rec.metricValues('ml.training.progress')).toEqual([]);
    expect(rec.metricValues('ml.training.epochs.completed')).toEqual([1]);
    expect(Object.keys(rec.spansNamed('ml.train')[0]!.attributes).sort()).toEqual(['ml.framework', 'ml.operation', 'ml.training.batches.completed', 'ml.training.epochs.completed']);
  });

  it('learns totals later (setTotals) and puts them on the span', () => {
    const rec = new RecordingSignals();
    const run = startTrainingRun(rec, { framework: 'tfjs' });
    run.setTotals({ epochsTotal: 4, batchSize: undefined, stepsPerEpoch: 0 });
    run.epochBegin(0);
    run.epochEnd(0);
    run.end();
    expect(rec.spansNamed('ml.train')[0]!.attributes).toEqual({ 'ml.framework': 'tfjs', 'ml.training.epochs.total': 4, 'ml.training.epochs.completed': 1 });
    expect(rec.metricValues('ml.training.progress')).toEqual([0.25]);
  });

  it('progress() runs: update(done, loss) keeps two numbers; a collection records the increase, done/total and the loss', () => {
    const rec = new RecordingSignals();
    const run = startTrainingRun(rec, { framework: 'custom', operation: 'progress', stepsTotal: 10, unit: 'step', name: 'my run' });
    run.update(1, 2);
    run.update(4, 1.5);
    run.update(4);
    rec.collect();
    run.update(10, Number.NaN);
    run.update(12); // more than planned: clamped
    run.end();
    const [train] = rec.spansNamed('ml.train');
    expect(train!.attributes).toEqual({
      'ml.framework': 'custom',
      'ml.operation': 'progress',
      'ml.training.steps.total': 10,
      'ml.training.unit': 'step',
      'ml.run.name': 'my run',
      'ml.training.batches.completed': 12,
    });
    expect(rec.metricValues('ml.training.batches.completed', fw('custom'))).toEqual([4, 8]);
    expect(rec.metricValues('ml.training.progress', fw('custom'))).toEqual([0.4, 1]);
    // a point at step 1, 2, 3, … (10 steps / 200 points → every step) and none for NaN
    expect(rec.metricValues('ml.training.loss', fw('custom'))).toEqual([2, 1.5]);
    expect(rec.metricValues('ml.training.epochs.completed')).toEqual([]);
  });

  it('progress() loss points are bounded: about 200 per run with a total, doubling then every 1024 steps without', () => {
    const rec = new RecordingSignals();
    const run = startTrainingRun(rec, { framework: 'custom', stepsTotal: 100_000 });
    for (let i = 1; i <= 100_000; i++) run.update(i, 1 / i);
    run.end();
    const n = rec.metricValues('ml.training.loss').length;
    expect(n).toBeGreaterThan(150);
    expect(n).toBeLessThanOrEqual(202);
    const rec2 = new RecordingSignals();
    const run2 = startTrainingRun(rec2, { framework: 'custom' });
    for (let i = 1; i <= 10_000; i++) run2.update(i, 1 / i);
    run2.end();
    expect(rec2.metricValues('ml.training.loss').length).toBeLessThan(30);
  });

  it('progress() runs in epochs: one loss point per epoch at its own time; without a total there is no progress', () => {
    const rec = new RecordingSignals();
    const run = startTrainingRun(rec, { framework: 'custom', unit: 'epoch', epochsTotal: 4 });
    run.update(1, 0.9);
    run.update(2, 0.7);
    run.end();
    expect(rec.metricValues('ml.training.epochs.completed')).toEqual([2]);
    expect(rec.metricValues('ml.training.progress')).toEqual([0.5]);
    expect(rec.metrics.filter((m) => m.metric === 'ml.training.loss').map((m) => [m.value, typeof m.timeMs])).toEqual([[0.9, 'number'], [0.7, 'number']]);
    const rec2 = new RecordingSignals();
    const run2 = startTrainingRun(rec2, { framework: 'custom' });
    run2.update(5, 0.1);
    run2.end();
    expect(rec2.metricValues('ml.training.progress')).toEqual([]);
    expect(rec2.metricValues('ml.training.batches.completed')).toEqual([5]);
  });

  it('fail(): error on the ml.train span (counted once), the open epoch span is ended; later calls are no-ops', () => {
    const rec = new RecordingSignals();
    const run = startTrainingRun(rec, { framework: 'tfjs', epochsTotal: 3 });
    run.epochBegin(0);
    const boom = new Error('boom');
    run.fail(boom);
    run.fail(new Error('again'));
    run.end();
    run.epochEnd(0, values(1));
    run.update(3);
    const [train] = rec.spansNamed('ml.train');
    const [epoch] = rec.spansNamed('ml.train.epoch');
    expect(train!.errors).toEqual([boom]);
    expect(train!.endCount).toBe(1);
    expect(epoch!.ended).toBe(true);
    expect(epoch!.errors).toEqual([]);
    expect(rec.countedErrors).toEqual([boom]);
    expect(rec.metricValues('ml.training.epochs.completed')).toEqual([]);
  });

  it('end() ends an epoch left open, once; epochEnd without epochBegin still makes its span', () => {
    const rec = new RecordingSignals();
    const run = startTrainingRun(rec, { framework: 'custom' });
    run.epochEnd(0, values(0.3));
    run.epochBegin(1);
    run.epochBegin(2); // closes epoch 1
    run.end();
    run.end();
    const epochs = rec.spansNamed('ml.train.epoch');
    expect(epochs.map((e) => [e.attributes['ml.training.epoch'], e.endCount])).toEqual([[0, 1], [1, 1], [2, 1]]);
    expect(rec.spansNamed('ml.train')[0]!.endCount).toBe(1);
  });

  it('never throws, whatever the facade or the arguments do', () => {
    const run = startTrainingRun(throwingSignals(), { framework: 'custom', stepsTotal: 3 });
    expect(() => {
      run.setTotals({ epochsTotal: 2 });
      run.epochBegin(0);
      run.batchEnd(1);
      run.epochEnd(0, values(1));
      run.update(2, 1);
      run.fail(new Error('x'));
      run.end();
    }).not.toThrow();
    expect(run.span).toBeUndefined();
    const odd = startTrainingRun(new RecordingSignals(), undefined as never);
    expect(() => {
      odd.epochBegin(Number.NaN);
      odd.epochEnd(undefined as never, [null, { name: 1 }, { name: 'x', value: 'y' }] as never);
      odd.update('x' as never, null as never);
      odd.update({ valueOf() { throw new Error('odd'); } } as never, 1);
      odd.setTotals(null as never);
      odd.end();
    }).not.toThrow();
  });
});
