// The reference driver's Ready loop for one simulated member, in the order docs/zab.md fixes:
// 1. persist — TRUNC (reload the tree), snapshot, epoch files durable at once; entries written
//    and group-committed by an fsync that completes later (→ a `persisted` input);
// 2. send, checking the contract at the boundary (ACK only what is durable, NEWLEADER ACK only
//    after the synced txns and the epoch, COMMIT only with a durable quorum);
// 3. apply committed txns to the tree and answer the clients waiting for them;
// 4. the rest — disconnects, session touches and revalidation, forwarded requests, serving, abandon.
// A member may crash at each boundary (options.BOUNDARIES).
// Counterpart: the future server/quorum driver; ZooKeeper's SyncRequestProcessor / CommitProcessor.

import { QuorumPacketType as T, type ForwardedRequest, type QuorumPacket } from '../../protocol/quorum.js';
import { isSyncRequest } from '../../server/zab/leader.js';
import { isEmptyReady, type ZabReady } from '../../server/zab/types.js';
import { LeaderRequests } from './leader-requests.js';
import type { Member } from './member.js';
import type { LeaderRole, Role } from './roles.js';
import type { World } from './world.js';

export class ReadyLoop {
  private fsyncing = false;
  private fsyncAgain = false;

  constructor(private readonly w: World, private readonly m: Member) {}

  /** A crash voids the fsync in flight. */
  reset(): void {
    this.fsyncing = this.fsyncAgain = false;
  }

  /** Carries out Readys until the machine has nothing more to ask. */
  drain(): void {
    for (;;) {
      const role = this.m.role;
      if (!role || !this.m.up) return;
      const r: ZabReady = role.m.ready();
      role.m.advance();
      if (isEmptyReady(r)) return;
      const crashAt = this.w.s.chance(this.w.o.boundaryCrashRate) ? this.w.s.pick(this.w.o.boundaries) : null;
      if (crashAt === 'beforePersist') return this.m.boundaryCrash(crashAt);
      if (!this.persist(role, r)) return;
      if (crashAt === 'afterPersist') return this.m.boundaryCrash(crashAt);
      if (r.persist.entries.length > 0) {
        this.w.inv.appended(this.m.sid, this.m.disk.lastZxid, r.persist.entries);
        this.m.disk.append(r.persist.entries);
        this.requestFsync();
        if (this.w.hooks.afterAppend?.(this.m, r.persist.entries)) return this.m.crash('power', 'scenario: after append');
      }
      if (crashAt === 'afterAppend') return this.m.boundaryCrash(crashAt);
      const cut = crashAt === 'midSend' ? this.w.s.int(0, r.messages.length) : -1;
      for (let i = 0; i < r.messages.length; i++) {
        if (i === cut) return this.m.boundaryCrash('midSend');
        const out = r.messages[i]!;
        this.checkOutgoing(role, out.packet);
        if (this.w.hooks.beforeSend?.(this.m, out.to, out.packet)) return this.m.crash('process', 'scenario: before a send');
        this.m.send(role, out);
        if (this.w.hooks.afterSend?.(this.m, out.to, out.packet)) return this.m.crash('process', 'scenario: after a send');
      }
      if (crashAt === 'midSend' || crashAt === 'afterSend') return this.m.boundaryCrash(crashAt);
      this.apply(role, r);
      if (crashAt === 'afterApply') return this.m.boundaryCrash(crashAt);
      this.actOnRest(role, r);
    }
  }

  /** Step 1: what must be durable before anything of this Ready leaves. False if we died. */
  private persist(role: Role, r: ZabReady): boolean {
    const p = r.persist;
    if (p.truncateTo !== null) {
      this.w.stats.truncs++;
      if (!this.m.disk.truncateTo(p.truncateTo)) {
        // ZooKeeper's learner exits when truncateLog fails; so does this member.
        this.w.stats.fatalTruncs++;
        this.m.crash('process', `cannot TRUNC to 0x${p.truncateTo.toString(16)} below its snapshot`);
        return false;
      }
      this.m.reload();
      if (this.m.replica.zxid !== p.truncateTo) this.w.fail(`member ${this.m.sid}: TRUNC to 0x${p.truncateTo.toString(16)} left the log at 0x${this.m.replica.zxid.toString(16)}`);
    }
    if (p.snapshot !== null) {
      if (this.m.replica.zxid !== p.snapshot) this.w.fail(`member ${this.m.sid}: snapshot at 0x${p.snapshot.toString(16)} but the tree is at 0x${this.m.replica.zxid.toString(16)}`);
      this.m.disk.installSnapshot(p.snapshot, this.m.replica.snapshotBytes());
    }
    if (p.acceptedEpoch !== null) this.m.disk.acceptedEpoch = p.acceptedEpoch;
    if (p.currentEpoch !== null) {
      this.m.disk.currentEpoch = p.currentEpoch;
      if (role.kind === 'leader') this.w.inv.established(this.m.sid, p.currentEpoch, this.m.replica);
    }
    if (p.acceptedEpoch !== null || p.currentEpoch !== null) this.w.inv.epochFiles(this.m.sid, this.m.disk.acceptedEpoch, this.m.disk.currentEpoch);
    return true;
  }

  /** The contract at the send boundary: ACKs only for durable txns; COMMIT only with a durable quorum. */
  private checkOutgoing(role: Role, p: QuorumPacket): void {
    if (role.kind === 'leader') {
      // A commit decision of this epoch; older txns in a sync are the leader's history, committed
      // by the NEWLEADER quorum (checked when the leader starts serving).
      const fresh = role.m.isServing && p.zxid >> 32n === role.m.newEpoch;
      if ((p.type === T.COMMIT || p.type === T.INFORM) && fresh) this.checkQuorumDurable(p.zxid);
      return;
    }
    if (p.type !== T.ACK) return;
    const hex = (z: bigint) => `0x${z.toString(16)}`;
    if ((p.zxid & 0xffffffffn) === 0n) {
      if (role.newLeaderAcked) return; // the ACK of UPTODATE asserts nothing
      role.newLeaderAcked = true;
      if (this.m.disk.syncedZxid < role.syncedThrough) this.w.fail(`${this.m.sid} ACKs NEWLEADER with synced txns up to ${hex(role.syncedThrough)} not durable (durable: ${hex(this.m.disk.syncedZxid)})`);
      if (this.m.disk.currentEpoch !== p.zxid >> 32n) this.w.fail(`${this.m.sid} ACKs NEWLEADER before persisting epoch ${p.zxid >> 32n}`);
    } else if (p.zxid > this.m.disk.syncedZxid) {
      this.w.fail(`${this.m.sid} ACKs ${hex(p.zxid)} but is durable only through ${hex(this.m.disk.syncedZxid)}`);
    }
  }

  checkQuorumDurable(zxid: bigint): void {
    this.w.inv.quorumDurable(zxid, this.w.voters().filter((m) => m.disk.durablyHolds(zxid)).map((m) => m.sid));
  }

  /** Step 3: committed, durable txns into the tree; clients waiting for them get answers. */
  private apply(role: Role, r: ZabReady): void {
    if (r.commits.length === 0) return;
    for (const e of r.commits) {
      if (role.kind === 'leader') this.checkQuorumDurable(e.zxid);
      const { txn, result } = this.m.replica.apply(e);
      this.w.inv.fingerprint(this.m.sid, e.zxid, this.m.replica.fingerprint());
      if (role.kind === 'leader') role.requests?.applied(txn);
      if (this.m.serving) this.m.desk.applied(txn, result);
    }
    this.w.inv.ephemerals(this.m.sid, this.m.replica);
    if (this.m.serving) this.w.inv.servingHistory(this.m.sid, this.m.replica);
  }

  /** Step 4: sessions, forwarded requests, role changes. */
  private actOnRest(role: Role, r: ZabReady): void {
    const now = this.w.s.now;
    if (role.kind === 'leader') {
      for (const { sid, reason } of r.disconnect) {
        const kind = reason.replace(/ 0x[0-9a-f]+/g, '');
        this.w.stats.learnerDrops[kind] = (this.w.stats.learnerDrops[kind] ?? 0) + 1;
        const link = role.links.get(sid);
        role.links.delete(sid);
        if (link) this.m.closeLink(link);
      }
      for (const t of r.touches) role.requests?.touch(t.sessionId, now);
      for (const q of r.revalidate) {
        role.m.step({ type: 'revalidated', to: q.from, sessionId: q.sessionId, valid: role.requests?.revalidate(q.sessionId, now) ?? false });
      }
      for (const q of r.readHistory) this.readHistory(role, q.sid, q.fromZxid);
      for (const q of r.requests) {
        if (!role.requests) continue; // not serving yet: the learner's client times out
        if (isSyncRequest(q.request.type)) role.m.step({ type: 'learnerSync', from: q.from });
        else this.propose(role, q.request);
      }
    } else {
      for (const v of r.revalidated) this.m.desk.revalidated(v.sessionId, v.valid);
      if (r.syncsDone > 0) this.m.desk.syncsDone(r.syncsDone);
    }
    if (r.serving) {
      this.m.serving = true;
      this.w.stats.servingStarts++;
      if (role.kind === 'leader') {
        role.requests = new LeaderRequests(this.m.replica, this.w.o.tickMs, Number(this.m.sid), now);
        // The NEWLEADER quorum commits the leader's whole history: a quorum must hold it durably.
        if (this.m.replica.zxid > 0n) this.checkQuorumDurable(this.m.replica.zxid);
      }
      this.w.inv.servingHistory(this.m.sid, this.m.replica);
    }
    if (r.abandon) {
      this.w.stats.abandons[r.abandon.split(':')[0]!] = (this.w.stats.abandons[r.abandon.split(':')[0]!] ?? 0) + 1;
      this.m.abandon(r.abandon);
    }
  }

  /**
   * The on-disk log from `fromZxid` on, read after a disk delay, as readLogFrom does: from the
   * record at it (or the last one before it) to the end of what is written; refused when the log
   * starts after it (a newer snapshot) and, at random, as the size limit would.
   */
  private readHistory(role: LeaderRole, sid: bigint, fromZxid: bigint): void {
    const life = this.m.life;
    this.w.s.after(this.w.s.int(1, this.w.o.maxFsync), () => {
      if (this.m.life !== life || this.m.role !== role) return;
      const log = this.m.disk.entries();
      const at = log.findLastIndex((e) => e.zxid <= fromZxid);
      const refused = at < 0 || this.w.s.chance(this.w.o.historyRefusalRate);
      this.w.stats.historyReads[refused ? 'refused' : 'served']++;
      role.m.step({ type: 'history', sid, fromZxid, entries: refused ? undefined : log.slice(at) });
      this.drain();
    });
  }

  propose(role: LeaderRole, request: ForwardedRequest): void {
    const zxid = role.m.nextZxid();
    role.m.step({ type: 'propose', zxid, data: role.requests!.prepare(request, zxid, this.w.s.now) });
    this.w.stats.proposals++;
  }

  requestFsync(): void {
    if (this.fsyncing) {
      this.fsyncAgain = true;
      return;
    }
    this.fsyncing = true;
    const token = this.m.disk.fsyncStart();
    const life = this.m.life;
    this.w.s.after(this.w.hooks.fsyncDelay?.(this.m) ?? this.w.s.int(1, this.w.o.maxFsync), () => {
      if (this.m.life !== life) return;
      this.fsyncing = false;
      this.m.disk.fsyncDone(token);
      if (this.w.o.boundaries.includes('beforePersisted') && this.w.s.chance(this.w.o.boundaryCrashRate)) return this.m.boundaryCrash('beforePersisted');
      if (this.m.role) {
        this.m.role.m.step({ type: 'persisted', zxid: this.m.disk.syncedZxid });
        this.drain();
      }
      if (this.m.life === life && (this.fsyncAgain || this.m.disk.hasUnsynced)) {
        this.fsyncAgain = false;
        this.requestFsync();
      }
    });
  }
}
