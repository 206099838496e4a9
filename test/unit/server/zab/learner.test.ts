// Follower and observer message by message (protocol.md §12.4–12.6): discovery, the three sync
// modes, the NEWLEADER ordering rule (txns durable, then currentEpoch, then ACK), durable-only
// ACKs and applies, PING touches, REVALIDATE, SYNC, REQUEST forwarding and timeouts.

import { describe, expect, it } from 'vitest';
import {
  decodeAckEpoch, decodeLearnerInfo, decodePingTouches, encodeRevalidateReply, quorumPacket, QuorumPacketType as T,
  type QuorumPacket,
} from '../../../../protocol/quorum.js';
import { Follower } from '../../../../server/zab/follower.js';
import { Observer } from '../../../../server/zab/observer.js';
import type { Learner, LearnerInput } from '../../../../server/zab/learner.js';
import type { ZabReady } from '../../../../server/zab/types.js';

const z = (epoch: number, counter: number) => (BigInt(epoch) << 32n) | BigInt(counter);
const txn = (zxid: bigint) => Buffer.from(`txn-${zxid.toString(16)}`);

function follower(over: Partial<ConstructorParameters<typeof Follower>[0]> = {}) {
  return new Follower({ myid: 2n, leader: 1n, acceptedEpoch: 1n, currentEpoch: 1n, lastLoggedZxid: z(1, 3), initLimit: 10, syncLimit: 5, ...over });
}

function step(l: Learner, input: LearnerInput): ZabReady {
  l.step(input);
  const r = l.ready();
  l.advance();
  return r;
}
const msg = (packet: QuorumPacket): LearnerInput => ({ type: 'message', from: 1n, packet });
const types = (r: ZabReady) => r.messages.map((m) => [m.packet.type, m.packet.zxid]);

/** Drives a follower through discovery and DIFF up to the point where NEWLEADER arrives. */
function synced(l: Learner, newEpoch = 2) {
  l.start();
  l.advance();
  step(l, msg(quorumPacket(T.LEADERINFO, z(newEpoch, 0), Buffer.from([0, 1, 0, 0]))));
  step(l, msg(quorumPacket(T.DIFF, l.lastLoggedZxid)));
  const r = step(l, msg(quorumPacket(T.NEWLEADER, z(newEpoch, 0), Buffer.from(''))));
  step(l, msg(quorumPacket(T.UPTODATE, -1n)));
  return r;
}

describe('discovery', () => {
  it('opens with FOLLOWERINFO {acceptedEpoch<<32, LearnerInfo}', () => {
    const f = follower();
    f.start();
    const [m] = f.ready().messages;
    expect(m!.to).toBe(1n);
    expect(m!.packet.type).toBe(T.FOLLOWERINFO);
    expect(m!.packet.zxid).toBe(z(1, 0));
    expect(decodeLearnerInfo(m!.packet.data!)).toEqual({ serverId: 2n, protocolVersion: 0x10000, configVersion: 0n });
  });

  it('an observer opens with OBSERVERINFO', () => {
    const o = new Observer({ myid: 4n, leader: 1n, acceptedEpoch: 0n, currentEpoch: 0n, lastLoggedZxid: 0n, initLimit: 5, syncLimit: 2 });
    o.start();
    expect(o.ready().messages[0]!.packet.type).toBe(T.OBSERVERINFO);
  });

  it('a newer epoch is persisted as acceptedEpoch in the same Ready as ACKEPOCH {lastZxid, currentEpoch}', () => {
    const f = follower();
    f.start();
    f.advance();
    const r = step(f, msg(quorumPacket(T.LEADERINFO, z(2, 0), Buffer.from([0, 1, 0, 0]))));
    expect(r.persist.acceptedEpoch).toBe(2n);
    expect(types(r)).toEqual([[T.ACKEPOCH, z(1, 3)]]);
    expect(decodeAckEpoch(r.messages[0]!.packet.data)).toBe(1);
  });

  it('an epoch already accepted is acked with -1; a lower one ends the role', () => {
    const f = follower({ acceptedEpoch: 2n });
    const r = step(f, msg(quorumPacket(T.LEADERINFO, z(2, 0), Buffer.from([0, 1, 0, 0]))));
    expect(r.persist.acceptedEpoch).toBeNull();
    expect(decodeAckEpoch(r.messages[0]!.packet.data)).toBe(-1);
    const g = follower({ acceptedEpoch: 3n });
    expect(step(g, msg(quorumPacket(T.LEADERINFO, z(2, 0), Buffer.from([0, 1, 0, 0])))).abandon).toMatch(/below our accepted epoch/);
  });

  it('anything but LEADERINFO first ends the role', () => {
    expect(step(follower(), msg(quorumPacket(T.NEWLEADER, z(2, 0)))).abandon).toMatch(/expected LEADERINFO/);
  });
});

describe('sync', () => {
  function toSync(f: Learner) {
    step(f, msg(quorumPacket(T.LEADERINFO, z(2, 0), Buffer.from([0, 1, 0, 0]))));
  }

  it('NEWLEADER is ACKed only after the synced txns are durable, with currentEpoch persisted in that Ready', () => {
    const f = follower();
    toSync(f);
    step(f, msg(quorumPacket(T.DIFF, z(1, 5))));
    let r = step(f, msg(quorumPacket(T.PROPOSAL, z(1, 4), txn(z(1, 4)))));
    expect(r.persist.entries.map((e) => e.zxid)).toEqual([z(1, 4)]);
    r = step(f, msg(quorumPacket(T.COMMIT, z(1, 4))));
    expect(r.commits).toEqual([]); // committed but not durable here: not applied yet
    step(f, msg(quorumPacket(T.PROPOSAL, z(1, 5), txn(z(1, 5)))));
    step(f, msg(quorumPacket(T.COMMIT, z(1, 5))));
    step(f, msg(quorumPacket(T.PROPOSAL, z(2, 1), txn(z(2, 1))))); // in flight, not committed
    r = step(f, msg(quorumPacket(T.NEWLEADER, z(2, 0), Buffer.from('cfg'))));
    expect(r.messages).toEqual([]);
    expect(r.persist.currentEpoch).toBeNull();
    r = step(f, { type: 'persisted', zxid: z(1, 5) });
    expect(r.commits.map((e) => e.zxid)).toEqual([z(1, 4), z(1, 5)]);
    expect(r.messages).toEqual([]); // 2/1 is not durable yet
    r = step(f, { type: 'persisted', zxid: z(2, 1) });
    expect(r.persist.currentEpoch).toBe(2n);
    // NEWLEADER's ACK first, then the ACK of the in-flight proposal; none for the committed ones.
    expect(types(r)).toEqual([[T.ACK, z(2, 0)], [T.ACK, z(2, 1)]]);
    expect(f.currentEpoch).toBe(2n);
    r = step(f, msg(quorumPacket(T.UPTODATE, -1n)));
    expect(r.serving).toBe(true);
    expect(types(r)).toEqual([[T.ACK, z(2, 0)]]);
    expect(f.isServing).toBe(true);
  });

  it('with nothing to sync, NEWLEADER is ACKed at once', () => {
    const r = synced(follower());
    expect(r.persist.currentEpoch).toBe(2n);
    expect(types(r)).toEqual([[T.ACK, z(2, 0)]]);
  });

  it('TRUNC truncates the log before anything else is appended', () => {
    const f = follower({ lastLoggedZxid: z(1, 9) });
    toSync(f);
    const r = step(f, msg(quorumPacket(T.TRUNC, z(1, 6))));
    expect(r.persist.truncateTo).toBe(z(1, 6));
    expect(f.lastLoggedZxid).toBe(z(1, 6));
    step(f, msg(quorumPacket(T.PROPOSAL, z(1, 7), txn(z(1, 7)))));
    expect(f.lastLoggedZxid).toBe(z(1, 7));
  });

  it('SNAP writes a snapshot at its zxid (durable before the ACK)', () => {
    const f = follower({ lastLoggedZxid: 0n });
    toSync(f);
    const r = step(f, msg(quorumPacket(T.SNAP, z(1, 40))));
    expect(r.persist.snapshot).toBe(z(1, 40));
    expect(step(f, msg(quorumPacket(T.NEWLEADER, z(2, 0)))).messages.map((m) => m.packet.type)).toEqual([T.ACK]);
  });

  it('a gap inside an epoch, a NEWLEADER of another epoch, or UPTODATE too early end the role', () => {
    const a = follower();
    toSync(a);
    step(a, msg(quorumPacket(T.DIFF, z(1, 3))));
    expect(step(a, msg(quorumPacket(T.PROPOSAL, z(1, 5), txn(z(1, 5))))).abandon).toMatch(/does not follow/);
    const b = follower();
    toSync(b);
    step(b, msg(quorumPacket(T.DIFF, z(1, 3))));
    expect(step(b, msg(quorumPacket(T.NEWLEADER, z(3, 0)))).abandon).toMatch(/expected 2/);
    const c = follower();
    toSync(c);
    step(c, msg(quorumPacket(T.DIFF, z(1, 3))));
    expect(step(c, msg(quorumPacket(T.UPTODATE, -1n))).abandon).toMatch(/UPTODATE before/);
  });
});

describe('broadcast (follower)', () => {
  it('ACKs a proposal only once durable, applies a commit only once durable', () => {
    const f = follower();
    synced(f);
    let r = step(f, msg(quorumPacket(T.PROPOSAL, z(2, 1), txn(z(2, 1)))));
    expect(r.persist.entries).toEqual([{ zxid: z(2, 1), data: txn(z(2, 1)) }]);
    expect(r.messages).toEqual([]);
    r = step(f, msg(quorumPacket(T.COMMIT, z(2, 1)))); // a quorum without us
    expect(r.commits).toEqual([]);
    r = step(f, { type: 'persisted', zxid: z(2, 1) });
    expect(types(r)).toEqual([[T.ACK, z(2, 1)]]);
    expect(r.commits.map((e) => e.zxid)).toEqual([z(2, 1)]);
  });

  it('a COMMIT that is not for the oldest pending proposal ends the role', () => {
    const f = follower();
    synced(f);
    step(f, msg(quorumPacket(T.PROPOSAL, z(2, 1), txn(z(2, 1)))));
    step(f, msg(quorumPacket(T.PROPOSAL, z(2, 2), txn(z(2, 2)))));
    expect(step(f, msg(quorumPacket(T.COMMIT, z(2, 2)))).abandon).toMatch(/next pending is 0x200000001/);
  });

  it('answers PING with the sessions touched since the last one', () => {
    const f = follower();
    synced(f);
    step(f, { type: 'touch', sessionId: 7n, timeout: 4000 });
    step(f, { type: 'touch', sessionId: 7n, timeout: 6000 });
    step(f, { type: 'touch', sessionId: 8n, timeout: 3000 });
    let r = step(f, msg(quorumPacket(T.PING, z(2, 9))));
    expect(types(r)).toEqual([[T.PING, z(2, 9)]]);
    expect(decodePingTouches(r.messages[0]!.packet.data)).toEqual([{ sessionId: 7n, timeout: 6000 }, { sessionId: 8n, timeout: 3000 }]);
    r = step(f, msg(quorumPacket(T.PING, z(2, 9))));
    expect(r.messages[0]!.packet.data).toEqual(Buffer.alloc(0));
  });

  it('REVALIDATE, REQUEST forwarding and SYNC', () => {
    const f = follower();
    synced(f);
    let r = step(f, { type: 'revalidate', sessionId: 5n, timeout: 3000 });
    expect(types(r)).toEqual([[T.REVALIDATE, -1n]]);
    r = step(f, msg(quorumPacket(T.REVALIDATE, -1n, encodeRevalidateReply(5n, false))));
    expect(r.revalidated).toEqual([{ sessionId: 5n, valid: false }]);
    r = step(f, { type: 'forward', request: { sessionId: 5n, cxid: 3, type: 9, body: Buffer.from([1]) }, authinfo: [{ scheme: 'ip', id: '10.0.0.1' }] });
    expect(r.messages[0]!.packet).toMatchObject({ type: T.REQUEST, zxid: -1n, authinfo: [{ scheme: 'ip', id: '10.0.0.1' }] });
    expect(step(f, msg(quorumPacket(T.SYNC, 0n))).syncsDone).toBe(1);
  });

  it('gives up after syncLimit silent ticks while broadcasting, initLimit while syncing', () => {
    const f = follower();
    synced(f);
    for (let i = 0; i < 5; i++) expect(step(f, { type: 'tick' }).abandon).toBeNull();
    expect(step(f, { type: 'tick' }).abandon).toMatch(/no packet from leader/);
    const g = follower();
    g.start();
    for (let i = 0; i < 10; i++) expect(step(g, { type: 'tick' }).abandon).toBeNull();
    expect(step(g, { type: 'tick' }).abandon).not.toBeNull();
  });

  it('ignores packets from anyone but its leader', () => {
    const f = follower();
    synced(f);
    expect(step(f, { type: 'message', from: 3n, packet: quorumPacket(T.PING, 0n) }).messages).toEqual([]);
  });
});

describe('observer', () => {
  it('logs and applies INFORMs once durable and never ACKs them', () => {
    const o = new Observer({ myid: 4n, leader: 1n, acceptedEpoch: 1n, currentEpoch: 1n, lastLoggedZxid: z(1, 3), initLimit: 5, syncLimit: 2 });
    synced(o);
    let r = step(o, msg(quorumPacket(T.INFORM, z(2, 1), txn(z(2, 1)))));
    expect(r.persist.entries.map((e) => e.zxid)).toEqual([z(2, 1)]);
    expect(r.commits).toEqual([]);
    r = step(o, { type: 'persisted', zxid: z(2, 1) });
    expect(r.commits.map((e) => e.zxid)).toEqual([z(2, 1)]);
    expect(r.messages).toEqual([]);
  });
});
