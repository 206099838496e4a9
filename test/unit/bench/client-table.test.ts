// The client comparison: which runs the `client` part makes from the options, and its table
// (ours ÷ node-zookeeper-client per metric, rows by scenario, footnotes for failed runs).

import { describe, expect, it } from 'vitest';
import type { ClientLibrary } from '../../../bench/client-driver.js';
import { errorCode } from '../../../bench/client-driver.js';
import { formatClientTable, pairClientRuns } from '../../../bench/client-table.js';
import { resolveBenchOptions } from '../../../bench/options.js';
import type { ClientRunResult, Measurement } from '../../../bench/results.js';
import { buildSuite, clientScenarios } from '../../../bench/scenarios.js';

function measured(opsPerSec: number, p50: number, clientCpuPct = 50): Measurement {
  return {
    ops: opsPerSec * 5, errors: 0, elapsedMs: 5000, opsPerSec,
    latencyMs: { mean: p50, p50, p99: p50 * 4, p999: p50 * 8, max: p50 * 10 }, clientCpuPct,
  };
}

function run(library: ClientLibrary, op: 'getData' | 'setData', result?: Measurement, over: Partial<ClientRunResult> = {}): ClientRunResult {
  return {
    scenarioId: `client/${op}/4x100/100B`, op, label: `${op} 4x100 100B`, library,
    libraryVersion: library === 'zabkit' ? '0.1.0' : '1.1.3', server: 'Apache ZooKeeper 3.8.0 standalone',
    sessions: 4, outstanding: 100, payloadBytes: 100,
    status: result === undefined ? 'failed' : 'ok', ...(result === undefined ? {} : { result }), ...over,
  };
}

describe('clientScenarios', () => {
  it('default run includes the client part: getData then setData, with the shape flags', () => {
    const o = resolveBenchOptions({});
    expect(o.parts).toContain('client');
    expect(clientScenarios(o).map((s) => [s.id, s.label])).toEqual([
      ['client/getData/4x100/100B', 'getData 4x100 100B'],
      ['client/setData/4x100/100B', 'setData 4x100 100B'],
    ]);
    const small = clientScenarios(resolveBenchOptions({ parts: 'client', sessions: '2', outstanding: '8', payload: '1k' }));
    expect(small.map((s) => [s.label, s.sessions, s.outstanding, s.payloadBytes])).toEqual([
      ['getData 2x8 1KiB', 2, 8, 1024],
      ['setData 2x8 1KiB', 2, 8, 1024],
    ]);
  });

  it('none without the part; and the part adds no per-target scenario to the suite', () => {
    expect(clientScenarios(resolveBenchOptions({ parts: 'throughput' }))).toEqual([]);
    expect(buildSuite(resolveBenchOptions({ parts: 'client' }))).toEqual([]);
  });
});

describe('errorCode', () => {
  it('a numeric non-zero `code` (KeeperError, node-zookeeper-client Exception), else -1', () => {
    expect(errorCode({ code: -101 })).toBe(-101);
    expect(errorCode(new Error('x'))).toBe(-1);
    expect(errorCode({ code: 0 })).toBe(-1);
    expect(errorCode(null)).toBe(-1);
  });
});

describe('formatClientTable', () => {
  it('pairs ours and theirs per scenario, in first-seen order', () => {
    const rows = pairClientRuns([
      run('node-zookeeper-client', 'setData', measured(1, 1)),
      run('zabkit', 'getData', measured(1, 1)),
      run('zabkit', 'setData', measured(1, 1)),
    ]);
    expect(rows.map((r) => [r.label, r.ours?.library, r.theirs?.library])).toEqual([
      ['setData 4x100 100B', 'zabkit', 'node-zookeeper-client'],
      ['getData 4x100 100B', 'zabkit', undefined],
    ]);
  });

  it('cells are ours / theirs then ours ÷ theirs; versions and server in the heading', () => {
    const text = formatClientTable([
      run('zabkit', 'getData', measured(45_000, 2, 40)),
      run('node-zookeeper-client', 'getData', measured(30_000, 4, 80)),
    ]);
    expect(text).toContain('Apache ZooKeeper 3.8.0 standalone');
    expect(text).toContain('zabkit 0.1.0 vs node-zookeeper-client 1.1.3');
    const row = text.split('\n').find((l) => l.startsWith('| getData'))!;
    expect(row).toContain('45.0k / 30.0k 1.50×');
    expect(row).toContain('2 / 4 0.50×');
    expect(row).toContain('8 / 16 0.50×');
    expect(row).toContain('40 / 80 0.50×');
  });

  it('a failed side shows its status with a footnote and no ratio; errors are flagged in the label', () => {
    const text = formatClientTable([
      run('zabkit', 'setData', { ...measured(10_000, 1), errors: 3 }),
      run('node-zookeeper-client', 'setData', undefined, { reason: 'connection refused' }),
    ]);
    const row = text.split('\n').find((l) => l.startsWith('| setData'))!;
    expect(row).toContain('(zabkit: 3 errors)');
    expect(row).toContain('10.0k / failed[1] |');
    expect(text).toContain('[1] node-zookeeper-client: failed (connection refused)');
  });
});
