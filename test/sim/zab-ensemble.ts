// A deterministic simulation of a Zab ensemble: the pure machines of server/zab/ driven by a
// reference driver that honours the ordering contract of docs/zab.md, over a simulated network
// (delay, loss and reordering for election notifications; FIFO links that break on partition
// for the quorum stream), with crashes that lose what was not fsynced. Everything random comes
// from one seed. Checkers run as the simulation goes and throw with the seed in the message.

import { seededRandom } from '../support/prng.js';
import { Election, PeerState, type Decision } from '../../server/zab/election.js';
import { Leader } from '../../server/zab/leader.js';
import { Follower } from '../../server/zab/follower.js';
import { Observer } from '../../server/zab/observer.js';
import { quorumConfig, type QuorumConfig } from '../../server/zab/quorum-config.js';
import { QuorumPacketType as T, type Notification, type QuorumPacket } from '../../protocol/quorum.js';
import type { Entry, ZabReady } from '../../server/zab/types.js';
import type { Learner } from '../../server/zab/learner.js';

export interface SimOptions {
  seed: number;
  voters: number;
  observers?: number;
  /** Simulated time units per tick. */
  tickEvery?: number;
  /** One-way delay, uniform in [1, maxDelay] time units. */
  maxDelay?: number;
  /** Probability an election notification is lost. */
  dropRate?: number;
  /** Probability per tick that the network isolates one random node for a while. */
  partitionRate?: number;
  /** Probability per tick that a random node crashes (loses unsynced log) and restarts later. */
  crashRate?: number;
  /** A serving leader proposes a txn with this probability each tick. */
  proposeRate?: number;
  /** fsync latency, uniform in [1, maxFsync] time units. */
  maxFsync?: number;
}

type Role = { kind: 'leader'; m: Leader; id: number } | { kind: 'learner'; m: Learner; id: number } | null;

interface Node {
  sid: bigint;
  up: boolean;
  election: Election;
  role: Role;
  /** Txn log: `log[0..durable)` survives a crash. */
  log: Entry[];
  durable: number;
  acceptedEpoch: bigint;
  currentEpoch: bigint;
  /** The state machine: txns applied, in order. */
  state: Entry[];
  serving: boolean;
  /** Leader role: learner sid → learner role id (the "connection"). */
  links: Map<bigint, number>;
  /** Learner role: the leader role id it is connected to, once known. */
  leaderRole: number | null;
}

type Msg =
  | { kind: 'fle'; from: bigint; to: bigint; n: Notification }
  | { kind: 'zab'; from: bigint; to: bigint; packet: QuorumPacket; fromRole: number; toRole: number | null; learnerRole: number; snapshot?: Entry[] };

interface Event { at: number; seq: number; run: () => void }

export class ZabSim {
  readonly rand: () => number;
  readonly config: QuorumConfig;
  readonly nodes = new Map<bigint, Node>();
  private now = 0;
  private seq = 0;
  private nextRole = 1;
  private readonly queue: Event[] = [];
  private readonly linkClock = new Map<string, number>();
  private readonly broken = new Set<number>();
  private readonly isolatedUntil = new Map<bigint, number>();
  private readonly newLeaderAcked = new Set<number>();
  /** Checker state: epoch → the leader that finished its ACKEPOCH quorum in it. */
  readonly establishedBy = new Map<bigint, bigint>();
  /** Checker state: the longest history any serving node has applied. */
  history: Entry[] = [];
  proposed = 0;
  private o: Required<SimOptions>;

  /** From now on: no loss, partitions or crashes (partitions already under way still heal on time). */
  calm(): void {
    this.o = { ...this.o, dropRate: 0, partitionRate: 0, crashRate: 0 };
  }

  constructor(opts: SimOptions) {
    this.o = { observers: 0, tickEvery: 10, maxDelay: 6, dropRate: 0.05, partitionRate: 0.01, crashRate: 0.005, proposeRate: 0.5, maxFsync: 4, ...opts };
    this.rand = seededRandom(opts.seed);
    const voters = Array.from({ length: opts.voters }, (_, i) => BigInt(i + 1));
    const observers = Array.from({ length: this.o.observers }, (_, i) => BigInt(opts.voters + i + 1));
    this.config = quorumConfig(voters, observers, 'sim');
    for (const sid of [...voters, ...observers]) {
      const node: Node = {
        sid, up: true, election: this.newElection(sid), role: null, log: [], durable: 0, acceptedEpoch: 0n,
        currentEpoch: 0n, state: [], serving: false, links: new Map(), leaderRole: null,
      };
      this.nodes.set(sid, node);
    }
    for (const n of this.nodes.values()) this.lookForLeader(n);
  }

  private fail(msg: string): never {
    throw new Error(`SEED=${this.o.seed} t=${this.now}: ${msg}`);
  }

  private newElection(sid: bigint): Election {
    return new Election({ myid: sid, config: this.config, finalizeWaitTicks: 1, maxNotificationTicks: 8 });
  }

  private at(delay: number, run: () => void): void {
    this.queue.push({ at: this.now + delay, seq: this.seq++, run });
  }

  private delay(): number {
    return 1 + Math.floor(this.rand() * this.o.maxDelay);
  }

  /** Runs until `ticks` ticks have passed. */
  run(ticks: number): void {
    const end = this.now + ticks * this.o.tickEvery;
    for (let t = this.now + this.o.tickEvery; t <= end; t += this.o.tickEvery) this.queue.push({ at: t, seq: this.seq++, run: () => this.tickAll() });
    while (this.queue.length > 0) {
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const ev = this.queue[0]!;
      if (ev.at > end) break;
      this.queue.shift();
      this.now = ev.at;
      ev.run();
    }
    this.now = end;
  }

  // ---- faults ---------------------------------------------------------------------------------

  private tickAll(): void {
    if (this.rand() < this.o.partitionRate) {
      const victim = this.pick();
      this.isolatedUntil.set(victim.sid, this.now + this.o.tickEvery * (3 + Math.floor(this.rand() * 20)));
    }
    if (this.rand() < this.o.crashRate) {
      const victim = this.pick();
      if (victim.up) this.crash(victim, this.o.tickEvery * (2 + Math.floor(this.rand() * 15)));
    }
    for (const n of this.nodes.values()) {
      if (!n.up) continue;
      n.election.step({ type: 'tick' });
      this.drainElection(n);
      if (n.role?.kind === 'leader' && n.role.m.isServing && this.rand() < this.o.proposeRate) this.propose(n, n.role.m);
      n.role?.m.step({ type: 'tick' });
      this.drainRole(n);
    }
  }

  private pick(): Node {
    const all = [...this.nodes.values()];
    return all[Math.floor(this.rand() * all.length)]!;
  }

  private isolated(sid: bigint): boolean {
    return (this.isolatedUntil.get(sid) ?? -1) > this.now;
  }

  private crash(n: Node, downFor: number): void {
    n.up = false;
    n.log.length = n.durable; // a crash loses whatever was not fsynced
    this.endRole(n);
    this.at(downFor, () => {
      n.up = true;
      n.election = this.newElection(n.sid);
      this.lookForLeader(n);
    });
  }

  // ---- election -------------------------------------------------------------------------------

  private lastZxid(n: Node): bigint {
    return n.log[n.log.length - 1]?.zxid ?? 0n;
  }

  private lookForLeader(n: Node): void {
    n.election.lookForLeader({ lastLoggedZxid: this.lastZxid(n), currentEpoch: n.currentEpoch });
    this.drainElection(n);
  }

  private drainElection(n: Node): void {
    const r = n.election.ready();
    n.election.advance();
    for (const s of r.send) this.sendFle({ kind: 'fle', from: n.sid, to: s.to, n: s.n });
    if (r.decided) this.becomeRole(n, r.decided);
  }

  private sendFle(m: Extract<Msg, { kind: 'fle' }>): void {
    if (this.isolated(m.from) || this.isolated(m.to) || this.rand() < this.o.dropRate) return;
    this.at(this.delay(), () => {
      const to = this.nodes.get(m.to)!;
      if (!to.up || this.isolated(m.to)) return;
      to.election.step({ type: 'notification', from: m.from, n: m.n });
      this.drainElection(to);
    });
  }

  // ---- roles ----------------------------------------------------------------------------------

  private becomeRole(n: Node, d: Decision): void {
    // As on a restart, the tree is rebuilt from the log: the role starts from what is logged.
    n.state = n.log.slice();
    n.serving = false;
    n.links.clear();
    n.leaderRole = null;
    const id = this.nextRole++;
    const limits = { initLimit: 10, syncLimit: 5 };
    if (d.state === PeerState.LEADING) {
      n.role = {
        kind: 'leader', id,
        m: new Leader({ myid: n.sid, config: this.config, acceptedEpoch: n.acceptedEpoch, currentEpoch: n.currentEpoch, lastZxid: this.lastZxid(n), committedLog: n.log.slice(-500), ...limits }),
      };
    } else {
      const opts = { myid: n.sid, leader: d.vote.leader, acceptedEpoch: n.acceptedEpoch, currentEpoch: n.currentEpoch, lastLoggedZxid: this.lastZxid(n), ...limits };
      const m = d.state === PeerState.OBSERVING ? new Observer(opts) : new Follower(opts);
      n.role = { kind: 'learner', id, m };
      m.start();
    }
    this.drainRole(n);
  }

  private endRole(n: Node): void {
    if (n.role) this.broken.add(n.role.id);
    for (const learnerRole of n.links.values()) this.broken.add(learnerRole);
    n.role = null;
    n.serving = false;
  }

  private propose(n: Node, m: Leader): void {
    const zxid = m.nextZxid();
    m.step({ type: 'propose', zxid, data: Buffer.from(`${n.sid}:${this.proposed++}`) });
  }

  /** The reference driver: persist → send → apply, then act on the rest. */
  private drainRole(n: Node): void {
    const role = n.role;
    if (!role || !n.up) return;
    const r: ZabReady = role.m.ready();
    role.m.advance();
    this.persist(n, role, r);
    for (const out of r.messages) this.checkAck(n, role, out.packet);
    for (const out of r.messages) this.sendZab(n, role, out.to, out.packet, out.snapshotFollows ? n.state.slice() : undefined);
    for (const e of r.commits) n.state.push(e);
    if (r.serving) n.serving = true;
    if (n.serving && r.commits.length + (r.serving ? 1 : 0) > 0) this.checkHistory(n);
    for (const sid of r.disconnect) {
      const lr = n.links.get(sid);
      if (lr !== undefined) this.broken.add(lr);
      n.links.delete(sid);
    }
    if (r.abandon) {
      this.endRole(n);
      this.lookForLeader(n);
    }
  }

  private persist(n: Node, role: NonNullable<Role>, r: ZabReady): void {
    const p = r.persist;
    if (p.truncateTo !== null) {
      const keep = n.log.findIndex((e) => e.zxid > p.truncateTo!);
      if (keep >= 0) n.log.length = keep;
      n.durable = Math.min(n.durable, n.log.length);
      n.state = n.log.slice(); // reload at the truncation point
    }
    if (p.snapshot !== null) {
      // The snapshot received with SNAP replaced the tree; it becomes the durable base.
      n.log = n.state.slice();
      n.durable = n.log.length;
    }
    if (p.acceptedEpoch !== null) n.acceptedEpoch = p.acceptedEpoch;
    if (p.currentEpoch !== null) {
      n.currentEpoch = p.currentEpoch;
      if (role.kind === 'leader') {
        const prev = this.establishedBy.get(p.currentEpoch);
        if (prev !== undefined && prev !== n.sid) this.fail(`epoch ${p.currentEpoch} established by ${prev} and ${n.sid}`);
        this.establishedBy.set(p.currentEpoch, n.sid);
      }
    }
    if (p.entries.length > 0) {
      n.log.push(...p.entries);
      const through = n.log.length;
      const zxid = n.log[through - 1]!.zxid;
      this.at(1 + Math.floor(this.rand() * this.o.maxFsync), () => {
        if (!n.up || n.role?.id !== role.id || n.log.length < through || n.log[through - 1]!.zxid !== zxid) return;
        n.durable = Math.max(n.durable, through);
        role.m.step({ type: 'persisted', zxid });
        this.drainRole(n);
      });
    }
  }

  /** The contract, checked at the send boundary: a learner ACKs only durable txns. */
  private checkAck(n: Node, role: NonNullable<Role>, p: QuorumPacket): void {
    if (role.kind !== 'learner' || p.type !== T.ACK) return;
    const durableZxid = n.log[n.durable - 1]?.zxid ?? 0n;
    if ((p.zxid & 0xffffffffn) === 0n) {
      if (this.newLeaderAcked.has(role.id)) return; // the ACK of UPTODATE, which asserts nothing
      this.newLeaderAcked.add(role.id);
      if (n.durable < n.log.length) this.fail(`${n.sid} ACKs NEWLEADER with ${n.log.length - n.durable} txns not durable`);
      if (n.currentEpoch !== p.zxid >> 32n) this.fail(`${n.sid} ACKs NEWLEADER before persisting epoch ${p.zxid >> 32n}`);
    } else if (p.zxid > durableZxid) {
      this.fail(`${n.sid} ACKs 0x${p.zxid.toString(16)} but is durable only through 0x${durableZxid.toString(16)}`);
    }
  }

  private sendZab(n: Node, role: NonNullable<Role>, to: bigint, packet: QuorumPacket, snapshot?: Entry[]): void {
    let m: Extract<Msg, { kind: 'zab' }>;
    if (role.kind === 'leader') {
      const learnerRole = n.links.get(to);
      if (learnerRole === undefined) return;
      m = { kind: 'zab', from: n.sid, to, packet, fromRole: role.id, toRole: learnerRole, learnerRole, snapshot };
    } else {
      m = { kind: 'zab', from: n.sid, to, packet, fromRole: role.id, toRole: n.leaderRole, learnerRole: role.id };
    }
    if (this.isolated(m.from) || this.isolated(m.to)) this.broken.add(m.learnerRole);
    if (this.broken.has(m.learnerRole)) return;
    // A TCP connection: FIFO, so each message leaves no earlier than the previous one on the link.
    const key = `${m.learnerRole}:${m.from}`;
    const when = Math.max(this.now + this.delay(), this.linkClock.get(key) ?? 0);
    this.linkClock.set(key, when);
    this.at(when - this.now, () => this.deliverZab(m));
  }

  private deliverZab(m: Extract<Msg, { kind: 'zab' }>): void {
    const to = this.nodes.get(m.to)!;
    if (!to.up || this.broken.has(m.learnerRole) || this.isolated(m.to)) {
      this.broken.add(m.learnerRole);
      return;
    }
    const role = to.role;
    if (!role) return;
    if (role.kind === 'leader') {
      if (m.fromRole !== m.learnerRole) return;
      if (m.packet.type === T.FOLLOWERINFO || m.packet.type === T.OBSERVERINFO) to.links.set(m.from, m.learnerRole);
      if (to.links.get(m.from) !== m.learnerRole) return;
      role.m.step({ type: 'message', from: m.from, packet: m.packet });
    } else {
      if (m.toRole !== role.id) return;
      if (to.leaderRole === null) to.leaderRole = m.fromRole;
      if (to.leaderRole !== m.fromRole) return;
      if (m.snapshot) to.state = m.snapshot; // the snapshot stream, loaded before SNAP is stepped
      role.m.step({ type: 'message', from: m.from, packet: m.packet });
    }
    this.drainRole(to);
  }

  // ---- checkers -------------------------------------------------------------------------------

  /** Every serving node's applied txns are a prefix of one history (or extend it). */
  private checkHistory(n: Node): void {
    const shorter = n.state.length <= this.history.length ? n.state : this.history;
    const longer = shorter === n.state ? this.history : n.state;
    for (let i = 0; i < shorter.length; i++) {
      const a = shorter[i]!, b = longer[i]!;
      if (a.zxid !== b.zxid || !a.data.equals(b.data)) {
        this.fail(`node ${n.sid} applied 0x${a === n.state[i] ? a.zxid.toString(16) : b.zxid.toString(16)} at position ${i}; history has a different txn there`);
      }
    }
    for (let i = 1; i < n.state.length; i++) if (n.state[i]!.zxid <= n.state[i - 1]!.zxid) this.fail(`node ${n.sid} applied zxids out of order`);
    if (longer === n.state) this.history = n.state.slice();
  }

  leaders(): bigint[] {
    return [...this.nodes.values()].filter((n) => n.up && n.role?.kind === 'leader' && n.role.m.isServing).map((n) => n.sid);
  }

  servingCount(): number {
    return [...this.nodes.values()].filter((n) => n.up && n.serving).length;
  }
}
