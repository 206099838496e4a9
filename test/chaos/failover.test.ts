// Chaos on real processes: a 3-member zabkit ensemble (`zabkit server --config` per member) under
// write load from six ZooKeeperClient sessions spread over the members, through kill -9 of the
// leader, of a follower, SIGSTOP/SIGCONT of the leader and of a follower. Afterwards no
// acknowledged write is lost on any member, the members agree, the client history is
// linearizable, and service resumed after every fault. Prints the failover figure (fault → first
// acknowledged write) and writes every figure to a JSON file in a temp directory.
//
// Default suite: one run. `npm run chaos` (CHAOS_SOAK=1): CHAOS_RUNS runs (default 5) with
// CHAOS_LOAD_MS of load between faults (default 8000); CHAOS_SEED picks the first seed.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAULTS, median, runChaos, type ChaosRun } from './scenario.js';

const SOAK = process.env.CHAOS_SOAK === '1';
const RUNS = Number(process.env.CHAOS_RUNS ?? (SOAK ? 5 : 1));
const LOAD_MS = Number(process.env.CHAOS_LOAD_MS ?? (SOAK ? 8000 : 1500));
const FIRST_SEED = Number(process.env.CHAOS_SEED ?? 1);

const runs: ChaosRun[] = [];

afterAll(() => {
  if (runs.length === 0) return;
  const figures = Object.fromEntries(FAULTS.map((fault) => {
    const of = runs.flatMap((r) => r.faults.filter((f) => f.fault === fault));
    return [fault, {
      medianFirstWriteMs: Math.round(median(of.map((f) => f.firstWriteMs))),
      ...(fault.endsWith('leader') ? { medianNewLeaderMs: Math.round(median(of.map((f) => f.newLeaderMs!))) } : {}),
      medianWholeAgainMs: Math.round(median(of.map((f) => f.wholeAgainMs))),
      firstWriteMs: of.map((f) => Math.round(f.firstWriteMs)),
    }];
  }));
  const dir = mkdtempSync(join(tmpdir(), 'zabkit-chaos-'));
  const file = join(dir, 'failover.json');
  writeFileSync(file, `${JSON.stringify({ runs: runs.length, loadMs: LOAD_MS, figures, details: runs }, null, 2)}\n`);
  const line = (fault: string) => `${fault} ${figures[fault]!.medianFirstWriteMs} ms`;
  const elected = (fault: string) => `${fault} ${figures[fault]!.medianNewLeaderMs} ms`;
  console.log(
    `chaos: failover (fault → first acknowledged write), median of ${runs.length} run(s): ${line('kill -9 leader')}, ${line('SIGSTOP leader')}; ` +
      `writes went on after ${line('kill -9 follower')}, ${line('SIGSTOP follower')}\n` +
      `chaos: fault → a new leader serving (srvr), median: ${elected('kill -9 leader')}, ${elected('SIGSTOP leader')}\n` +
      `chaos: ${runs.reduce((n, r) => n + r.operations, 0)} ops (${runs.reduce((n, r) => n + r.unknown, 0)} with unknown outcome), ` +
      `${runs.reduce((n, r) => n + r.ackedWrites, 0)} acknowledged writes; figures in ${file}`,
  );
});

describe('chaos: 3 zabkit member processes under kill -9 and SIGSTOP of leader and follower', () => {
  for (let r = 0; r < RUNS; r++) {
    const seed = FIRST_SEED + r;
    it(`seed ${seed}: no acked write lost, members agree, history linearizable, service resumes`, async () => {
      const run = await runChaos({ seed, loadMs: LOAD_MS, log: (line) => console.log(`chaos: ${line}`) });
      runs.push(run);
      expect(run.problems, run.problems.join('\n\n')).toEqual([]);
      expect(run.faults.map((f) => f.fault)).toEqual(FAULTS);
      for (const f of run.faults.filter((x) => x.fault.endsWith('leader'))) expect(f.newLeader).not.toBe(f.sid);
      // The load really ran on both sides of every fault.
      expect(run.ackedWrites).toBeGreaterThan(50);
    }, 600_000);
  }
});
