// The pipeline with a txn log that is slow to sync: nothing is applied or answered before the
// log says it is durable; a session's reads wait behind its own pending writes (and see them);
// other sessions' reads do not wait; a new session is answered once its createSession is durable.

import { describe, expect, it } from 'vitest';
import { encodeRequestFrame } from '../../../../protocol/frames.js';
import { OpCode } from '../../../../protocol/ops.js';
import * as R from '../../../../protocol/records.js';
import type { Codec } from '../../../../protocol/jute/schema.js';
import { OPEN_ACL_UNSAFE } from '../../../../protocol/types.js';
import { RequestProcessor, type ConnectOutcome } from '../../../../server/requests/request-processor.js';
import type { Txn } from '../../../../server/requests/txn.js';
import { FakeChannel, options } from '../support.js';

const NOW = 1_000_000;

/** A sink that holds txns until the test says they are durable. */
function slowLog() {
  const appended: Txn[] = [];
  const proc = new RequestProcessor(options(), NOW, { append: (t) => (appended.push(t), false) });
  const syncAll = () => proc.durable(appended.at(-1)!.header.zxid, NOW);
  return { proc, appended, syncAll };
}

function session(proc: RequestProcessor, syncAll: () => void): FakeChannel {
  const ch = new FakeChannel();
  let outcome: ConnectOutcome | undefined;
  proc.connect(ch, { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 10_000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false }, NOW, (o) => (outcome = o));
  expect(outcome).toBeUndefined(); // not before createSession is durable
  syncAll();
  expect(outcome).toMatchObject({ valid: true });
  return ch;
}

/** A request with no body (ping, closeSession). */
const send = (proc: RequestProcessor, ch: FakeChannel, xid: number, type: number) =>
  proc.process(ch, encodeRequestFrame(xid, type).subarray(4), NOW);

function request<T>(proc: RequestProcessor, ch: FakeChannel, xid: number, type: number, codec: Codec<T>, body: T) {
  proc.process(ch, encodeRequestFrame(xid, type, codec, body).subarray(4), NOW);
}

const replies = (ch: FakeChannel) =>
  ch.decoded().filter((f) => f.kind === 'reply').map((f) => (f as { header: { xid: number; err: number } }).header);

describe('commit order with a slow txn log', () => {
  it('a write is answered only once durable; a read behind it waits and sees it', () => {
    const { proc, appended, syncAll } = slowLog();
    const a = session(proc, syncAll);
    const b = session(proc, syncAll);
    request(proc, a, 1, OpCode.create, R.CreateRequest, { path: '/x', data: Buffer.from('1'), acl: [...OPEN_ACL_UNSAFE], flags: 0 });
    request(proc, a, 2, OpCode.exists, R.ExistsRequest, { path: '/x', watch: false });
    request(proc, b, 1, OpCode.exists, R.ExistsRequest, { path: '/x', watch: false });
    send(proc, a, -2, OpCode.ping);
    expect(replies(a)).toEqual([]);
    expect(proc.tree.has('/x')).toBe(false);
    // Another session does not wait: it reads the applied state (no /x yet).
    expect(replies(b)).toEqual([expect.objectContaining({ xid: 1, err: -101 })]);
    expect(appended.at(-1)!.header.type).toBe(OpCode.create);
    syncAll();
    expect(replies(a)).toEqual([
      expect.objectContaining({ xid: 1, err: 0 }),
      expect.objectContaining({ xid: 2, err: 0 }),
      expect.objectContaining({ xid: -2, err: 0 }),
    ]);
  });

  it('writes are applied in zxid order as syncs arrive, each session answered in its own order', () => {
    const { proc, appended, syncAll } = slowLog();
    const a = session(proc, syncAll);
    for (let i = 1; i <= 3; i++) {
      request(proc, a, i, OpCode.create, R.CreateRequest, { path: `/n${i}`, data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0 });
      request(proc, a, 10 + i, OpCode.getChildren, R.GetChildrenRequest, { path: '/', watch: false });
    }
    const zxids = appended.slice(-3).map((t) => t.header.zxid);
    proc.durable(zxids[0]!, NOW);
    expect(replies(a).map((r) => r.xid)).toEqual([1, 11]);
    proc.durable(zxids[2]!, NOW);
    expect(replies(a).map((r) => r.xid)).toEqual([1, 11, 2, 12, 3, 13]);
    expect(proc.pendingTxns).toBe(0);
  });

  it('applied in slices: each slice applies the next durable txns in zxid order; reads in between see the prefix', () => {
    const { proc, appended, syncAll } = slowLog();
    const a = session(proc, syncAll);
    const b = session(proc, syncAll);
    for (let i = 1; i <= 5; i++) {
      request(proc, a, i, OpCode.create, R.CreateRequest, { path: `/s${i}`, data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0 });
    }
    request(proc, a, 6, OpCode.exists, R.ExistsRequest, { path: '/s5', watch: false });
    const zxids = appended.slice(-5).map((t) => t.header.zxid);
    proc.markDurable(zxids[3]!); // four of five are durable
    expect(replies(a)).toEqual([]);
    expect(proc.applyDurable(2, NOW)).toBe(true);
    expect(replies(a).map((r) => r.xid)).toEqual([1, 2]);
    // another session reads between slices: it sees exactly the applied prefix
    request(proc, b, 1, OpCode.exists, R.ExistsRequest, { path: '/s2', watch: false });
    request(proc, b, 2, OpCode.exists, R.ExistsRequest, { path: '/s3', watch: false });
    expect(replies(b).map((r) => r.err)).toEqual([0, -101]);
    expect(proc.applyDurable(2, NOW)).toBe(false); // /s3, /s4; /s5 is not durable yet
    expect(replies(a).map((r) => r.xid)).toEqual([1, 2, 3, 4]);
    expect(proc.applyDurable(2, NOW)).toBe(false);
    expect(proc.pendingTxns).toBe(1);
    proc.markDurable(zxids[1]!); // an older report changes nothing
    expect(proc.applyDurable(10, NOW)).toBe(false);
    proc.durable(zxids[4]!, NOW);
    expect(replies(a).map((r) => r.xid)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(proc.pendingTxns).toBe(0);
  });

  it('a closeSession is answered, and its connection closed, only once durable', () => {
    const { proc, syncAll } = slowLog();
    const a = session(proc, syncAll);
    send(proc, a, 5, OpCode.closeSession);
    expect(a.closed).toBe(false);
    syncAll();
    expect(replies(a)).toEqual([expect.objectContaining({ xid: 5, err: 0 })]);
    expect(a.closed).toBe(true);
  });
});
