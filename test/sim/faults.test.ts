// Faults one kind at a time, at rates high enough that each run meets many of them: crashes at
// every boundary of the Ready loop (docs/zab.md: before persist, after persist, after the log
// write, in the middle of the sends, after the sends, after apply, between fsync and `persisted`),
// power losses that drop or tear the log's unsynced tail, and partitions with no other fault.
// Every run keeps all invariants, settles once calm, and has a linearizable history.

import { describe, expect, it } from 'vitest';
import { BOUNDARIES } from './options.js';
import { runSeed } from './run-seed.js';

const only = process.env.ZAB_SIM_SEED;
const pick = (seeds: number[]) => (only !== undefined ? [Number(only)] : seeds);

describe('zab simulation: crashes at each Ready-loop boundary', () => {
  const cases = BOUNDARIES.flatMap((boundary, b) => pick([1, 2, 3].map((i) => 20_000 + 10 * b + i)).map((seed) => ({ boundary, seed })));
  it.each(cases)('$boundary, seed $seed', ({ boundary, seed }) => {
    const sim = runSeed({ seed, voters: 3, observers: seed % 2, crashRate: 0, boundaryCrashRate: 0.01, boundaries: [boundary] }, 300);
    expect(sim.stats.boundaryCrashes[boundary] ?? 0).toBeGreaterThan(0);
    expect(Object.keys(sim.stats.boundaryCrashes)).toEqual([boundary]);
  });
});

describe('zab simulation: disks that lose or tear unsynced writes', () => {
  const seeds = pick([30_001, 30_002, 30_003, 30_004, 30_005, 30_006]);
  const seen = new Map<number, { torn: number; lost: number }>();
  const run = (seed: number) => {
    const sim = runSeed({ seed, voters: 3, observers: 0, crashRate: 0.03, powerLossShare: 1, boundaryCrashRate: 0.003, maxFsync: 60 }, 300);
    seen.set(seed, { torn: sim.stats.tornBytes, lost: sim.stats.lostBytes });
    return sim;
  };

  it.each(seeds)('seed %i', (seed) => {
    const sim = run(seed);
    expect(sim.stats.crashes.power).toBeGreaterThan(0);
    expect(sim.stats.crashes.process).toBe(0);
  });

  it('lost unsynced bytes and tore records, which recovery cut off (over those seeds)', () => {
    for (const seed of seeds) if (!seen.has(seed)) run(seed);
    const total = (k: 'torn' | 'lost') => seeds.reduce((n, seed) => n + seen.get(seed)![k], 0);
    expect(total('lost')).toBeGreaterThan(0);
    if (only === undefined) expect(total('torn')).toBeGreaterThan(0);
  });
});

describe('zab simulation: partitions only (symmetric, one-way, splits)', () => {
  it.each(pick([40_001, 40_002, 40_003, 40_004]))('seed %i', (seed) => {
    const sim = runSeed({ seed, voters: 5, observers: 1, crashRate: 0, boundaryCrashRate: 0, dropRate: 0, partitionRate: 0.05 }, 300);
    expect(sim.net.stats.partitions).toBeGreaterThan(3);
  });
});
