// One epoch of following (or observing) a leader: the Follower / Observer machine driven by
// the ordering contract of docs/zab.md, the connection to the leader's quorum port, and the
// learner's request pipeline (forwarding writes, applying commits). TRUNC cuts the log and
// reloads the tree from disk; a SNAP's tree is loaded before the packet is stepped and written
// as a durable snapshot before anything after it is sent. Session activity on this member is
// handed to the machine before each packet from the leader, so the next PING reply carries it.
// Counterpart: Follower.followLeader / Observer.observeLeader, Learner.syncWithLeader.

import { QuorumPacketType as T } from '../../protocol/quorum.js';
import { DataTree } from '../data/data-tree.js';
import { Follower } from '../zab/follower.js';
import type { Decision } from '../zab/election.js';
import type { Learner, LearnerInput } from '../zab/learner.js';
import { Observer } from '../zab/observer.js';
import type { ZabReady } from '../zab/types.js';
import { LearnerRequestProcessor } from '../requests/learner-requests.js';
import { decodeTxn } from '../requests/txn.js';
import { decodeSnapshot } from '../storage/snapshot-format.js';
import { LeaderLink } from './leader-link.js';
import type { InboundPacket } from './packet-reader.js';
import type { MemberState } from './quorum-storage.js';
import type { Role, RoleHost } from './role.js';
import { stateOf } from './member-state.js';

export class LearnerRole implements Role {
  readonly kind: 'follower' | 'observer';
  readonly machine: Learner;
  processor: LearnerRequestProcessor;
  readonly leader: bigint;
  private readonly link: LeaderLink;
  private ended = false;
  /** The zxid of the last COMMIT / INFORM stepped: a SYNC after it completes once it is applied. */
  private lastCommitted = 0n;

  constructor(private readonly host: RoleHost, state: MemberState, decision: Decision, observer: boolean) {
    const { storage, options } = host;
    this.kind = observer ? 'observer' : 'follower';
    this.leader = decision.vote.leader;
    const opts = {
      myid: host.myid,
      leader: this.leader,
      acceptedEpoch: storage.acceptedEpoch,
      currentEpoch: storage.currentEpoch,
      lastLoggedZxid: storage.lastLoggedZxid,
      initLimit: options.initLimit,
      syncLimit: options.syncLimit,
    };
    this.machine = observer ? new Observer(opts) : new Follower(opts);
    this.processor = this.pipeline(state);
    this.link = new LeaderLink({
      leader: host.quorumEndpoint(this.leader),
      retryMs: Math.min(1000, Math.max(50, Math.floor(options.tickTimeMs / 2))),
      maxPacketBytes: 2 * options.maxBufferBytes,
      onConnected: () => host.queue.run(() => {
        if (this.ended) return;
        this.machine.start();
        return this.handle();
      }),
      onPacket: (inbound) => host.queue.run(() => this.onPacket(inbound)),
      onClosed: (reason) => host.queue.run(() => {
        if (!this.ended) host.end(this, reason);
      }),
      log: (m) => host.log(m),
    });
  }

  start(): void {
    this.link.start();
  }

  tick(): void | Promise<void> {
    return this.step({ type: 'tick' });
  }

  persisted(zxid: bigint): void | Promise<void> {
    return this.step({ type: 'persisted', zxid });
  }

  close(): void {
    this.ended = true;
    this.link.close();
  }

  // ------------------------------------------------------------------------------------------

  private pipeline(state: MemberState): LearnerRequestProcessor {
    return new LearnerRequestProcessor(this.host.options, this.host.now(), {
      forward: (request, authinfo) => this.host.queue.run(() => this.step({ type: 'forward', request, authinfo })),
      revalidate: (sessionId, timeout) => this.host.queue.run(() => this.step({ type: 'revalidate', sessionId, timeout })),
    }, state);
  }

  private onPacket(inbound: InboundPacket): void | Promise<void> {
    if (this.ended) return;
    for (const t of this.processor.drainTouches()) this.machine.step({ type: 'touch', sessionId: t.sessionId, timeout: t.timeout });
    const { packet } = inbound;
    if (inbound.snapshot) {
      const loaded = loadSnapshot(inbound.snapshot);
      if (typeof loaded === 'string') {
        this.host.end(this, `the leader's snapshot is unusable: ${loaded}`);
        return;
      }
      if (loaded.lastZxid !== packet.zxid) {
        this.host.end(this, `SNAP for 0x${packet.zxid.toString(16)} carried a snapshot at 0x${loaded.lastZxid.toString(16)}`);
        return;
      }
      this.processor = this.pipeline(loaded);
    }
    if (packet.type === T.COMMIT || packet.type === T.INFORM) this.lastCommitted = packet.zxid;
    if (packet.type === T.DIFF) this.host.noteSync('DIFF');
    else if (packet.type === T.TRUNC) this.host.noteSync('TRUNC');
    else if (packet.type === T.SNAP) this.host.noteSync('SNAP');
    return this.step({ type: 'message', from: this.leader, packet });
  }

  private step(input: LearnerInput): void | Promise<void> {
    if (this.ended) return;
    this.machine.step(input);
    return this.handle();
  }

  private handle(): void | Promise<void> {
    const r = this.machine.ready();
    this.machine.advance();
    const p = r.persist;
    if (p.truncateTo === null && p.snapshot === null && p.acceptedEpoch === null && p.currentEpoch === null) {
      return this.afterPersist(r);
    }
    return (async () => {
      const { storage } = this.host;
      if (p.truncateTo !== null) this.processor = this.pipeline(await storage.truncate(p.truncateTo));
      if (p.snapshot !== null) {
        const state = stateOf(this.processor);
        await storage.installSnapshot(p.snapshot, state.sessions, state.tree.entries());
      }
      if (p.acceptedEpoch !== null) await storage.setAcceptedEpoch(p.acceptedEpoch);
      if (p.currentEpoch !== null) await storage.setCurrentEpoch(p.currentEpoch);
      if (!this.ended) this.afterPersist(r);
    })();
  }

  private afterPersist(r: ZabReady): void {
    const host = this.host;
    if (r.persist.entries.length > 0) host.storage.append(r.persist.entries);
    for (const out of r.messages) this.link.send(out.packet);
    for (const e of r.commits) this.processor.commit(decodeTxn(e.data), host.now());
    for (const v of r.revalidated) this.processor.revalidated(v.sessionId, v.valid);
    if (r.syncsDone > 0) this.processor.syncsDone(r.syncsDone, this.lastCommitted);
    if (r.serving) host.serve(this);
    if (r.abandon !== null) host.end(this, r.abandon);
  }
}

/** The tree, sessions and zxid of a snapshot stream, or why it cannot be used. */
function loadSnapshot(bytes: Buffer): MemberState | string {
  try {
    const decoded = decodeSnapshot(bytes);
    const tree = DataTree.restore(decoded.nodes);
    if (!(tree instanceof DataTree)) return `nodes without a parent: ${tree.orphans.slice(0, 3).join(', ')}`;
    return { tree, sessions: decoded.sessions, lastZxid: decoded.zxid };
  } catch (e) {
    return (e as Error).message;
  }
}
