// One randomized run as the tests and `npm run sim` do it: faults for `faultTicks`, then calm
// until the ensemble settles (at most `calmTicks`), then the end-of-run checks — one serving
// leader, every member serving, every client answered again, the incremental digests equal to
// full ones, and the client history linearizable. Throws a SimFailure.

import { ZabSim } from './sim.js';
import type { SimOptions } from './options.js';

/**
 * The options a seed runs with in CI and in `npm run sim`: odd seeds add an observer; every third
 * seed keeps a committed log of only 8 txns, so lagging learners sync from the on-disk log or SNAP.
 */
export function seedOptions(seed: number, voters = 3): Partial<SimOptions> & { seed: number } {
  return { seed, voters, observers: seed % 2, ...(seed % 3 === 0 ? { commitLogCount: 8 } : {}) };
}

export function runSeed(options: Partial<SimOptions> & { seed: number }, faultTicks = 400, calmTicks = 200): ZabSim {
  const sim = new ZabSim(options);
  sim.replayHint = `ZAB_SIM_SEED=${options.seed} npx vitest run test/sim, or npm run sim -- --seed ${options.seed} --voters ${sim.o.voters} --observers ${sim.o.observers}`;
  sim.runTicks(faultTicks);
  sim.calm();
  const answered = sim.clients.map((c) => c.answered);
  const settled = () => sim.servingLeaders().length === 1 && sim.servingCount() === sim.members.size
    && sim.clients.every((c, i) => c.answered > answered[i]!);
  for (let t = 0; t < calmTicks && !settled(); t += 10) sim.runTicks(10);
  const leaders = sim.servingLeaders().length;
  if (leaders !== 1) sim.fail(`after ${calmTicks} calm ticks: ${leaders} serving leaders`);
  if (sim.servingCount() !== sim.members.size) sim.fail(`after ${calmTicks} calm ticks only ${sim.servingCount()} of ${sim.members.size} members serve`);
  sim.clients.forEach((c, i) => {
    if (c.answered <= answered[i]!) sim.fail(`client ${c.id} got no answer in ${calmTicks} calm ticks`);
  });
  for (const m of sim.members.values()) {
    const wrong = m.replica.verifyDigest();
    if (wrong) sim.fail(`member ${m.sid}: ${wrong}`);
  }
  sim.checkHistory();
  return sim;
}
