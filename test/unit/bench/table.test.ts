// The side-by-side table: number formats, ratios (zabkit ÷ ZooKeeper), pairing of runs into rows,
// and "n/a"/"failed" cells with a footnote giving the reason.

import { describe, expect, it } from 'vitest';
import type { Measurement, RunResult } from '../../../bench/results.js';
import { formatMs, formatOps, formatRatio, formatTable, pairRuns } from '../../../bench/table.js';

function measured(opsPerSec: number, p50: number, extra: Partial<Measurement> = {}): Measurement {
  return {
    ops: opsPerSec * 5, errors: 0, elapsedMs: 5000, opsPerSec,
    latencyMs: { mean: p50, p50, p99: p50 * 4, p999: p50 * 8, max: p50 * 10 },
    serverRssMb: 100, ...extra,
  };
}

function run(target: RunResult['target'], label: string, result?: Measurement, over: Partial<RunResult> = {}): RunResult {
  return {
    mode: 'standalone', target, scenarioId: label, part: 'throughput', label,
    sessions: 4, outstanding: 100, payloadBytes: 100,
    status: result === undefined ? 'failed' : 'ok', ...(result === undefined ? {} : { result }), ...over,
  };
}

describe('number formats', () => {
  it.each([[0, '0'], [950.4, '950'], [1234, '1.23k'], [31_234, '31.2k'], [123_456, '123k']])('ops %d → %s', (v, s) => {
    expect(formatOps(v)).toBe(s);
  });

  it.each([[0, '0'], [0.3814, '0.381'], [0.5, '0.5'], [1.234, '1.23'], [12.34, '12.3'], [20, '20'], [123.4, '123'], [1234.5, '1235']])(
    'ms %d → %s',
    (v, s) => {
      expect(formatMs(v)).toBe(s);
    },
  );

  it('ratio is a ÷ b with 2 decimals (1 from 10× up); missing or zero sides give —', () => {
    expect(formatRatio(12_000, 30_000)).toBe('0.40×');
    expect(formatRatio(30, 3)).toBe('10.0×');
    expect(formatRatio(undefined, 3)).toBe('—');
    expect(formatRatio(3, 0)).toBe('—');
  });
});

describe('pairRuns', () => {
  it('one row per (mode, label) in first-seen order, each side in its slot', () => {
    const runs = [
      run('zabkit', 'setData', measured(1, 1)),
      run('zookeeper', 'setData', measured(2, 1)),
      run('zookeeper', 'getData', measured(2, 1)),
      run('zabkit', 'setData', measured(1, 1), { mode: 'ensemble' }),
      run('zabkit', 'getData', measured(1, 1)),
    ];
    const rows = pairRuns(runs);
    expect(rows.map((r) => [r.mode, r.label, r.zabkit !== undefined, r.zookeeper !== undefined])).toEqual([
      ['standalone', 'setData', true, true],
      ['standalone', 'getData', true, true],
      ['ensemble', 'setData', true, false],
    ]);
  });
});

describe('formatTable', () => {
  it('prints both sides and the ratio for every metric, and our event-loop lag beside the idle probe\'s', () => {
    const text = formatTable([
      run('zabkit', 'setData 4x100 100B', measured(12_000, 2, {
        serverRssMb: 80, eventLoopLagMs: { p50Ms: 0.2, p99Ms: 1.5, maxMs: 9 }, probeLagMs: { p50Ms: 0.1, p99Ms: 0.42, maxMs: 3 },
      })),
      run('zookeeper', 'setData 4x100 100B', measured(30_000, 1, { serverRssMb: 320 })),
    ]);
    const lines = text.split('\n');
    const header = lines.find((l) => l.startsWith('| mode'))!;
    expect(header.split('|').map((c) => c.trim()).filter(Boolean)).toEqual([
      'mode', 'scenario', 'ops/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'server RSS MiB', 'lag p99 ms (idle probe)',
    ]);
    const row = lines.find((l) => l.includes('setData 4x100'))!.split('|').map((c) => c.trim()).filter(Boolean);
    expect(row).toEqual([
      'standalone', 'setData 4x100 100B', '12.0k / 30.0k 0.40×', '2 / 1 2.00×', '8 / 4 2.00×', '16 / 8 2.00×', '80 / 320 0.25×', '1.5 (0.42)',
    ]);
    // every row has the same width (a valid Markdown table that also lines up in a terminal)
    const tableLines = lines.filter((l) => l.startsWith('|'));
    expect(new Set(tableLines.map((l) => l.length)).size).toBe(1);
    expect(text).toMatch(/zabkit ÷ ZooKeeper/);
  });

  it('an unavailable side reads n/a with a numbered footnote giving the reason, once', () => {
    const na = { status: 'n/a' as const, reason: 'zabkit ensemble not available', mode: 'ensemble' as const };
    const text = formatTable([
      run('zabkit', 'setData', undefined, na),
      run('zookeeper', 'setData', measured(14_000, 3), { mode: 'ensemble' }),
      run('zabkit', 'getData', undefined, na),
      run('zookeeper', 'getData', measured(30_000, 1), { mode: 'ensemble' }),
    ]);
    expect(text).toContain('n/a[1] / 14.0k');
    expect(text).toContain('n/a[1] / 30.0k');
    expect(text).not.toContain('[2]');
    expect(text).toContain('[1] zabkit ensemble: n/a (zabkit ensemble not available)');
    expect(text).not.toMatch(/n\/a\[1\] \/ 14\.0k \S+×/); // no ratio against a missing side
  });

  it('failed runs and error replies are called out', () => {
    const text = formatTable([
      run('zabkit', 'create', undefined, { reason: 'the server closed the connection' }),
      run('zookeeper', 'create', measured(9000, 5, { errors: 3 })),
    ]);
    expect(text).toContain('failed[1] / 9.00k');
    expect(text).toContain('[1] zabkit standalone: failed (the server closed the connection)');
    expect(text).toContain('create (zookeeper: 3 errors)');
  });

  it('a row without latencies (whole sequence) shows — for them', () => {
    const noLatency = (ops: number): Measurement => ({ ops, errors: 0, elapsedMs: 1000, opsPerSec: ops, serverRssMb: 50 });
    const text = formatTable([run('zabkit', 'whole', noLatency(5000)), run('zookeeper', 'whole', noLatency(2500))]);
    const row = text.split('\n').find((l) => l.includes('whole'))!.split('|').map((c) => c.trim()).filter(Boolean);
    expect(row.slice(2)).toEqual(['5.00k / 2.50k 2.00×', '— / —', '— / —', '— / —', '50 / 50 1.00×', '—']);
  });
});
