// A whole simulated ensemble: voters and observers with their disks, the network between them,
// clients, the invariant checkers, and the faults a run injects each tick (partitions of three
// kinds, crashes and power losses; boundary crashes happen inside members). Every failure throws
// a SimFailure whose message starts with SEED=… and says how to replay the run exactly.
// Counterpart: none in ZooKeeper (its tests use real threads and sockets); FoundationDB-style
// deterministic simulation of the server/zab machines with a reference driver.

import { quorumConfig, type QuorumConfig } from '../../server/zab/quorum-config.js';
import { ClientHistory } from './client-history.js';
import { SEEDED_PATHS, SimClient } from './clients.js';
import { SimDisk } from './disk.js';
import { Invariants } from './invariants.js';
import { Member } from './member.js';
import { Network } from './network.js';
import { calm, DEFAULT_OPTIONS, type SimOptions } from './options.js';
import { Replica } from './replica.js';
import { Scheduler } from './scheduler.js';
import { emptyStats, type Hooks, type SimStats, type World } from './world.js';

export class SimFailure extends Error {
  constructor(readonly seed: number, message: string) {
    super(message);
    this.name = 'SimFailure';
  }
}

export class ZabSim implements World {
  readonly s: Scheduler;
  readonly net: Network;
  o: SimOptions;
  readonly config: QuorumConfig;
  readonly inv: Invariants;
  readonly stats: SimStats = emptyStats();
  hooks: Hooks = {};
  readonly members = new Map<bigint, Member>();
  readonly clients: SimClient[] = [];
  readonly history: ClientHistory;
  /** How to replay this run, appended to failure messages. */
  replayHint: string;
  /** Members a scenario keeps down after they crash (until `restart`). */
  readonly keepDown = new Set<bigint>();
  private roleIds = 0;
  private readonly recent: string[] = [];

  constructor(options: Partial<SimOptions> & { seed: number }) {
    this.o = { ...DEFAULT_OPTIONS, ...options };
    this.replayHint = `ZAB_SIM_SEED=${this.o.seed} (or npm run sim -- --seed ${this.o.seed} --voters ${this.o.voters} --observers ${this.o.observers})`;
    this.s = new Scheduler(this.o.seed);
    this.net = new Network(this.s, this.o);
    const voters = Array.from({ length: this.o.voters }, (_, i) => BigInt(i + 1));
    const observers = Array.from({ length: this.o.observers }, (_, i) => BigInt(this.o.voters + i + 1));
    this.config = quorumConfig(voters, observers, 'sim');
    this.inv = new Invariants(this.config, (msg) => this.fail(msg));
    this.history = new ClientHistory(this.s);
    const seeded = Replica.seeded(SEEDED_PATHS);
    const snapshot = seeded.snapshotBytes();
    for (const sid of [...voters, ...observers]) this.members.set(sid, new Member(this, sid, new SimDisk(snapshot, 0n)));
    for (const m of this.members.values()) m.boot();
    for (let i = 1; i <= this.o.clients; i++) {
      const c = new SimClient(this, this.history, i, () => [...this.members.values()]);
      this.clients.push(c);
      c.start();
    }
    this.scheduleTick();
  }

  // ---- World ----------------------------------------------------------------------------------

  member(sid: bigint): Member {
    const m = this.members.get(sid);
    if (!m) throw new Error(`no member ${sid}`);
    return m;
  }

  voters(): Member[] {
    return [...this.members.values()].filter((m) => this.config.voters.has(m.sid));
  }

  fail(msg: string): never {
    const recent = this.recent.slice(-25).map((l) => `    ${l}`).join('\n');
    throw new SimFailure(this.o.seed, `SEED=${this.o.seed} t=${this.s.now}ms: ${msg}\n  replay: ${this.replayHint}\n  recent events:\n${recent}`);
  }

  nextRoleId(): number {
    return ++this.roleIds;
  }

  trace(msg: string): void {
    this.recent.push(`t=${this.s.now} ${msg}`);
    if (this.recent.length > 200) this.recent.splice(0, 100);
  }

  restartDelay(m: Member): number | null {
    if (this.keepDown.has(m.sid)) return null;
    return this.s.int(2, 15) * this.o.tickMs;
  }

  // ---- running --------------------------------------------------------------------------------

  /** Runs `ms` of simulated time. */
  run(ms: number): void {
    this.s.runUntil(this.s.now + ms);
  }

  runTicks(ticks: number): void {
    this.run(ticks * this.o.tickMs);
  }

  /** No more faults from now on (partitions under way heal on time). */
  calm(): void {
    this.o = calm(this.o);
    this.net.setFaults(this.o);
  }

  /** Boots a member a scenario kept down. */
  restart(sid: bigint): void {
    this.keepDown.delete(sid);
    const m = this.member(sid);
    if (!m.up) m.boot();
  }

  private scheduleTick(): void {
    this.s.after(this.o.tickMs, () => {
      this.faults();
      for (const m of this.members.values()) m.tick();
      this.scheduleTick();
    });
  }

  private faults(): void {
    const s = this.s;
    const all = [...this.members.keys()];
    if (s.chance(this.o.partitionRate)) {
      const ms = s.int(3, 20) * this.o.tickMs;
      const x = s.pick(all);
      const others = all.filter((y) => y !== x);
      switch (s.int(0, 3)) {
        case 0: // isolate one member
          this.trace(`partition: ${x} isolated for ${ms}ms`);
          this.net.cut([x], others, ms, true);
          break;
        case 1: { // split the ensemble in two
          const shuffled = [...all];
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = s.int(0, i);
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          const at = s.int(1, all.length - 1);
          this.trace(`partition: [${shuffled.slice(0, at)}] | [${shuffled.slice(at)}] for ${ms}ms`);
          this.net.cut(shuffled.slice(0, at), shuffled.slice(at), ms, true);
          break;
        }
        case 2: // one-way: x can send but not hear, or hear but not send
          if (s.chance(0.5)) this.net.cut(others, [x], ms, false);
          else this.net.cut([x], others, ms, false);
          this.trace(`partition: one-way around ${x} for ${ms}ms`);
          break;
        default: { // one-way between two members
          const y = s.pick(others);
          this.trace(`partition: ${x} -> ${y} cut for ${ms}ms`);
          this.net.cut([x], [y], ms, false);
        }
      }
    }
    if (s.chance(this.o.crashRate)) {
      const victim = this.member(s.pick(all));
      victim.crash(s.chance(this.o.powerLossShare) ? 'power' : 'process', 'random crash');
    }
  }

  // ---- observations ---------------------------------------------------------------------------

  servingLeaders(): Member[] {
    return [...this.members.values()].filter((m) => m.isServingLeader);
  }

  servingCount(): number {
    return [...this.members.values()].filter((m) => m.up && m.serving).length;
  }

  /** Runs the history checks; throws a SimFailure when one fails. */
  checkHistory(): void {
    const problem = this.history.check();
    if (problem) this.fail(problem);
  }

  summary(): string {
    const st = this.stats;
    const h = this.history.counts();
    const boundary = Object.entries(st.boundaryCrashes).map(([k, v]) => `${k}:${v}`).join(' ');
    return [
      `seed ${this.o.seed}: ${this.o.voters} voters + ${this.o.observers} observers, ${this.s.now}ms`,
      `  epochs ${this.inv.establishedBy.size}, committed ${this.inv.committedCount}, proposals ${st.proposals}, checks ${this.inv.checks}`,
      `  crashes process ${st.crashes.process} power ${st.crashes.power} (boundary ${boundary || '-'}), lost ${st.lostBytes}B torn ${st.tornBytes}B`,
      `  sync: TRUNC ${st.truncs} SNAP ${st.snaps} (fatal TRUNC ${st.fatalTruncs}), network ${JSON.stringify(this.net.stats)}`,
      `  clients: ops ${st.clientOps}, history ${h.znode}+${h.sequential} (unknown ${h.unknown}), sessions expired ${st.sessionsExpired}, expiries ${st.expiries}`,
    ].join('\n');
  }
}
