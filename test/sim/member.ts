// One ensemble member in the simulation: its life (boot from disk, crash — process or power —
// and restart), FLE while LOOKING, then a Leader or a Follower/Observer built from its durable
// log and driven by the Ready loop (ready-loop.ts), its learner links (dial, accept, close, SNAP
// stream), and its client side (client-desk.ts) while it serves.
// Counterpart: QuorumPeer.run + Leader.lead / Follower.followLeader / Observer.observeLeader,
// LearnerCnxAcceptor, ZKDatabase.fastForwardDataBase (the future server/quorum driver).

import { PeerState, QuorumPacketType as T, type ForwardedRequest, type Notification, type QuorumPacket } from '../../protocol/quorum.js';
import { Election, type Decision } from '../../server/zab/election.js';
import { Follower } from '../../server/zab/follower.js';
import { Leader } from '../../server/zab/leader.js';
import { Observer } from '../../server/zab/observer.js';
import type { Outbound } from '../../server/zab/types.js';
import { initialSessionId } from '../../server/sessions/session-tracker.js';
import { ClientDesk, type DeskMember } from './client-desk.js';
import type { ClientConn, ClientRequest, MemberEnd } from './client-wire.js';
import type { CrashKind, SimDisk } from './disk.js';
import { Link } from './network.js';
import type { Boundary } from './options.js';
import { ReadyLoop } from './ready-loop.js';
import { Replica } from './replica.js';
import type { LearnerRole, Role } from './roles.js';
import type { World } from './world.js';

export class Member implements MemberEnd, DeskMember {
  up = false;
  /** Bumped at every crash: callbacks scheduled by an earlier life are ignored. */
  private incarnation = 0;
  replica!: Replica;
  election!: Election;
  role: Role | null = null;
  serving = false;
  readonly desk = new ClientDesk(this);
  private readonly loop: ReadyLoop;
  private nextSession = 0n;

  constructor(private readonly w: World, readonly sid: bigint, readonly disk: SimDisk) {
    this.loop = new ReadyLoop(w, this);
  }

  /** Which life of the member this is (bumped by every crash). */
  get life(): number {
    return this.incarnation;
  }

  get isLeader(): boolean {
    return this.role?.kind === 'leader';
  }

  /** Serving as leader (the client-visible leader). */
  get isServingLeader(): boolean {
    return this.up && this.role?.kind === 'leader' && this.role.m.isServing;
  }

  // ---- life cycle -----------------------------------------------------------------------------

  boot(): void {
    this.up = true;
    this.incarnation++;
    this.reload();
    this.w.inv.epochFiles(this.sid, this.disk.acceptedEpoch, this.disk.currentEpoch);
    this.nextSession = initialSessionId(Number(this.sid), this.w.s.now);
    this.election = new Election({ myid: this.sid, config: this.w.config, finalizeWaitTicks: 1, maxNotificationTicks: 8 });
    this.lookForLeader();
  }

  /** Rebuilds the tree from disk (startup, TRUNC): snapshot + log, torn tail cut. */
  reload(): void {
    const rec = this.disk.recover();
    this.w.stats.tornBytes += rec.tornBytes;
    this.replica = rec.replica;
    this.checkReplica();
  }

  /** After a load: the incremental digest matches a full one, and the replica matches its peers. */
  checkReplica(): void {
    const wrong = this.replica.verifyDigest();
    if (wrong) this.w.fail(`member ${this.sid}: ${wrong}`);
    this.w.inv.fingerprint(this.sid, this.replica.zxid, this.replica.fingerprint());
    this.w.inv.ephemerals(this.sid, this.replica);
  }

  crash(kind: CrashKind, why: string): void {
    if (!this.up) return;
    this.w.trace(`${this.sid} crashes (${kind}): ${why}`);
    this.w.stats.crashes[kind]++;
    if (kind === 'process') {
      this.endRole(`crashed: ${why}`); // the kernel closes the sockets
    } else {
      if (this.role?.kind === 'leader') for (const link of this.role.links.values()) this.w.net.breakLink(link);
      if (this.role?.kind === 'learner' && this.role.link) this.w.net.breakLink(this.role.link);
      this.role = null;
      this.serving = false;
      this.desk.closeAll();
    }
    this.up = false;
    this.incarnation++;
    this.loop.reset();
    this.w.stats.lostBytes += this.disk.crash(kind, this.w.s);
    const restartIn = this.w.restartDelay(this);
    if (restartIn !== null) this.w.s.after(restartIn, () => this.boot());
  }

  boundaryCrash(at: Boundary): void {
    this.w.stats.boundaryCrashes[at] = (this.w.stats.boundaryCrashes[at] ?? 0) + 1;
    this.crash(this.w.s.chance(this.w.o.powerLossShare) ? 'power' : 'process', `at boundary ${at}`);
  }

  tick(): void {
    if (!this.up) return;
    this.election.step({ type: 'tick' });
    this.drainElection();
    const role = this.role;
    if (!role || !this.up) return;
    role.m.step({ type: 'tick' });
    this.loop.drain();
    if (role !== this.role || !this.up) return;
    if (role.kind === 'learner' && role.link === null) this.dial(role);
    if (role.kind === 'leader' && role.requests) {
      for (const sessionId of role.requests.expired(this.w.s.now)) {
        if (this.role !== role || !this.up) return;
        const zxid = role.m.nextZxid();
        role.m.step({ type: 'propose', zxid, data: role.requests.prepareExpiry(sessionId, zxid, this.w.s.now) });
        this.w.stats.expiries++;
        this.loop.drain();
      }
    }
  }

  // ---- election -------------------------------------------------------------------------------

  private lookForLeader(): void {
    this.election.lookForLeader({ lastLoggedZxid: this.disk.lastZxid, currentEpoch: this.disk.currentEpoch });
    this.drainElection();
  }

  private drainElection(): void {
    const r = this.election.ready();
    this.election.advance();
    for (const out of r.send) {
      const to = this.w.member(out.to);
      this.w.net.datagram(this.sid, out.to, () => to.onNotification(this.sid, out.n));
    }
    if (r.decided && this.up) this.becomeRole(r.decided);
  }

  onNotification(from: bigint, n: Notification): void {
    if (!this.up) return;
    this.election.step({ type: 'notification', from, n });
    this.drainElection();
  }

  // ---- roles ----------------------------------------------------------------------------------

  /** Builds the role from the durable log: fsync what is written, bring the tree up to it. */
  private becomeRole(d: Decision): void {
    if (this.role) this.w.fail(`member ${this.sid} decided ${d.state} while in a role`);
    this.disk.fsyncAll();
    this.fastForward();
    const id = this.w.nextRoleId();
    const limits = { initLimit: this.w.o.initLimit, syncLimit: this.w.o.syncLimit };
    const lastZxid = this.disk.lastZxid;
    this.w.trace(`${this.sid} becomes ${d.state === PeerState.LEADING ? 'leader' : 'learner of ' + d.vote.leader} at 0x${lastZxid.toString(16)}`);
    if (d.state === PeerState.LEADING) {
      const committedLog = this.disk.entries().slice(-this.w.o.commitLogCount);
      const m = new Leader({
        myid: this.sid, config: this.w.config, acceptedEpoch: this.disk.acceptedEpoch, currentEpoch: this.disk.currentEpoch,
        lastZxid, committedLog, commitLogCount: this.w.o.commitLogCount, ...limits,
        initialCounter: this.w.o.initialCounter?.(this.disk.currentEpoch),
      });
      this.role = { kind: 'leader', id, m, links: new Map(), requests: null };
    } else {
      const opts = { myid: this.sid, leader: d.vote.leader, acceptedEpoch: this.disk.acceptedEpoch, currentEpoch: this.disk.currentEpoch, lastLoggedZxid: lastZxid, ...limits };
      const m = d.state === PeerState.OBSERVING ? new Observer(opts) : new Follower(opts);
      const role: LearnerRole = { kind: 'learner', id, m, leader: d.vote.leader, link: null, connected: false, syncedThrough: 0n, newLeaderAcked: false };
      this.role = role;
      this.dial(role);
    }
    this.loop.drain();
  }

  /** ZKDatabase.fastForwardDataBase: apply what the log holds beyond the tree. */
  private fastForward(): void {
    const last = this.disk.lastZxid;
    if (this.replica.zxid === last) return;
    const entries = this.disk.entries();
    const known = this.replica.zxid === this.disk.snapshot.zxid || entries.some((e) => e.zxid === this.replica.zxid);
    if (!known || this.replica.zxid > last || this.replica.baseZxid !== this.disk.snapshot.zxid) return this.reload();
    for (const e of entries) {
      if (e.zxid <= this.replica.zxid) continue;
      this.replica.apply(e);
      this.w.inv.fingerprint(this.sid, e.zxid, this.replica.fingerprint());
    }
    this.checkReplica();
  }

  private endRole(why: string): void {
    const role = this.role;
    if (!role) return;
    this.w.trace(`${this.sid} ends role ${role.id}: ${why}`);
    this.w.stats.roleEnds++;
    if (role.kind === 'leader') for (const link of role.links.values()) this.closeLink(link);
    else if (role.link) this.closeLink(role.link);
    this.role = null;
    this.serving = false;
    this.desk.closeAll();
  }

  abandon(why: string): void {
    this.endRole(why);
    if (this.up) this.lookForLeader();
  }

  // ---- links ----------------------------------------------------------------------------------

  private dial(role: LearnerRole): void {
    const link = new Link(this.sid, role.leader);
    role.link = link;
    role.connected = false;
    const leader = this.w.member(role.leader);
    const current = () => this.up && this.role === role && role.link === link;
    this.w.net.dial(link, () => leader.accept(link), () => {
      if (!current()) return;
      role.connected = true;
      role.m.start();
      this.loop.drain();
    }, () => {
      if (current()) role.link = null; // refused: dial again next tick, until the role times out
    });
  }

  /** A learner's connection arrives (LearnerCnxAcceptor): only a leading member takes it. */
  accept(link: Link): boolean {
    const role = this.role;
    if (!this.up || role?.kind !== 'leader') return false;
    const old = role.links.get(link.learner);
    if (old) this.closeLink(old);
    role.links.set(link.learner, link);
    return true;
  }

  closeLink(link: Link): void {
    const other = this.w.member(link.other(this.sid));
    this.w.net.close(link, this.sid, () => other.onLinkClosed(link));
  }

  onLinkClosed(link: Link): void {
    const role = this.role;
    if (!this.up || !role) return;
    if (role.kind === 'leader' && role.links.get(link.learner) === link) {
      role.links.delete(link.learner);
      role.m.step({ type: 'disconnected', sid: link.learner });
      this.loop.drain();
    } else if (role.kind === 'learner' && role.link === link) {
      this.abandon('the leader closed the connection');
    }
  }

  onPacket(link: Link, packet: QuorumPacket, snapshot?: Buffer): void {
    const role = this.role;
    if (!this.up || !role) return;
    if (role.kind === 'leader') {
      if (role.links.get(link.learner) !== link) return;
      role.m.step({ type: 'message', from: link.learner, packet });
    } else {
      if (role.link !== link || !role.connected) return;
      if (packet.type === T.NEWLEADER) role.syncedThrough = this.disk.lastZxid;
      if (snapshot) this.loadSnapshot(snapshot, packet.zxid);
      role.m.step({ type: 'message', from: link.leader, packet });
    }
    this.loop.drain();
  }

  /** SNAP: the stream is read into the tree before the packet is stepped. */
  private loadSnapshot(bytes: Buffer, zxid: bigint): void {
    this.w.stats.snaps++;
    this.replica = Replica.fromSnapshot(bytes);
    if (this.replica.zxid !== zxid) this.w.fail(`SNAP 0x${zxid.toString(16)} carried a tree at 0x${this.replica.zxid.toString(16)}`);
    this.checkReplica();
  }

  send(role: Role, out: Outbound): void {
    if (role.kind === 'leader') {
      const link = role.links.get(out.to);
      if (!link) return;
      let snapshot: Buffer | undefined;
      if (out.snapshotFollows) {
        if (this.replica.zxid !== out.packet.zxid) this.w.fail(`leader ${this.sid} sends SNAP 0x${out.packet.zxid.toString(16)} with its tree at 0x${this.replica.zxid.toString(16)}`);
        snapshot = this.replica.snapshotBytes();
      }
      const to = this.w.member(out.to);
      this.w.net.send(link, this.sid, () => to.onPacket(link, out.packet, snapshot));
    } else {
      const link = role.link;
      if (!link || !role.connected) return;
      const to = this.w.member(role.leader);
      this.w.net.send(link, this.sid, () => to.onPacket(link, out.packet));
    }
  }

  // ---- clients (DeskMember) -------------------------------------------------------------------

  onClientRequest(conn: ClientConn, req: ClientRequest): void {
    if (this.up) this.desk.receive(conn, req);
  }

  submit(req: ForwardedRequest): void {
    const role = this.role;
    if (!role || !this.up) return;
    if (role.kind === 'leader') {
      if (!role.requests) return;
      this.loop.propose(role, req);
    } else {
      role.m.step({ type: 'forward', request: req, authinfo: [] });
    }
    this.loop.drain();
  }

  revalidate(sessionId: bigint, timeoutMs: number): boolean | undefined {
    const role = this.role;
    if (role?.kind === 'leader') return role.requests?.revalidate(sessionId, this.w.s.now) ?? false;
    role?.m.step({ type: 'revalidate', sessionId, timeout: timeoutMs });
    this.loop.drain();
    return undefined;
  }

  touch(sessionId: bigint, timeoutMs: number): void {
    const role = this.role;
    if (role?.kind === 'leader') role.requests?.touch(sessionId, this.w.s.now);
    else role?.m.step({ type: 'touch', sessionId, timeout: timeoutMs });
  }

  lastProposed(): bigint {
    return this.role?.kind === 'leader' ? this.role.m.nextZxid() - 1n : this.replica.zxid;
  }

  newSessionId(): bigint {
    const id = this.nextSession;
    this.nextSession = BigInt.asIntN(64, id + 1n);
    return id;
  }
}
