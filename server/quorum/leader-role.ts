// One epoch of leading: the Leader machine driven by the ordering contract of docs/zab.md
// (persist → send → apply → the rest), the learners' connections on the quorum port, and the
// leader's request pipeline, whose prepared txns become proposals and whose replies go out as
// the commits come back. A learner that needs a SNAP gets the tree serialized right behind the
// packet, at the zxid the machine planned it for.
// Counterpart: Leader.lead / LearnerHandler (sending side) / LeaderZooKeeperServer.

import { QuorumPacketType as T, type QuorumPacket } from '../../protocol/quorum.js';
import { isSyncRequest, Leader, type LeaderInput } from '../zab/leader.js';
import type { ZabReady } from '../zab/types.js';
import { LeaderRequestProcessor } from '../requests/leader-requests.js';
import { encodeTxn, type Txn } from '../requests/txn.js';
import { LearnerLinks, type QuorumPort } from './learner-links.js';
import type { LoggedTxn } from '../storage/log-rewrite.js';
import type { MemberState } from './quorum-storage.js';
import type { ProposalSizes, Role, RoleHost } from './role.js';
import { encodeSnapshotStream } from './snapshot-stream.js';
import { stateOf } from './member-state.js';

export class LeaderRole implements Role {
  readonly kind = 'leader';
  readonly machine: Leader;
  readonly processor: LeaderRequestProcessor;
  private readonly links: LearnerLinks;
  private ended = false;
  private serving = false;
  /** Learners sent UPTODATE (in broadcast) and still connected. */
  private readonly synced = new Set<bigint>();
  private pendingSyncs = 0;
  readonly proposalSizes: ProposalSizes = { last: -1, min: -1, max: -1 };

  constructor(private readonly host: RoleHost, state: MemberState, private readonly port: QuorumPort) {
    const { storage, options } = host;
    this.machine = new Leader({
      myid: host.myid,
      config: host.config,
      acceptedEpoch: storage.acceptedEpoch,
      currentEpoch: storage.currentEpoch,
      lastZxid: storage.lastLoggedZxid,
      committedLog: storage.committedLog(),
      commitLogCount: options.commitLogCount,
      initLimit: options.initLimit,
      syncLimit: options.syncLimit,
    });
    this.processor = new LeaderRequestProcessor(options, host.now(), { append: (txn) => this.propose(txn) }, state);
    this.links = new LearnerLinks({
      myid: host.myid,
      configured: new Set([...host.config.voters, ...host.config.observers]),
      maxPacketBytes: 2 * options.maxBufferBytes,
      handshakeTimeoutMs: options.initLimit * options.tickTimeMs,
      onPacket: (sid, packet) => host.queue.run(() => this.step({ type: 'message', from: sid, packet })),
      onClosed: (sid) => host.queue.run(() => {
        this.synced.delete(sid);
        return this.step({ type: 'disconnected', sid });
      }),
      log: (m) => host.log(m),
    });
    port.links = this.links;
  }

  start(): void | Promise<void> {
    return this.handle();
  }

  tick(): void | Promise<void> {
    return this.step({ type: 'tick' });
  }

  persisted(zxid: bigint): void | Promise<void> {
    return this.step({ type: 'persisted', zxid });
  }

  close(): void {
    this.ended = true;
    this.links.closeAll();
    if (this.port.links === this.links) this.port.links = undefined;
  }

  /** What mntr / srvr show of this leader. */
  status(): { learners: number; syncedFollowers: number; syncedObservers: number; pendingSyncs: number } {
    let syncedObservers = 0;
    for (const sid of this.synced) if (this.host.config.observers.has(sid)) syncedObservers++;
    return {
      learners: this.links.connected().length,
      syncedFollowers: this.synced.size - syncedObservers,
      syncedObservers,
      pendingSyncs: this.pendingSyncs,
    };
  }

  // ------------------------------------------------------------------------------------------

  /** The pipeline's TxnSink: every prepared txn is proposed, in zxid order, through the queue. */
  private propose(txn: Txn): boolean {
    const data = encodeTxn(txn);
    const size = data.length;
    this.proposalSizes.last = size;
    if (this.proposalSizes.min < 0 || size < this.proposalSizes.min) this.proposalSizes.min = size;
    if (size > this.proposalSizes.max) this.proposalSizes.max = size;
    this.host.queue.run(() => this.step({ type: 'propose', zxid: txn.header.zxid, data }));
    return false;
  }

  private step(input: LeaderInput): void | Promise<void> {
    if (this.ended) return;
    this.machine.step(input);
    return this.handle();
  }

  private handle(): void | Promise<void> {
    const r = this.machine.ready();
    this.machine.advance();
    const { acceptedEpoch, currentEpoch } = r.persist;
    if (acceptedEpoch === null && currentEpoch === null) return this.afterPersist(r);
    return (async () => {
      if (acceptedEpoch !== null) await this.host.storage.setAcceptedEpoch(acceptedEpoch);
      if (currentEpoch !== null) await this.host.storage.setCurrentEpoch(currentEpoch);
      if (!this.ended) this.afterPersist(r);
    })();
  }

  private afterPersist(r: ZabReady): void {
    const host = this.host;
    if (r.persist.entries.length > 0) host.storage.append(r.persist.entries);
    for (const out of r.messages) this.send(out.to, out.packet, out.snapshotFollows === true);
    const last = r.commits[r.commits.length - 1];
    if (last) this.processor.durable(last.zxid, host.now());
    for (const { sid, reason } of r.disconnect) {
      host.log(`quorum: closing the connection to learner ${sid}: ${reason}`);
      this.synced.delete(sid);
      this.links.disconnect(sid);
    }
    if (r.touches.length > 0) this.processor.touchSessions(r.touches, host.now());
    for (const { sid, fromZxid } of r.readHistory) void this.readHistory(sid, fromZxid);
    for (const q of r.revalidate) {
      host.queue.run(() => {
        const valid = this.processor.revalidate(q.sessionId, q.timeout, host.now());
        return this.step({ type: 'revalidated', to: q.from, sessionId: q.sessionId, valid });
      });
    }
    for (const { from, request, authinfo } of r.requests) {
      if (!this.serving) {
        host.log(`quorum: ignoring a request from learner ${from} before the leader serves`);
      } else if (isSyncRequest(request.type)) {
        this.pendingSyncs++;
        host.queue.run(() => this.step({ type: 'learnerSync', from }));
      } else {
        this.processor.processForwarded(request, authinfo, host.now());
      }
    }
    if (r.serving) {
      this.serving = true;
      this.processor.startEpoch(this.machine.nextZxid() - 1n);
      host.serve(this);
    }
    if (r.abandon !== null) host.end(this, r.abandon);
  }

  /** A learner behind the in-memory log: the txns from its zxid on, off the disk (or a SNAP). */
  private async readHistory(sid: bigint, fromZxid: bigint): Promise<void> {
    const hex = `0x${fromZxid.toString(16)}`;
    let entries: LoggedTxn[] | undefined;
    try {
      entries = await this.host.storage.readHistory(fromZxid);
    } catch (e) {
      this.host.log(`quorum: cannot read the txn log from ${hex} for learner ${sid}: ${(e as Error).message}`);
    }
    this.host.log(entries
      ? `quorum: learner ${sid} is at ${hex}, behind the in-memory log; ${entries.length} txns read from the txn log for its DIFF`
      : `quorum: learner ${sid} is at ${hex}, which the txn log cannot serve (purged, too large or disabled); it gets a SNAP`);
    this.host.queue.run(() => this.step({ type: 'history', sid, fromZxid, entries }));
  }

  private send(to: bigint, packet: QuorumPacket, snapshotFollows: boolean): void {
    if (packet.type === T.UPTODATE) this.synced.add(to);
    if (packet.type === T.SYNC && this.pendingSyncs > 0) this.pendingSyncs--;
    if (!snapshotFollows) return this.links.send(to, packet);
    const state = stateOf(this.processor);
    if (state.lastZxid !== packet.zxid) {
      // The machine plans SNAP at the zxid the tree is at; anything else is a driver bug.
      this.host.log(`quorum: SNAP for 0x${packet.zxid.toString(16)} but the tree is at 0x${state.lastZxid.toString(16)}; dropping learner ${to}`);
      this.links.disconnect(to);
      this.host.queue.run(() => this.step({ type: 'disconnected', sid: to }));
      return;
    }
    this.links.send(to, packet, encodeSnapshotStream(state.lastZxid, state.sessions, state.tree.entries()));
  }
}
