// Whole 5-member ensembles (odd seeds add an observer) under the same random faults as the
// 3-member runs: invariants at every step, then calm, liveness and the history check.
// Replay one seed with ZAB_SIM_SEED=<n>; `npm run sim -- --voters 5 --seeds N` runs more.

import { describe, expect, it } from 'vitest';
import { runSeed, seedOptions } from './run-seed.js';

const only = process.env.ZAB_SIM_SEED;
const seeds = only !== undefined ? [Number(only)] : Array.from({ length: 50 }, (_, i) => 10_001 + i);

describe('zab simulation: 5 voters (+ observer on odd seeds) under random faults', () => {
  it.each(seeds)('seed %i', (seed) => {
    const sim = runSeed(seedOptions(seed, 5));
    expect(sim.inv.committedCount).toBeGreaterThan(0);
  });
});
