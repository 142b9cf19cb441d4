import { describe, expect, it } from 'vitest';
import { startTrainingRun } from '../../src/collect/training-run.js';
import { RecordingSignals, throwingSignals } from './instrumentations/recording-signals.js';

const fw = (framework: string) => ({ 'ml.framework': framework });

describe('startTrainingRun', () => {
  it('epoch-based runs: ml.train with ml.train.epoch children, counters, loss and progress', () => {
    const rec = new RecordingSignals();
    const run = startTrainingRun(rec, { framework: 'tfjs', operation: 'fit', epochsTotal: 2, stepsPerEpoch: 2, batchSize: 4 });
    for (let epoch = 0; epoch < 2; epoch++) {
      run.epochBegin(epoch);
      run.batchEnd(0.9);
      run.batchEnd();
      run.epochEnd(epoch, 0.5 - epoch * 0.1);
    }
    run.end();

    const [train] = rec.spansNamed('ml.train');
    expect(train!.attributes).toEqual({
      'ml.framework': 'tfjs',
      'ml.operation': 'fit',
      'ml.training.epochs.total': 2,
      'ml.training.batch_size': 4,
      'ml.training.steps_per_epoch': 2,
    });
    expect(train!.ended).toBe(true);
    const epochs = rec.spansNamed('ml.train.epoch');
    expect(epochs.map((e) => [e.attributes['ml.training.epoch'], e.attributes['ml.training.loss'], e.parent, e.ended])).toEqual([
      [0, 0.5, train, true],
      [1, 0.4, train, true],
    ]);
    expect(rec.metricValues('ml.training.epochs.completed', fw('tfjs'))).toEqual([1, 1]);
    expect(rec.metricValues('ml.training.batches.completed', fw('tfjs'))).toEqual([1, 1, 1, 1]);
    expect(rec.metricValues('ml.training.progress', fw('tfjs'))).toEqual([0.25, 0.5, 0.5, 0.75, 1, 1]);
    expect(rec.metricValues('ml.training.loss', fw('tfjs'))).toEqual([0.9, 0.5, 0.9, 0.4]);
    // metrics carry only ml.framework
    expect(rec.metrics.every((m) => Object.keys(m.attributes).join() === 'ml.framework')).toBe(true);
    expect(rec.unknownNames()).toEqual([]);
  });

  it('omits progress rather than guessing when no total is known', () => {
    const rec = new RecordingSignals();
    const run = startTrainingRun(rec, { framework: 'tfjs', operation: 'fitDataset' });
    run.epochBegin(0);
    run.batchEnd(1);
    run.epochEnd(0, 1);
    run.end();
    expect(rec.metricValues('ml.training.progress')).toEqual([]);
    expect(rec.metricValues('ml.training.epochs.completed')).toEqual([1]);
    expect(Object.keys(rec.spansNamed('ml.train')[0]!.attributes).sort()).toEqual(['ml.framework', 'ml.operation']);
  });

  it('learns totals later (setTotals) and puts them on the span', () => {
    const rec = new RecordingSignals();
    const run = startTrainingRun(rec, { framework: 'tfjs' });
    run.setTotals({ epochsTotal: 4, batchSize: undefined, stepsPerEpoch: 0 });
    run.epochBegin(0);
    run.epochEnd(0);
    run.end();
    expect(rec.spansNamed('ml.train')[0]!.attributes).toEqual({ 'ml.framework': 'tfjs', 'ml.training.epochs.total': 4 });
    expect(rec.metricValues('ml.training.progress')).toEqual([0.25]);
  });

  it('progress() runs: update(done) counts the increase, progress = done/total, loss gauge', () => {
    const rec = new RecordingSignals();
    const run = startTrainingRun(rec, { framework: 'custom', operation: 'progress', stepsTotal: 10, unit: 'step', name: 'my run' });
    run.update(1, { loss: 2 });
    run.update(4, { loss: 1.5 });
    run.update(4);
    run.update(10, { loss: Number.NaN });
    run.update(12); // more than planned: clamped
    run.end();
    const [train] = rec.spansNamed('ml.train');
    expect(train!.attributes).toEqual({
      'ml.framework': 'custom',
      'ml.operation': 'progress',
      'ml.training.steps.total': 10,
      'ml.training.unit': 'step',
      'ml.run.name': 'my run',
    });
    expect(rec.metricValues('ml.training.batches.completed', fw('custom'))).toEqual([1, 3, 6, 2]);
    expect(rec.metricValues('ml.training.progress', fw('custom'))).toEqual([0.1, 0.4, 0.4, 1, 1]);
    expect(rec.metricValues('ml.training.loss', fw('custom'))).toEqual([2, 1.5]);
    expect(rec.metricValues('ml.training.epochs.completed')).toEqual([]);
  });

  it("progress() runs in epochs count epochs; without a total there is no progress", () => {
    const rec = new RecordingSignals();
    const run = startTrainingRun(rec, { framework: 'custom', unit: 'epoch', epochsTotal: 4 });
    run.update(1);
    run.update(2);
    run.end();
    expect(rec.metricValues('ml.training.epochs.completed')).toEqual([1, 1]);
    expect(rec.metricValues('ml.training.progress')).toEqual([0.25, 0.5]);
    const rec2 = new RecordingSignals();
    const run2 = startTrainingRun(rec2, { framework: 'custom' });
    run2.update(5, { loss: 0.1 });
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
    run.epochEnd(0, 1);
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
    run.epochEnd(0, 0.3);
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
      run.epochEnd(0, 1);
      run.update(2, { loss: 1 });
      run.fail(new Error('x'));
      run.end();
    }).not.toThrow();
    expect(run.span).toBeUndefined();
    const odd = startTrainingRun(new RecordingSignals(), undefined as never);
    expect(() => {
      odd.epochBegin(Number.NaN);
      odd.epochEnd(undefined as never);
      odd.update('x' as never, null as never);
      odd.setTotals(null as never);
      odd.end();
    }).not.toThrow();
  });
});
