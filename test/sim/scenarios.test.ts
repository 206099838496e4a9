// The named scenarios of scenarios.ts (known ZooKeeper traps), each on a few seeds, with every
// invariant and the history check on. `syncOnLaggingFollower` seed 1 is the run that found the
// learner completing SYNC before applying the txns committed ahead of it.

import { describe, it } from 'vitest';
import { SCENARIOS } from './scenarios.js';

const only = process.env.ZAB_SIM_SEED;
const seeds = only !== undefined ? [Number(only)] : [1, 2, 3];
const cases = Object.keys(SCENARIOS).flatMap((name) => seeds.map((seed) => ({ name: name as keyof typeof SCENARIOS, seed })));

describe('zab simulation: named scenarios', () => {
  it.each(cases)('$name, seed $seed', ({ name, seed }) => {
    SCENARIOS[name](seed);
  });
});
