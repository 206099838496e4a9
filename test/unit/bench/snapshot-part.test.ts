// The `snapshot` part: its scenario from the options, the zoo.cfg line it adds, counting snapshot
// files, its table (max latency, p99.9, lag max beside the idle probe, snapshots in the window)
// and its spread over several runs.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveBenchOptions } from '../../../bench/options.js';
import type { Measurement, RunResult } from '../../../bench/results.js';
import { buildSuite, snapshotScenarios } from '../../../bench/scenarios.js';
import { countSnapshots } from '../../../bench/snapshot-files.js';
import { formatSnapshotTable } from '../../../bench/snapshot-table.js';
import { formatSnapshotSpread } from '../../../bench/spread.js';
import { benchZooCfg } from '../../../bench/zoo-cfg.js';

const lag = (maxMs: number) => ({ p50Ms: 1, p99Ms: 2, maxMs });

function m(max: number, extra: Partial<Measurement> = {}): Measurement {
  return { ops: 10, errors: 0, elapsedMs: 1000, opsPerSec: 10, latencyMs: { mean: 1, p50: 1, p99: 2, p999: max / 2, max }, ...extra };
}

function run(target: RunResult['target'], result: Measurement | undefined, part: RunResult['part'] = 'snapshot'): RunResult {
  const label = part === 'snapshot' ? 'setData while snapshotting' : 'setData';
  return {
    mode: 'standalone', target, scenarioId: label, part, label, sessions: 4, outstanding: 100, payloadBytes: 100,
    status: result === undefined ? 'failed' : 'ok', ...(result === undefined ? { reason: 'boom' } : { result }),
  };
}

const cells = (line: string) => line.split('|').map((c) => c.trim()).filter(Boolean);

describe('snapshot scenarios', () => {
  it('one setData run with the tree size and snapCount, not part of the shared suite', () => {
    const o = resolveBenchOptions({ parts: 'throughput,snapshot', sessions: '2', outstanding: '8', snapshotNodes: '50000', snapCount: '2000' });
    const [s, ...rest] = snapshotScenarios(o);
    expect(rest).toEqual([]);
    expect(s).toMatchObject({
      part: 'snapshot', sessions: 2, outstanding: 8, treeNodes: 50_000, snapCount: 2000,
      label: 'setData 2x8 100B while snapshotting 50k znodes (snapCount 2k)',
      workload: { op: 'setData' },
    });
    expect(buildSuite(o).some((x) => x.part === 'snapshot')).toBe(false);
    expect(snapshotScenarios(resolveBenchOptions({ parts: 'throughput' }))).toEqual([]);
  });

  it('zoo.cfg gets snapCount only when set', () => {
    expect(benchZooCfg({ dataDir: '/d', clientPort: 1, snapCount: 2000 })).toContain('\nsnapCount=2000\n');
    expect(benchZooCfg({ dataDir: '/d', clientPort: 1 })).not.toMatch(/^snapCount=/m);
  });
});

describe('countSnapshots', () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('counts snapshot.<hex> files in the format directories of every dataDir, nothing else', async () => {
    root = await mkdtemp(join(tmpdir(), 'bench-snapshots-'));
    const a = join(root, 'a');
    const b = join(root, 'b');
    await mkdir(join(a, 'version-2'), { recursive: true });
    await mkdir(join(b, 'zabkit-1'), { recursive: true });
    for (const f of ['snapshot.0', 'snapshot.1f', 'log.1', 'snapshot.20.tmp']) await writeFile(join(a, 'version-2', f), '');
    await writeFile(join(b, 'zabkit-1', 'snapshot.0000000000000100'), '');
    await writeFile(join(b, 'snapshot.5'), ''); // not in a format directory
    expect(await countSnapshots([a, b])).toBe(3);
    expect(await countSnapshots([join(root, 'missing')])).toBe(0);
  });
});

describe('formatSnapshotTable', () => {
  it('snapshots in the window, max latency and p99.9 with ratios, and lag max beside the probe', () => {
    const text = formatSnapshotTable([
      run('zabkit', m(40, { snapshots: 3, eventLoopLagMs: lag(12), probeLagMs: lag(9) })),
      run('zookeeper', m(160, { snapshots: 2 })),
      run('zabkit', m(1), 'throughput'),
    ]);
    const row = cells(text.split('\n').find((l) => l.startsWith('| standalone'))!);
    expect(row).toEqual(['standalone', 'setData while snapshotting', '3 / 2', '40 / 160 0.25×', '20 / 80 0.25×', '12 (9)']);
    expect(text).not.toContain('| setData |');
  });

  it('a failed side gets a footnote; no snapshot runs, no table', () => {
    const text = formatSnapshotTable([run('zabkit', m(40, { snapshots: 1 })), run('zookeeper', undefined)]);
    expect(text).toContain('failed[1]');
    expect(text).toContain('[1] zookeeper standalone: failed (boom)');
    expect(formatSnapshotTable([run('zabkit', m(1), 'throughput')])).toBe('');
  });
});

describe('formatSnapshotSpread', () => {
  it('median (min–max) of each side’s max latency, lag max, probe max and snapshots', () => {
    const reports = [40, 90, 60].map((max, i) => ({
      runs: [
        run('zabkit', m(max, { snapshots: i + 1, eventLoopLagMs: lag(max / 10), probeLagMs: lag(2) })),
        run('zookeeper', m(200 + i, { snapshots: 1 })),
      ],
    }));
    const row = cells(formatSnapshotSpread(reports).split('\n').find((l) => l.startsWith('| standalone'))!);
    expect(row).toEqual(['standalone', 'setData while snapshotting', '60 (40–90)', '201 (200–202)', '6 (4–9)', '2 (2–2)', '2 (1–3) / 1 (1–1)']);
    expect(formatSnapshotSpread([{ runs: [run('zabkit', m(1), 'throughput')] }])).toBe('');
  });
});
