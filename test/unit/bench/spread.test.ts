// The spread over several runs: per row, the median and range of the zabkit ÷ ZooKeeper ratios
// of the runs that have both sides, lag beside the idle probe, and the load averages.

import { describe, expect, it } from 'vitest';
import type { Measurement, RunResult } from '../../../bench/results.js';
import { formatSpread, median, spreadCell } from '../../../bench/spread.js';

function m(opsPerSec: number, p99: number, extra: Partial<Measurement> = {}): Measurement {
  return { ops: 1, errors: 0, elapsedMs: 1, opsPerSec, latencyMs: { mean: 1, p50: 1, p99, p999: p99 * 2, max: p99 * 3 }, ...extra };
}

function run(target: RunResult['target'], label: string, result: Measurement | undefined): RunResult {
  return {
    mode: 'standalone', target, scenarioId: label, part: 'throughput', label, sessions: 4, outstanding: 100, payloadBytes: 100,
    status: result === undefined ? 'failed' : 'ok', ...(result === undefined ? { reason: 'boom' } : { result }),
  };
}

const machine = (start: number, end: number) => ({
  cpus: 2, cpuModel: 'x', memoryMb: 1, node: 'v20', kernel: 'k', loadAverageAtStart: [start, 0, 0], loadAverage: [end, 0, 0],
});

describe('median and spreadCell', () => {
  it('median of odd and even counts; nothing gives undefined', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it('median then (min–max); one value alone; none is —', () => {
    expect(spreadCell([1.5, 2.04, 1.41])).toBe('1.50× (1.41–2.04)');
    expect(spreadCell([12.34])).toBe('12.3×');
    expect(spreadCell([])).toBe('—');
  });
});

describe('formatSpread', () => {
  it('one row per scenario with the ratios of every run, lag and probe, and the load averages', () => {
    const lag = (p99Ms: number) => ({ p50Ms: 0, p99Ms, maxMs: p99Ms });
    const reports = [
      { machine: machine(3, 5), runs: [run('zabkit', 'setData', m(60, 10, { eventLoopLagMs: lag(4), probeLagMs: lag(3) })), run('zookeeper', 'setData', m(30, 20))] },
      { machine: machine(6, 7), runs: [run('zabkit', 'setData', m(40, 10, { eventLoopLagMs: lag(9), probeLagMs: lag(8) })), run('zookeeper', 'setData', m(40, 40))] },
      { machine: machine(2, 2), runs: [run('zookeeper', 'setData', m(30, 20)), run('zabkit', 'setData', m(45, 5, { eventLoopLagMs: lag(5), probeLagMs: lag(2) }))] },
    ];
    const text = formatSpread(reports);
    const row = text.split('\n').find((l) => l.includes('| setData'))!.split('|').map((c) => c.trim()).filter(Boolean);
    expect(row).toEqual(['standalone', 'setData', '1.50× (1.00–2.00)', '1.00× (1.00–1.00)', '0.25× (0.25–0.50)', '0.25× (0.25–0.50)', '5 (4–9)', '3 (2–8)']);
    expect(text).toContain('run 1: 3.0 → 5.0; run 2: 6.0 → 7.0; run 3: 2.0 → 2.0');
  });

  it('runs missing a side are left out of the ratios and counted in a footnote', () => {
    const reports = [
      { machine: machine(1, 1), runs: [run('zabkit', 'create', m(20, 1)), run('zookeeper', 'create', m(10, 1))] },
      { machine: machine(1, 1), runs: [run('zabkit', 'create', undefined), run('zookeeper', 'create', m(10, 1))] },
    ];
    const text = formatSpread(reports);
    expect(text).toContain('create [1]');
    expect(text).toContain('2.00×');
    expect(text).toContain('[1] 1 of 2 runs lack one side');
  });
});
