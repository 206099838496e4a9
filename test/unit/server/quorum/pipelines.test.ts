// The ensemble request pipelines without a network: a LeaderRequestProcessor whose txns are
// held until the test commits them, and a LearnerRequestProcessor whose forwarded requests go
// straight into the leader's pipeline and whose commits are the leader's txns. Checks what the
// contract promises clients: a learner answers a write only when its commit is applied, a
// session's read waits behind its own write while other sessions' reads do not, sessions are
// created, revalidated and closed through the leader, and a sync completes only once everything
// committed before it is applied here.

import { describe, expect, it } from 'vitest';
import { Code } from '../../../../protocol/errors.js';
import { encodeRequestFrame } from '../../../../protocol/frames.js';
import type { ConnectRequest } from '../../../../protocol/handshake.js';
import { OpCode } from '../../../../protocol/ops.js';
import type { ForwardedRequest } from '../../../../protocol/quorum.js';
import * as R from '../../../../protocol/records.js';
import type { Id } from '../../../../protocol/records.js';
import type { Codec } from '../../../../protocol/jute/schema.js';
import { OPEN_ACL_UNSAFE } from '../../../../protocol/types.js';
import { LeaderRequestProcessor } from '../../../../server/requests/leader-requests.js';
import { LearnerRequestProcessor } from '../../../../server/requests/learner-requests.js';
import type { ConnectOutcome, RequestProcessor } from '../../../../server/requests/request-processor.js';
import type { Txn } from '../../../../server/requests/txn.js';
import { sessionPassword } from '../../../../server/sessions/session-password.js';
import { FakeChannel, options } from '../support.js';

const NOW = 1_000_000;
const EPOCH_ZXID = 1n << 32n;

/** A leader and one learner (myid 2) wired without sockets; txns wait for commit(). */
function ensemble() {
  const proposed: Txn[] = [];
  const leader = new LeaderRequestProcessor(options({ serverId: 1 }), NOW, { append: (t) => (proposed.push(t), false) });
  leader.startEpoch(EPOCH_ZXID);
  const forwarded: ForwardedRequest[] = [];
  const revalidations: { sessionId: bigint; timeout: number }[] = [];
  const learner = new LearnerRequestProcessor(options({ serverId: 2 }), NOW, {
    forward: (request: ForwardedRequest, authinfo: Id[]) => {
      forwarded.push(request);
      if (request.type !== OpCode.sync) leader.processForwarded(request, authinfo, NOW);
    },
    revalidate: (sessionId, timeout) => revalidations.push({ sessionId, timeout }),
  });
  let committed = 0;
  /** Commits (and applies, on both members) every txn proposed so far. */
  const commitAll = () => {
    const txns = proposed.slice(committed);
    committed = proposed.length;
    if (txns.length === 0) return;
    leader.durable(txns.at(-1)!.header.zxid, NOW);
    for (const t of txns) learner.commit(t, NOW);
  };
  return { leader, learner, proposed, forwarded, revalidations, commitAll };
}

function connect(proc: RequestProcessor, req: Partial<ConnectRequest> = {}): { channel: FakeChannel; outcome: () => ConnectOutcome | undefined } {
  const channel = new FakeChannel();
  let outcome: ConnectOutcome | undefined;
  proc.connect(channel, {
    protocolVersion: 0, lastZxidSeen: 0n, timeOut: 10_000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false, ...req,
  }, NOW, (o) => (outcome = o));
  return { channel, outcome: () => outcome };
}

function request<T>(proc: RequestProcessor, ch: FakeChannel, xid: number, type: number, codec?: Codec<T>, body?: T) {
  proc.process(ch, encodeRequestFrame(xid, type, codec, body).subarray(4), NOW);
}

const replies = (ch: FakeChannel) =>
  ch.decoded().filter((f) => f.kind === 'reply').map((f) => (f as { header: { xid: number; err: number } }).header);

const createReq = (path: string) => ({ path, data: Buffer.from('v'), acl: [...OPEN_ACL_UNSAFE], flags: 0 });

function session(e: ReturnType<typeof ensemble>, proc: RequestProcessor): FakeChannel {
  const { channel, outcome } = connect(proc);
  e.commitAll();
  expect(outcome()).toMatchObject({ valid: true });
  return channel;
}

describe('learner pipeline', () => {
  it('creates a session through the leader and answers only when its createSession is applied', () => {
    const e = ensemble();
    const { channel, outcome } = connect(e.learner);
    expect(e.forwarded).toMatchObject([{ type: OpCode.createSession, cxid: 0 }]);
    expect(e.forwarded[0]!.body.readInt32BE(0)).toBe(10_000);
    expect(outcome()).toBeUndefined();
    expect(e.proposed[0]!.header).toMatchObject({ type: OpCode.createSession, zxid: EPOCH_ZXID + 1n });
    e.commitAll();
    const o = outcome();
    expect(o).toMatchObject({ valid: true });
    const id = (o as { response: { sessionId: bigint } }).response.sessionId;
    expect(id >> 56n).toBe(2n); // the learner's myid is in the top byte
    expect(channel.sessionId).toBe(id);
    expect(e.leader.sessions.get(id)?.timeoutMs).toBe(10_000);
    expect(e.learner.sessions.get(id)?.timeoutMs).toBe(10_000);
  });

  it('the leader knows a forwarded session before its own log has it durable (a follower may answer first)', () => {
    const e = ensemble();
    const { outcome } = connect(e.learner);
    const create = e.proposed.at(-1)!;
    // Followers acked and the learner applied the commit; the leader still waits for its fsync.
    e.learner.commit(create, NOW);
    const channel = (outcome() as { valid: boolean }).valid ? e.learner.channelOf(create.header.clientId)! : undefined;
    expect(channel).toBeDefined();
    request(e.learner, channel as FakeChannel, 1, OpCode.create, R.CreateRequest, createReq('/early'));
    expect(e.proposed.at(-1)!.header.type).toBe(OpCode.create); // not an UNKNOWNSESSION error txn
  });

  it('a forwarded write is answered when committed; its session\'s read waits for it, another session\'s does not', () => {
    const e = ensemble();
    const a = session(e, e.learner);
    const b = session(e, e.learner);
    request(e.learner, a, 1, OpCode.create, R.CreateRequest, createReq('/x'));
    request(e.learner, a, 2, OpCode.exists, R.ExistsRequest, { path: '/x', watch: false });
    request(e.learner, b, 1, OpCode.exists, R.ExistsRequest, { path: '/x', watch: false });
    expect(e.forwarded.at(-1)).toMatchObject({ sessionId: a.sessionId, cxid: 1, type: OpCode.create });
    expect(replies(a)).toEqual([]);
    expect(replies(b)).toEqual([expect.objectContaining({ xid: 1, err: Code.NONODE })]);
    e.commitAll();
    expect(replies(a)).toEqual([expect.objectContaining({ xid: 1, err: 0 }), expect.objectContaining({ xid: 2, err: 0 })]);
    expect(e.learner.tree.has('/x')).toBe(true);
    expect(e.leader.tree.has('/x')).toBe(true);
  });

  it('a write the leader refuses comes back as that error, from the error txn', () => {
    const e = ensemble();
    const a = session(e, e.learner);
    request(e.learner, a, 1, OpCode.create, R.CreateRequest, createReq('/no/parent'));
    e.commitAll();
    expect(replies(a)).toEqual([expect.objectContaining({ xid: 1, err: Code.NONODE })]);
    expect(e.proposed.at(-1)!.header.type).toBe(OpCode.error);
  });

  it('a request body the leader cannot decode becomes MARSHALLINGERROR for that request only', () => {
    const e = ensemble();
    const a = session(e, e.learner);
    // A setData whose body is cut short: the learner forwards the bytes as they came.
    const frame = encodeRequestFrame(7, OpCode.setData, R.SetDataRequest, { path: '/', data: Buffer.from('x'), version: -1 });
    e.learner.process(a, frame.subarray(4, frame.length - 3), NOW);
    request(e.learner, a, 8, OpCode.exists, R.ExistsRequest, { path: '/', watch: false });
    e.commitAll();
    expect(replies(a)).toEqual([expect.objectContaining({ xid: 7, err: Code.MARSHALLINGERROR }), expect.objectContaining({ xid: 8, err: 0 })]);
    expect(a.closed).toBe(false);
  });

  it('revalidates a reconnecting session with the leader before answering', () => {
    const e = ensemble();
    const a = session(e, e.learner);
    const id = a.sessionId;
    const again = connect(e.learner, { sessionId: id, passwd: sessionPassword(id), timeOut: 8000 });
    expect(e.revalidations).toEqual([{ sessionId: id, timeout: 8000 }]);
    expect(again.outcome()).toBeUndefined();
    e.learner.revalidated(id, e.leader.revalidate(id, 8000, NOW));
    expect(again.outcome()).toMatchObject({ valid: true, response: { sessionId: id, timeOut: 8000 } });
    expect(a.closed).toBe(true); // the older connection of the session is dropped

    const unknown = connect(e.learner, { sessionId: 0x0200000000000abcn, passwd: sessionPassword(0x0200000000000abcn) });
    e.learner.revalidated(0x0200000000000abcn, e.leader.revalidate(0x0200000000000abcn, 8000, NOW));
    expect(unknown.outcome()).toMatchObject({ valid: false, response: { timeOut: 0 } });
  });

  it('closeSession goes through the leader; an expiry committed by the leader closes the learner\'s connection', () => {
    const e = ensemble();
    const a = session(e, e.learner);
    const b = session(e, e.learner);
    request(e.learner, a, 1, OpCode.create, R.CreateRequest, { ...createReq('/eph'), flags: 1 });
    e.commitAll();
    request(e.learner, a, 2, OpCode.closeSession);
    expect(a.closed).toBe(false);
    e.commitAll();
    expect(replies(a).at(-1)).toMatchObject({ xid: 2, err: 0 });
    expect(a.closed).toBe(true);
    expect(e.learner.tree.has('/eph')).toBe(false);

    // The leader expires b (its clock ran past the timeout): the learner hears only the commit.
    const expired = e.leader.expireSessions(NOW + 60_000);
    expect(expired).toContain(b.sessionId);
    e.commitAll();
    expect(b.closed).toBe(true);
    expect(e.learner.sessions.get(b.sessionId)).toBeUndefined();
  });

  it('a sync completes when the leader says so and everything committed before it is applied here', () => {
    const e = ensemble();
    const a = session(e, e.learner);
    const b = session(e, e.learner);
    request(e.learner, a, 1, OpCode.create, R.CreateRequest, createReq('/s'));
    request(e.learner, b, 1, OpCode.sync, R.SyncRequest, { path: '/' });
    request(e.learner, b, 2, OpCode.exists, R.ExistsRequest, { path: '/s', watch: false });
    expect(e.forwarded.at(-1)).toMatchObject({ type: OpCode.sync, sessionId: b.sessionId, cxid: 1 });
    // The leader's SYNC arrives after the COMMIT of /s, which is not yet applied here.
    const createTxn = e.proposed.at(-1)!;
    e.learner.syncsDone(1, createTxn.header.zxid);
    expect(replies(b)).toEqual([]);
    e.commitAll();
    expect(replies(b)).toEqual([expect.objectContaining({ xid: 1, err: 0 }), expect.objectContaining({ xid: 2, err: 0 })]);
  });

  it('reports session activity for the next PING and does not expire sessions itself', () => {
    const e = ensemble();
    const a = session(e, e.learner);
    e.learner.drainTouches();
    request(e.learner, a, -2, OpCode.ping);
    expect(e.learner.drainTouches()).toEqual([{ sessionId: a.sessionId, timeout: 10_000 }]);
    expect(e.learner.drainTouches()).toEqual([]);
    expect(e.learner.expireSessions()).toEqual([]);
  });
});

describe('leader pipeline', () => {
  it('numbers txns from the new epoch and answers its own clients on commit', () => {
    const e = ensemble();
    const a = session(e, e.leader);
    request(e.leader, a, 1, OpCode.create, R.CreateRequest, createReq('/l'));
    expect(e.proposed.at(-1)!.header.zxid).toBe(EPOCH_ZXID + 2n);
    expect(replies(a)).toEqual([]);
    e.commitAll();
    expect(replies(a)).toEqual([expect.objectContaining({ xid: 1, err: 0 })]);
  });

  it('a local sync waits until every txn prepared before it is applied', () => {
    const e = ensemble();
    const a = session(e, e.leader);
    const b = session(e, e.learner);
    request(e.learner, b, 1, OpCode.create, R.CreateRequest, createReq('/from-learner'));
    request(e.leader, a, 1, OpCode.sync, R.SyncRequest, { path: '/' });
    request(e.leader, a, 2, OpCode.exists, R.ExistsRequest, { path: '/from-learner', watch: false });
    expect(replies(a)).toEqual([]);
    e.commitAll();
    expect(replies(a)).toEqual([expect.objectContaining({ xid: 1, err: 0 }), expect.objectContaining({ xid: 2, err: 0 })]);
    // With nothing pending it is answered at once.
    request(e.leader, a, 3, OpCode.sync, R.SyncRequest, { path: '/' });
    expect(replies(a).at(-1)).toMatchObject({ xid: 3, err: 0 });
  });

  it('touches sessions learners report and refuses revalidation of unknown or closing sessions', () => {
    const e = ensemble();
    const a = session(e, e.learner);
    const before = e.leader.sessions.get(a.sessionId)!.expiresAtMs;
    e.leader.touchSessions([{ sessionId: a.sessionId, timeout: 10_000 }], NOW + 30_000);
    expect(e.leader.sessions.get(a.sessionId)!.expiresAtMs).toBeGreaterThan(before);
    expect(e.leader.revalidate(123n, 10_000, NOW)).toBe(false);
    e.leader.expireSessions(NOW + 120_000);
    expect(e.leader.revalidate(a.sessionId, 10_000, NOW + 120_000)).toBe(false);
  });
});
