// The JSON the bench writes: its shape (what a later tool may rely on), rounding, and how a
// run's numbers are carried over from the load generator.

import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../../bench/histogram.js';
import { resolveBenchOptions } from '../../../bench/options.js';
import { measurement, RESULT_SCHEMA, toJson, type BenchReport } from '../../../bench/results.js';

function report(): BenchReport {
  const { progress: _p, ...options } = resolveBenchOptions({});
  return {
    schema: RESULT_SCHEMA,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:03:00.000Z',
    zabkit: { commit: 'abc123', uncommittedChanges: false, cli: '/repo/cli/main.ts' },
    machine: { cpus: 2, cpuModel: 'cpu', memoryMb: 1024, node: 'v20', kernel: '6', loadAverageAtStart: [1, 1, 1], loadAverage: [0.5, 0.25, 0.125] },
    options,
    targets: [
      { target: 'zabkit', mode: 'standalone', status: 'ok', version: 'z', notes: ['in-memory'] },
      { target: 'zabkit', mode: 'ensemble', status: 'n/a', reason: 'zabkit ensemble not available', notes: [] },
    ],
    runs: [
      {
        mode: 'standalone', target: 'zabkit', scenarioId: 'throughput/setData/4x100/100B', part: 'throughput',
        label: 'setData 4x100 100B', sessions: 4, outstanding: 100, payloadBytes: 100, status: 'ok',
        result: measurement(
          { ops: 3, errors: 0, elapsedMs: 1000.123456, opsPerSec: 2.9996296, latency: { count: 3, meanMs: 1 / 3, p50Ms: 0.25, p99Ms: 0.5, p999Ms: 0.5, maxMs: 0.5 } },
          { serverRssMb: 99.87654, serverCpuPct: 50, clientCpuPct: 20, eventLoopLagMs: { p50Ms: 0, p99Ms: 1.25, maxMs: 3 } },
        ),
      },
      {
        mode: 'ensemble', target: 'zabkit', scenarioId: 'throughput/setData/4x100/100B', part: 'throughput',
        label: 'setData 4x100 100B', sessions: 4, outstanding: 100, payloadBytes: 100, status: 'n/a', reason: 'zabkit ensemble not available',
      },
    ],
  };
}

describe('result JSON', () => {
  it('has the documented top-level shape and leaves out the progress flag', () => {
    const json = JSON.parse(toJson(report()));
    expect(Object.keys(json)).toEqual(['schema', 'startedAt', 'finishedAt', 'zabkit', 'machine', 'options', 'targets', 'runs']);
    expect(json.schema).toBe('zabkit-bench/1');
    expect(json.options).not.toHaveProperty('progress');
    expect(json.options).toMatchObject({ durationS: 6, sessions: 4, outstanding: 100, readPct: 90, payloadBytes: 100 });
  });

  it('a measured run carries ops/s, the latency percentiles in ms, server RSS/CPU, client CPU and the lag', () => {
    const run = JSON.parse(toJson(report())).runs[0];
    expect(run).toEqual({
      mode: 'standalone', target: 'zabkit', scenarioId: 'throughput/setData/4x100/100B', part: 'throughput',
      label: 'setData 4x100 100B', sessions: 4, outstanding: 100, payloadBytes: 100, status: 'ok',
      result: {
        ops: 3, errors: 0, elapsedMs: 1000.123, opsPerSec: 3,
        latencyMs: { mean: 0.333, p50: 0.25, p99: 0.5, p999: 0.5, max: 0.5 },
        serverRssMb: 99.877, serverCpuPct: 50, clientCpuPct: 20, eventLoopLagMs: { p50Ms: 0, p99Ms: 1.25, maxMs: 3 },
      },
    });
  });

  it('a run that could not happen keeps its status and reason and has no numbers', () => {
    const run = JSON.parse(toJson(report())).runs[1];
    expect(run).toMatchObject({ status: 'n/a', reason: 'zabkit ensemble not available' });
    expect(run).not.toHaveProperty('result');
  });

  it('numbers are rounded to 3 decimals, integers left alone', () => {
    expect(toJson(report())).toContain('"elapsedMs": 1000.123');
    expect(toJson(report())).toContain('"loadAverage": [\n      0.5,\n      0.25,\n      0.125\n    ]');
  });
});

describe('LatencyHistogram', () => {
  it('summarises recorded latencies in ms at microsecond resolution', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.recordMs(i / 100); // 0.01 … 10 ms
    const s = h.summary();
    expect(s.count).toBe(1000);
    expect(s.p50Ms).toBeCloseTo(5, 1);
    expect(s.p99Ms).toBeCloseTo(9.9, 1);
    expect(s.p999Ms).toBeCloseTo(9.99, 1);
    expect(s.maxMs).toBeCloseTo(10, 1);
    expect(s.meanMs).toBeCloseTo(5.005, 1);
  });

  it('empty → zeros; sub-microsecond values count as 1 µs; add merges', () => {
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, meanMs: 0, p50Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 });
    const a = new LatencyHistogram();
    a.recordMs(0.0001);
    expect(a.summary().maxMs).toBe(0.001);
    const b = new LatencyHistogram();
    b.recordMs(2);
    a.add(b);
    expect(a.count).toBe(2);
    expect(a.summary().maxMs).toBeCloseTo(2, 2);
  });
});
