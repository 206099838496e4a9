// One chaos run: a 3-member zabkit ensemble of real processes (`zabkit server --config`, see
// test/support/zabkit-ensemble.ts) under the client load of workload.ts, through four faults in
// turn — kill -9 the leader, kill -9 a follower, SIGSTOP the leader, SIGSTOP a follower — each
// followed by the service resuming (an acknowledged write called after the fault), the member
// coming back (restart, or SIGCONT) and the ensemble agreeing on one leader again. Then the load
// stops and checks.ts reads every member. Per fault it measures fault → first acknowledged write.
// Counterpart: a Jepsen test of ZooKeeper with kill and pause nemeses.

import { ZooKeeperClient } from '../../framework/index.js';
import { ProcessEnsemble } from '../support/zabkit-ensemble.js';
import { checkAfterChaos } from './checks.js';
import { Workload } from './workload.js';

export type FaultKind = 'kill -9 leader' | 'kill -9 follower' | 'SIGSTOP leader' | 'SIGSTOP follower';
export const FAULTS: readonly FaultKind[] = ['kill -9 leader', 'kill -9 follower', 'SIGSTOP leader', 'SIGSTOP follower'];

export interface ChaosOptions {
  seed: number;
  /** Load before the first fault and between faults (after the ensemble is whole again). */
  loadMs: number;
  clients?: number;
  registers?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface FaultFigure {
  readonly fault: FaultKind;
  readonly sid: number;
  /** Fault → the first acknowledged write whose call came after the fault. */
  readonly firstWriteMs: number;
  /** For a leader fault, the member that leads afterwards. */
  readonly newLeader: number | undefined;
  /** For a leader fault, fault → the others serving under a new leader (srvr polled every 100 ms). */
  readonly newLeaderMs: number | undefined;
  /** Fault → the whole ensemble serving again with one leader (the member back included). */
  readonly wholeAgainMs: number;
}

export interface ChaosRun {
  readonly seed: number;
  readonly faults: FaultFigure[];
  readonly operations: number;
  readonly unknown: number;
  readonly ackedWrites: number;
  readonly expiredSessions: number;
  readonly problems: string[];
}

const TICK_MS = 500;
const SYNC_LIMIT = 5;
const SESSION_TIMEOUT_MS = 10_000;
const RESUME_TIMEOUT_MS = 90_000;

export async function runChaos(o: ChaosOptions): Promise<ChaosRun> {
  const log = o.log ?? (() => undefined);
  const registers = o.registers ?? 4;
  const ensemble = await ProcessEnsemble.start({ voters: 3, tickTimeMs: TICK_MS, syncLimit: SYNC_LIMIT });
  try {
    const hosts = ensemble.members.map((m) => m.connectString);
    // Client i starts on member i mod 3 and lists the others after it.
    const connectStrings = Array.from({ length: o.clients ?? 6 }, (_, i) => [...hosts.slice(i % hosts.length), ...hosts.slice(0, i % hosts.length)].join(','));
    const load = new Workload({ connectStrings, seed: o.seed, registers, sessionTimeoutMs: SESSION_TIMEOUT_MS });
    const admin = await ZooKeeperClient.connect(ensemble.connectString, { sessionTimeoutMs: SESSION_TIMEOUT_MS }, 60_000);
    await load.start(admin);
    await admin.close();
    await sleep(o.loadMs);

    const faults: FaultFigure[] = [];
    for (const fault of FAULTS) {
      const figure = await inject(ensemble, load, fault);
      log(`seed ${o.seed}: ${fault} (server.${figure.sid}): first acked write after ${Math.round(figure.firstWriteMs)} ms` +
        `${figure.newLeader !== undefined ? `, server.${figure.newLeader} leading after ${Math.round(figure.newLeaderMs!)} ms` : ''}` +
        `, whole again after ${Math.round(figure.wholeAgainMs)} ms`);
      faults.push(figure);
      await sleep(o.loadMs);
    }
    await load.stop();
    await ensemble.waitForLeader(RESUME_TIMEOUT_MS);
    const problems = await checkAfterChaos(ensemble, load, registers);
    return {
      seed: o.seed, faults, operations: load.operations, unknown: load.unknown, ackedWrites: load.ackedWrites.length,
      expiredSessions: load.expiredSessions, problems,
    };
  } catch (err) {
    const logs = ensemble.members.map((m) => `--- server.${m.sid}\n${m.output.slice(-3000)}`).join('\n');
    throw new Error(`seed ${o.seed}: ${(err as Error).message}\n${logs}`, { cause: err });
  } finally {
    await ensemble.close();
  }
}

async function inject(ensemble: ProcessEnsemble, load: Workload, fault: FaultKind): Promise<FaultFigure> {
  const leader = await ensemble.waitForLeader(RESUME_TIMEOUT_MS);
  const onLeader = fault.endsWith('leader');
  const sid = onLeader ? leader : (await ensemble.withMode('follower'))[0]!;
  const kill = fault.startsWith('kill');
  const t0 = performance.now();
  if (kill) ensemble.member(sid).process!.signal('SIGKILL');
  else ensemble.pause(sid);
  // With the member down or paused, waitForLeader only counts the others: no leader until they elect one.
  const elected = onLeader
    ? ensemble.waitForLeader(RESUME_TIMEOUT_MS).then((l) => ({ sid: l, ms: performance.now() - t0 }))
    : undefined;
  if (kill) await ensemble.kill(sid);

  const first = await waitFor(() => load.firstAckedWriteAfter(t0), RESUME_TIMEOUT_MS, `an acknowledged write after ${fault}`);
  const newLeader = await elected;
  if (newLeader?.sid === sid) throw new Error(`server.${sid} still leads after ${fault}`);
  if (kill) {
    await ensemble.restart(sid, RESUME_TIMEOUT_MS);
  } else {
    // Stay stopped long enough for the others to give up on it (syncLimit ticks), then some.
    const heldMs = performance.now() - t0;
    await sleep(Math.max(0, SYNC_LIMIT * TICK_MS + 1000 - heldMs));
    ensemble.resume(sid);
  }
  await ensemble.waitForLeader(RESUME_TIMEOUT_MS);
  return {
    fault, sid, firstWriteMs: first.return - t0, newLeader: newLeader?.sid, newLeaderMs: newLeader?.ms, wholeAgainMs: performance.now() - t0,
  };
}

async function waitFor<T>(get: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await sleep(20);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
