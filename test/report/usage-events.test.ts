// The report shows a tool's usage events and commands (what `npm start` runs with examples/speedy).
import { describe, expect, it } from 'vitest';
import { groupRuns } from '../../src/report/group-runs.js';
import { renderRun } from '../../src/report/render-run.js';
import { usageRows } from '../../src/report/run-views.js';

const kv = (key: string, value: unknown) => ({ key, value: typeof value === 'string' ? { stringValue: value } : typeof value === 'boolean' ? { boolValue: value } : { doubleValue: value } });
const span = (id: string, start: number, end: number, attrs: Record<string, unknown>, status = 0) => ({
  traceId: 't', spanId: id, name: 'usage', startTimeUnixNano: String(start * 1e6), endTimeUnixNano: String(end * 1e6),
  attributes: Object.entries(attrs).map(([k, v]) => kv(k, v)), status: { code: status }, events: [],
});
const request = {
  resourceSpans: [{
    resource: { attributes: [kv('service.name', 'speedy'), kv('service.instance.id', 'i-1')] },
    scopeSpans: [{ spans: [
      span('a', 1000, 1400, { 'usage.name': 'command', 'usage.command': 'optimize' }),
      span('b', 1100, 1100, { 'usage.name': 'optimize', 'usage.compiler': 'onnxruntime', 'usage.latency_ms': 0.5, 'usage.improved': true }),
      span('c', 1500, 1600, { 'usage.name': 'command', 'usage.command': 'optimize', 'error.type': 'RangeError' }, 2),
    ] }],
  }],
};

describe('usage events in the report', () => {
  it('lists each event with its declared attributes, and each command with its duration and outcome', () => {
    const [run] = groupRuns([request], []);
    expect(usageRows(run!.spans)).toEqual([
      { timeMs: 1000, event: 'command optimize', attributes: '', durationMs: 400, failed: undefined },
      { timeMs: 1100, event: 'optimize', attributes: 'compiler=onnxruntime latency_ms=0.5 improved=true', durationMs: 0, failed: undefined },
      { timeMs: 1500, event: 'command optimize', attributes: '', durationMs: 100, failed: 'RangeError' },
    ]);
    const page = String(renderRun(run!, 'run-1'));
    expect(page).toContain('Usage events');
    expect(page).toContain('compiler=onnxruntime latency_ms=0.5 improved=true');
    expect(page).toContain('RangeError');
  });

  it('adds no panel to runs without usage spans', () => {
    const [run] = groupRuns([{ resourceSpans: [{ resource: { attributes: [kv('service.name', 'train')] }, scopeSpans: [{ spans: [{ ...span('x', 0, 1, {}), name: 'ml.train' }] }] }] }], []);
    expect(String(renderRun(run!, 'run-1'))).not.toContain('Usage events');
  });
});
