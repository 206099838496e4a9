// `npm run sim`: the deterministic Zab simulation over many seeds (CI runs a few hundred in
// test/sim). Prints a summary and every failing seed with the command that replays it.
//   npm run sim -- --seeds 2000 [--from 1] [--voters 5] [--observers 1] [--ticks 400]
//   npm run sim -- --seed 1234 [--voters 3] [--verbose]     replay one run (same as ZAB_SIM_SEED)
//   npm run sim -- --scenario zxidRollover --seed 3         one named scenario
//   npm run sim -- --scenario all --seeds 50                every scenario on seeds 1..50

import { parseArgs } from 'node:util';
import { runSeed, seedOptions } from '../test/sim/run-seed.js';
import { SCENARIOS } from '../test/sim/scenarios.js';
import type { ZabSim } from '../test/sim/sim.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '200' },
    from: { type: 'string', default: '1' },
    seed: { type: 'string' },
    voters: { type: 'string', default: '3' },
    observers: { type: 'string' },
    ticks: { type: 'string', default: '400' },
    scenario: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log('usage: npm run sim -- [--seeds N] [--from S] [--seed S] [--voters V] [--observers O] [--ticks T] [--scenario NAME|all] [--verbose]');
  process.exit(0);
}

const voters = Number(values.voters);
const ticks = Number(values.ticks);
const seeds = values.seed !== undefined
  ? [Number(values.seed)]
  : Array.from({ length: Number(values.seeds) }, (_, i) => Number(values.from) + i);

type Run = { name: string; seed: number; go: () => ZabSim };
const runs: Run[] = [];
if (values.scenario !== undefined) {
  const names = values.scenario === 'all' ? Object.keys(SCENARIOS) : [values.scenario];
  for (const name of names) {
    const scenario = SCENARIOS[name as keyof typeof SCENARIOS];
    if (!scenario) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
    for (const seed of seeds) runs.push({ name, seed, go: () => scenario(seed) });
  }
} else {
  for (const seed of seeds) {
    const options = { ...seedOptions(seed, voters), ...(values.observers !== undefined ? { observers: Number(values.observers) } : {}) };
    runs.push({ name: `${voters} voters`, seed, go: () => runSeed(options, ticks) });
  }
}

const totals = { committed: 0, epochs: 0, process: 0, power: 0, boundary: 0, torn: 0, truncs: 0, snaps: 0, fatalTruncs: 0, ops: 0, unknown: 0, checks: 0, simMs: 0 };
const failures: { run: Run; message: string }[] = [];
const started = performance.now();
for (const [i, run] of runs.entries()) {
  try {
    const sim = run.go();
    const st = sim.stats;
    totals.committed += sim.inv.committedCount;
    totals.epochs += sim.inv.establishedBy.size;
    totals.process += st.crashes.process;
    totals.power += st.crashes.power;
    totals.boundary += Object.values(st.boundaryCrashes).reduce((a, b) => a + (b ?? 0), 0);
    totals.torn += st.tornBytes;
    totals.truncs += st.truncs;
    totals.snaps += st.snaps;
    totals.fatalTruncs += st.fatalTruncs;
    totals.ops += st.clientOps;
    totals.unknown += st.clientUnknown;
    totals.checks += sim.inv.checks;
    totals.simMs += sim.s.now;
    if (values.verbose) console.log(sim.summary());
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    failures.push({ run, message });
    console.log(`FAIL ${run.name} seed ${run.seed}: ${message.split('\n')[0]}`);
    if (failures.length === 1 || values.verbose) console.log(message);
  }
  if ((i + 1) % 100 === 0) console.log(`… ${i + 1}/${runs.length} runs, ${failures.length} failed`);
}

const secs = (performance.now() - started) / 1000;
console.log([
  `${runs.length} runs in ${secs.toFixed(1)}s (${(totals.simMs / 1000).toFixed(0)} simulated seconds), ${failures.length} failed`,
  `  committed txns ${totals.committed}, epochs ${totals.epochs}, invariant checks ${totals.checks}`,
  `  crashes: process ${totals.process}, power ${totals.power} (at Ready-loop boundaries ${totals.boundary}), torn bytes cut ${totals.torn}`,
  `  sync: TRUNC ${totals.truncs}, SNAP ${totals.snaps}, TRUNC below a snapshot (member exits) ${totals.fatalTruncs}`,
  `  client ops ${totals.ops} (outcome unknown ${totals.unknown})`,
].join('\n'));
for (const f of failures) console.log(`replay: npm run sim -- ${values.scenario !== undefined ? `--scenario ${f.run.name} ` : `--voters ${voters} `}--seed ${f.run.seed}`);
process.exitCode = failures.length > 0 ? 1 : 0;
