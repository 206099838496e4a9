// The suite built from the options: which runs, in which order, with which shapes and labels.

import { describe, expect, it } from 'vitest';
import { resolveBenchOptions } from '../../../bench/options.js';
import { buildSuite, countLabel, sizeLabel } from '../../../bench/scenarios.js';

describe('buildSuite', () => {
  it('default: one throughput run per op, the two 1x1 latency runs, the zk-latencies sequence, create last', () => {
    const suite = buildSuite(resolveBenchOptions({}));
    expect(suite.map((s) => s.label)).toEqual([
      'setData 4x100 100B',
      'getData 4x100 100B',
      'exists 4x100 100B',
      'mixed 90% read 4x100 100B',
      'setData 1x1 100B',
      'getData 1x1 100B',
      'zk-latencies 10k x 100B, 50k watches',
      'create 4x100 100B',
    ]);
    expect(new Set(suite.map((s) => s.id)).size).toBe(suite.length);
    expect(suite.find((s) => s.label.startsWith('mixed'))!.workload).toEqual({ op: 'mixed', readPct: 90, payloadBytes: 100, keys: 1000 });
    expect(suite.filter((s) => s.part === 'latency').every((s) => s.sessions === 1 && s.outstanding === 1)).toBe(true);
  });

  it('follows --parts order and the shape flags', () => {
    const o = resolveBenchOptions({ parts: 'sequence,throughput', ops: 'mixed', readPct: '50', sessions: '2', outstanding: '8', payload: '1k', sequenceCount: '500', watchMultiple: '3' });
    expect(buildSuite(o).map((s) => [s.part, s.label, s.sessions, s.outstanding])).toEqual([
      ['sequence', 'zk-latencies 500 x 1KiB, 1500 watches', 4, 8],
      ['throughput', 'mixed 50% read 2x8 1KiB', 2, 8],
    ]);
  });

  it('a create throughput run goes last whatever the order of --ops and --parts', () => {
    const o = resolveBenchOptions({ ops: 'create,getData', parts: 'throughput,latency' });
    expect(buildSuite(o).map((s) => s.label)).toEqual(['getData 4x100 100B', 'setData 1x1 100B', 'getData 1x1 100B', 'create 4x100 100B']);
  });

  it('labels', () => {
    expect([sizeLabel(100), sizeLabel(1024), sizeLabel(1500)]).toEqual(['100B', '1KiB', '1500B']);
    expect([countLabel(10_000), countLabel(1500), countLabel(7)]).toEqual(['10k', '1500', '7']);
  });
});
