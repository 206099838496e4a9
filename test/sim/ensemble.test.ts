// Whole 3-member ensembles (odd seeds add an observer) under every random fault at once —
// election notifications delayed / lost / duplicated / reordered, symmetric and one-way
// partitions, crashes and power losses, crashes at Ready-loop boundaries, torn log tails — with
// the invariants checked at every step, then calm: one serving leader, every member serving,
// clients answered, and the client history linearizable. A failure prints SEED=…; replay one
// seed with ZAB_SIM_SEED=<n>, run many more with `npm run sim -- --seeds N`.

import { describe, expect, it } from 'vitest';
import { runSeed, seedOptions } from './run-seed.js';

const only = process.env.ZAB_SIM_SEED;
const seeds = only !== undefined ? [Number(only)] : Array.from({ length: 130 }, (_, i) => 1 + i);

describe('zab simulation: 3 voters (+ observer on odd seeds) under random faults', () => {
  it.each(seeds)('seed %i', (seed) => {
    const sim = runSeed(seedOptions(seed, 3));
    expect(sim.inv.committedCount).toBeGreaterThan(0);
    expect(sim.history.size).toBeGreaterThan(0);
  });
});
