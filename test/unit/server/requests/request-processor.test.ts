// RequestProcessor driven frame by frame through a fake ClientChannel and a fake clock:
// handshake and sessions (§1.4–1.8), replies and special xids (§2), Stat rules (§7),
// validation order (§8), multi (§9), watches (§6), ACLs and auth (§10), containers and TTL (§7.3).

import { beforeEach, describe, expect, it } from 'vitest';
import { encodeRequestFrame } from '../../../../protocol/frames.js';
import type { ConnectRequest } from '../../../../protocol/handshake.js';
import type { MultiOp, MultiResult } from '../../../../protocol/multi.js';
import { OpCode, Xid } from '../../../../protocol/ops.js';
import * as R from '../../../../protocol/records.js';
import {
  AddWatchMode, CREATOR_ALL_ACL, CreateMode, EventType, KeeperState, OPEN_ACL_UNSAFE, Perms, READ_ACL_UNSAFE,
  WatcherType,
} from '../../../../protocol/types.js';
import { digestId } from '../../../../server/data/acl.js';
import { sessionPassword } from '../../../../server/sessions/session-password.js';
import type { Txn } from '../../../../server/requests/txn.js';
import { Client, connectNow, digestAcl, FakeChannel, Harness, TICK, type Event } from '../support.js';

const { NodeCreated, NodeDeleted, NodeDataChanged, NodeChildrenChanged } = EventType;
const ev = (type: number, path: string, zxid: bigint): Event => ({ type, state: KeeperState.SyncConnected, path, zxid });
const buf = (s: string) => Buffer.from(s, 'utf8');
const SUPER_DIGEST = digestId('super:test');

function connectReq(o: Partial<ConnectRequest> = {}): ConnectRequest {
  return {
    protocolVersion: 0, lastZxidSeen: 0n, timeOut: 3 * TICK, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false, ...o,
  };
}

let h: Harness;
let a: Client;
let b: Client;
beforeEach(() => {
  h = new Harness();
  a = h.connect();
  b = h.connect();
});

// ---------------------------------------------------------------------------------------------
describe('handshake (§1.3, §1.4, §1.6)', () => {
  it('a new session: negotiated timeout, id with serverId in the top byte, Java password, createSession txn', () => {
    const g = new Harness();
    const ch = new FakeChannel();
    const out = connectNow(g.proc, ch, connectReq({ timeOut: 6000 }), g.now);
    if (out === 'close') throw new Error('unexpected close');
    expect(out.valid).toBe(true);
    const id = out.response.sessionId;
    expect(out.response).toEqual({ protocolVersion: 0, timeOut: 6000, sessionId: id, passwd: sessionPassword(id), readOnly: false });
    expect(BigInt.asUintN(64, id) >> 56n).toBe(1n);
    expect(ch.sessionId).toBe(id);
    expect(g.proc.channelOf(id)).toBe(ch);
    expect(g.proc.sessions.get(id)!.timeoutMs).toBe(6000);
    // the createSession txn consumed zxid 1
    expect(g.lastZxid).toBe(1n);
    expect(g.persisted).toEqual([{
      header: { clientId: id, cxid: 0, zxid: 1n, time: BigInt(g.now), type: OpCode.createSession },
      record: { type: OpCode.createSession, body: { timeOut: 6000 } },
    }]);
  });

  it.each([
    [1, 2 * TICK],
    [2 * TICK - 1, 2 * TICK],
    [2 * TICK, 2 * TICK],
    [5000, 5000],
    [20 * TICK, 20 * TICK],
    [20 * TICK + 1, 20 * TICK],
    [2 ** 31 - 1, 20 * TICK],
    [-5, 2 * TICK],
  ])('timeout %i is clamped to %i', (requested, negotiated) => {
    const out = connectNow(h.proc, new FakeChannel(), connectReq({ timeOut: requested }), h.now);
    if (out === 'close') throw new Error('unexpected close');
    expect(out.response.timeOut).toBe(negotiated);
    expect(h.proc.sessions.get(out.response.sessionId)!.timeoutMs).toBe(negotiated);
  });

  it('consecutive sessions get consecutive ids; myid >= 128 gives negative ids', () => {
    expect(b.sessionId).toBe(a.sessionId + 1n);
    const g = new Harness({ serverId: 200 });
    const c = g.connect();
    expect(c.sessionId < 0n).toBe(true);
    expect(BigInt.asUintN(64, c.sessionId) >> 56n).toBe(200n);
    expect(c.connectResponse.passwd).toEqual(sessionPassword(c.sessionId));
  });

  it('an old client (no readOnly byte) gets a response without it', () => {
    const out = connectNow(h.proc, new FakeChannel(), connectReq({ readOnly: undefined }), h.now);
    if (out === 'close') throw new Error('unexpected close');
    expect(out.response.readOnly).toBeUndefined();
  });

  it('lastZxidSeen ahead of the server: close without a reply (before anything else)', () => {
    const ch = new FakeChannel();
    expect(connectNow(h.proc, ch, connectReq({ lastZxidSeen: h.lastZxid + 1n }), h.now)).toBe('close');
    expect(connectNow(h.proc, ch, connectReq({ lastZxidSeen: h.lastZxid + 1n, sessionId: a.sessionId, passwd: sessionPassword(a.sessionId) }), h.now)).toBe('close');
    expect(ch.frames).toEqual([]);
    expect(ch.sessionId).toBe(0n);
    // equal is fine
    expect(connectNow(h.proc, ch, connectReq({ lastZxidSeen: h.lastZxid }), h.now)).not.toBe('close');
  });

  it('resume with the right password: same session, renegotiated timeout, old connection closed', () => {
    a.create('/eph', { flags: CreateMode.EPHEMERAL });
    const ch = new FakeChannel();
    const out = connectNow(h.proc, ch, connectReq({ sessionId: a.sessionId, passwd: sessionPassword(a.sessionId), timeOut: 8000, lastZxidSeen: h.lastZxid }), h.now);
    if (out === 'close') throw new Error('unexpected close');
    expect(out).toEqual({
      valid: true,
      response: { protocolVersion: 0, timeOut: 8000, sessionId: a.sessionId, passwd: sessionPassword(a.sessionId), readOnly: false },
    });
    expect(a.channel.closed).toBe(true);
    expect(h.proc.channelOf(a.sessionId)).toBe(ch);
    expect(h.proc.sessions.get(a.sessionId)!.timeoutMs).toBe(8000);
    expect(h.proc.tree.has('/eph')).toBe(true);
    // no txn for a resume
    expect(h.persisted.at(-1)!.header.type).toBe(OpCode.create);
  });

  it('resume with a wrong password: timeout 0, id 0, 16 zero bytes; the live connection is dropped, the session lives on', () => {
    const ch = new FakeChannel();
    const bad = Buffer.from(sessionPassword(a.sessionId));
    bad[0]! ^= 1;
    const out = connectNow(h.proc, ch, connectReq({ sessionId: a.sessionId, passwd: bad }), h.now);
    expect(out).toEqual({ valid: false, response: { protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false } });
    // As ZooKeeper (processConnectRequest closes the session's connection before checkPasswd).
    expect(a.channel.closed).toBe(true);
    expect(h.proc.channelOf(a.sessionId)).toBeUndefined();
    expect(h.proc.sessions.get(a.sessionId)?.closing).toBe(false);
    expect(ch.sessionId).toBe(0n);
  });

  it('resume of an unknown or closed session is invalid even with its password', () => {
    const unknown = a.sessionId + 100n;
    const out = connectNow(h.proc, new FakeChannel(), connectReq({ sessionId: unknown, passwd: sessionPassword(unknown) }), h.now);
    expect(out).toMatchObject({ valid: false, response: { timeOut: 0, sessionId: 0n } });
    b.call(OpCode.closeSession);
    const again = connectNow(h.proc, new FakeChannel(), connectReq({ sessionId: b.sessionId, passwd: sessionPassword(b.sessionId), lastZxidSeen: h.lastZxid }), h.now);
    expect(again).toMatchObject({ valid: false, response: { timeOut: 0, sessionId: 0n, passwd: Buffer.alloc(16) } });
  });
});

// ---------------------------------------------------------------------------------------------
describe('special requests (§2.1, §2.2, §3)', () => {
  it('ping: reply xid -2 whatever the request xid, zxid = lastProcessedZxid, no body, no zxid used', () => {
    a.create('/x');
    const z = h.lastZxid;
    const r = a.call(OpCode.ping, undefined, { xid: 55 });
    expect(r).toMatchObject({ xid: Xid.PING, zxid: z, err: 0 });
    expect(r.rawBody).toHaveLength(0);
    expect(h.lastZxid).toBe(z);
    expect(a.call(OpCode.ping, undefined, { xid: -2 }).xid).toBe(-2);
  });

  it('auth: reply echoes xid -4 with zxid 0 and no body', () => {
    a.create('/x');
    const r = a.auth('digest', 'bob:secret');
    expect(r).toMatchObject({ xid: -4, zxid: 0n, err: 0 });
    expect(r.rawBody).toHaveLength(0);
    expect(a.channel.authIds).toContainEqual({ scheme: 'digest', id: digestId('bob:secret') });
    // adding the same identity twice keeps one copy
    a.auth('digest', 'bob:secret');
    expect(a.channel.authIds.filter((i) => i.scheme === 'digest')).toHaveLength(1);
    expect(a.channel.closed).toBe(false);
  });

  it.each(['sasl', 'super', 'world', 'nope'])('auth with unknown scheme %s: -115 with zxid 0, then close', (scheme) => {
    a.create('/x');
    const r = a.auth(scheme, 'x:y');
    expect(r).toMatchObject({ xid: -4, zxid: 0n, err: -115 });
    expect(a.channel.closed).toBe(true);
    expect(a.channel.authIds).toEqual([{ scheme: 'ip', id: '127.0.0.1' }]);
  });

  it.each([
    ['unknown opcode 999', 999],
    ['notification (0)', 0],
    ['top-level check (13)', OpCode.check],
    ['createSession (-10)', OpCode.createSession],
    ['error (-1)', -1],
  ])('%s: reply {xid, zxid -1, -6} then close; no zxid consumed', (_name, type) => {
    a.create('/x');
    const z = h.lastZxid;
    const frame = encodeRequestFrame(77, type, R.CheckVersionRequest, { path: '/x', version: -1 });
    const { frames } = a.raw(frame.subarray(4));
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ kind: 'reply', header: { xid: 77, zxid: -1n, err: -6 } });
    expect(a.channel.closed).toBe(true);
    expect(h.lastZxid).toBe(z);
  });

  it('a truncated write body is -5 and still consumes a zxid (error txn); a truncated read is -5 without one', () => {
    const z = h.lastZxid;
    const w = encodeRequestFrame(5, OpCode.create, R.CreateRequest, { path: '/x', data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0 });
    const { frames } = a.raw(w.subarray(4, w.length - 2));
    expect(frames).toEqual([expect.objectContaining({ kind: 'reply', header: { xid: 5, zxid: z + 1n, err: -5 } })]);
    expect(h.persisted.at(-1)!.record).toEqual({ type: OpCode.error, body: { err: -5 } });
    const rd = encodeRequestFrame(6, OpCode.getData, R.GetDataRequest, { path: '/x', watch: false });
    const r2 = a.raw(rd.subarray(4, rd.length - 1));
    expect(r2.frames).toEqual([expect.objectContaining({ kind: 'reply', header: { xid: 6, zxid: z + 1n, err: -5 } })]);
    expect(h.lastZxid).toBe(z + 1n);
    expect(a.channel.closed).toBe(false);
  });

  it('a malformed request header closes the connection without a reply', () => {
    const { frames } = a.raw(Buffer.from([0, 0, 0]));
    expect(frames).toEqual([]);
    expect(a.channel.closed).toBe(true);
  });

  it('reads reply with zxid = lastProcessedZxid, errors included', () => {
    a.create('/x');
    b.setData('/x', buf('2'));
    const z = h.lastZxid;
    expect(a.getData('/x')).toMatchObject({ zxid: z, err: 0 });
    expect(a.getData('/missing')).toMatchObject({ zxid: z, err: -101 });
    expect(a.call(OpCode.sync, { path: '/x' })).toMatchObject({ zxid: z, err: 0, body: { path: '/x' } });
  });

  it('replies echo the xid and are recorded for cons', () => {
    const r = a.call(OpCode.exists, { path: '/', watch: false }, { xid: 1234 });
    expect(r.xid).toBe(1234);
    expect(a.channel.replies.at(-1)).toEqual({ lop: 'EXIS', xid: 1234, zxid: h.lastZxid });
  });

  it('whoAmI lists one ClientInfo per auth id, auth-packet ids before the implicit ip id', () => {
    expect(a.call(OpCode.whoAmI).body).toEqual({ clientInfo: [{ authScheme: 'ip', user: '127.0.0.1' }] });
    a.auth('digest', 'bob:secret');
    a.auth('digest', 'ann:pw');
    expect(a.call(OpCode.whoAmI).body).toEqual({
      clientInfo: [
        { authScheme: 'digest', user: 'bob' }, { authScheme: 'digest', user: 'ann' }, { authScheme: 'ip', user: '127.0.0.1' },
      ],
    });
  });
});

// ---------------------------------------------------------------------------------------------
describe('Stat rules (§7)', () => {
  it('fresh root reports cversion -1, /zookeeper -2; /zookeeper/config aversion -1 and READ-only', () => {
    expect(a.exists('/').body!.stat).toMatchObject({ cversion: -1, numChildren: 1, czxid: 0n, mzxid: 0n, pzxid: 0n, dataLength: 0 });
    expect(a.exists('/zookeeper').body!.stat).toMatchObject({ cversion: -2, numChildren: 2 });
    const cfg = a.getACL('/zookeeper/config');
    expect(cfg.body).toEqual({ acl: READ_ACL_UNSAFE, stat: expect.objectContaining({ aversion: -1, version: 0 }) });
    expect(a.setData('/zookeeper/config', buf('x')).err).toBe(-102);
    expect(a.create('/zookeeper/config/x').err).toBe(-102);
    expect(a.getData('/zookeeper/config').err).toBe(0);
  });

  it('create: czxid = mzxid = pzxid = z, ctime = mtime = t, versions 0; parent cversion/pzxid/numChildren', () => {
    h.advance(10);
    const r = a.create2('/a', { data: buf('hello') });
    const z = h.lastZxid;
    expect(r.zxid).toBe(z);
    const t = BigInt(h.now);
    expect(r.body).toEqual({
      path: '/a',
      stat: {
        czxid: z, mzxid: z, ctime: t, mtime: t, version: 0, cversion: 0, aversion: 0,
        ephemeralOwner: 0n, dataLength: 5, numChildren: 0, pzxid: z,
      },
    });
    expect(a.exists('/').body!.stat).toMatchObject({ cversion: 0, numChildren: 2, pzxid: z, mzxid: 0n, mtime: 0n });
  });

  it('setData: mzxid, mtime, version+1, dataLength; czxid/ctime/pzxid/cversion unchanged', () => {
    const created = a.create2('/a', { data: buf('1') }).body!.stat;
    h.advance(500);
    const r = a.setData('/a', buf('four'), 0);
    const z = h.lastZxid;
    expect(r.body!.stat).toEqual({ ...created, mzxid: z, mtime: BigInt(h.now), version: 1, dataLength: 4 });
    expect(a.setData('/a', null).body!.stat).toMatchObject({ version: 2, dataLength: 0 });
  });

  it('setACL: aversion+1 only (mzxid and mtime unchanged); the reply zxid is the setACL zxid', () => {
    const created = a.create2('/a').body!.stat;
    h.advance(500);
    const r = a.setACL('/a', READ_ACL_UNSAFE, 0);
    expect(r.zxid).toBe(h.lastZxid);
    expect(r.zxid).toBeGreaterThan(created.mzxid);
    expect(r.body!.stat).toEqual({ ...created, aversion: 1 });
  });

  it('child create/delete: parent reported cversion +1 each, pzxid = z, numChildren; parent mzxid unchanged', () => {
    const p = a.create2('/p').body!.stat;
    a.create('/p/c1');
    const z1 = h.lastZxid;
    expect(a.exists('/p').body!.stat).toEqual({ ...p, cversion: 1, numChildren: 1, pzxid: z1 });
    a.create('/p/c2');
    a.delete('/p/c1');
    const z3 = h.lastZxid;
    expect(a.exists('/p').body!.stat).toEqual({ ...p, cversion: 3, numChildren: 1, pzxid: z3 });
    a.setData('/p/c2', buf('x'));
    expect(a.exists('/p').body!.stat.pzxid).toBe(z3);
  });

  it('ephemeralOwner: session id for ephemerals, 0 for persistent and containers', () => {
    expect(a.create2('/e', { flags: CreateMode.EPHEMERAL }).body!.stat.ephemeralOwner).toBe(a.sessionId);
    expect(a.create2('/s', { flags: CreateMode.EPHEMERAL_SEQUENTIAL }).body!.stat.ephemeralOwner).toBe(a.sessionId);
    expect(a.create2('/p').body!.stat.ephemeralOwner).toBe(0n);
    expect(a.createContainer('/c').body!.stat.ephemeralOwner).toBe(0n);
  });

  it('null data reads back as length -1, empty data as length 0; built-in nodes have empty data', () => {
    a.create('/null', { data: null });
    a.create('/empty', { data: Buffer.alloc(0) });
    const n = a.getData('/null');
    expect(n.body!.data).toBeNull();
    expect(n.rawBody.subarray(0, 4).toString('hex')).toBe('ffffffff');
    expect(n.body!.stat.dataLength).toBe(0);
    const e = a.getData('/empty');
    expect(e.body!.data).toEqual(Buffer.alloc(0));
    expect(e.rawBody.subarray(0, 4).toString('hex')).toBe('00000000');
    expect(a.getData('/').rawBody.subarray(0, 4).toString('hex')).toBe('00000000');
    expect(a.getData('/zookeeper').body!.data).toEqual(Buffer.alloc(0));
  });

  it('sequential suffixes come from the stored cversion, also after deletes', () => {
    a.create('/q');
    const names = [0, 1, 2].map(() => a.create('/q/n-', { flags: CreateMode.PERSISTENT_SEQUENTIAL }).body!.path);
    expect(names).toEqual(['/q/n-0000000000', '/q/n-0000000001', '/q/n-0000000002']);
    a.delete('/q/n-0000000002');
    a.delete('/q/n-0000000001');
    expect(a.create('/q/n-', { flags: CreateMode.PERSISTENT_SEQUENTIAL }).body!.path).toBe('/q/n-0000000003');
    a.create('/q/plain');
    expect(a.create('/q/', { flags: CreateMode.EPHEMERAL_SEQUENTIAL }).body!.path).toBe('/q/0000000005');
    // a create2 reply carries the sequential path too
    expect(a.create2('/q/x', { flags: CreateMode.PERSISTENT_SEQUENTIAL }).body!.path).toBe('/q/x0000000006');
  });

  it('sequential suffix of a negative stored cversion is %010d-formatted', () => {
    a.create('/neg');
    h.proc.tree.get('/neg')!.cversion = -7;
    expect(a.create('/neg/n', { flags: CreateMode.PERSISTENT_SEQUENTIAL }).body!.path).toBe('/neg/n-000000007');
    expect(a.create('/neg/n', { flags: CreateMode.PERSISTENT_SEQUENTIAL }).body!.path).toBe('/neg/n-000000006');
    expect(h.proc.tree.get('/neg')!.cversion).toBe(-5);
  });

  it('getChildren2 / getAllChildrenNumber', () => {
    a.create('/p');
    a.create('/p/x');
    a.create('/p/x/y');
    const r = a.getChildren2('/p');
    expect(r.body!.children).toEqual(['x']);
    expect(r.body!.stat.numChildren).toBe(1);
    expect(a.call(OpCode.getAllChildrenNumber, { path: '/p' }).body).toEqual({ totalNumber: 2 });
    expect(a.call(OpCode.getAllChildrenNumber, { path: '/' }).body).toEqual({ totalNumber: 6 });
    expect(a.getChildren('').body!.children.sort()).toEqual(['p', 'zookeeper']);
  });
});

// ---------------------------------------------------------------------------------------------
describe('validation order through the pipeline (§8)', () => {
  it('create "/missing/x/" is -101, not -8', () => {
    expect(a.create('/missing/x/').err).toBe(-101);
  });

  it('delete with a NoAuth parent and a missing node is -102, not -101', () => {
    a.create('/locked', { acl: READ_ACL_UNSAFE });
    expect(a.delete('/locked/missing').err).toBe(-102);
  });

  it('setACL permission (-102) before version (-103)', () => {
    a.create('/r', { acl: [{ perms: Perms.READ | Perms.WRITE, id: { scheme: 'world', id: 'anyone' } }] });
    expect(a.setACL('/r', OPEN_ACL_UNSAFE, 42).err).toBe(-102);
    a.create('/w');
    expect(a.setACL('/w', OPEN_ACL_UNSAFE, 42).err).toBe(-103);
  });

  it('setData WRITE (-102) before version (-103); check is rejected outside multi', () => {
    a.create('/ro', { acl: READ_ACL_UNSAFE });
    expect(a.setData('/ro', null, 42).err).toBe(-102);
    expect(a.setData('/ro/', null, 42).err).toBe(-8);
  });

  it('create with an ACL scheme named like an Object.prototype key is -114 (no crash, zxid consumed)', () => {
    const z = h.lastZxid;
    const r = a.create('/x', { acl: [{ perms: Perms.ALL, id: { scheme: 'constructor', id: 'x' } }] });
    expect(r).toMatchObject({ err: -114, zxid: z + 1n });
    expect(a.channel.closed).toBe(false);
  });

  it('... and inside a multi: the op fails with -114 and the earlier op leaves nothing pending', () => {
    const r = a.multi([
      { type: 1, request: { path: '/a', data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0 } },
      { type: 1, request: { path: '/b', data: null, acl: [{ perms: Perms.ALL, id: { scheme: '__proto__', id: 'x' } }], flags: 0 } },
    ]);
    expect(r.body).toEqual([{ type: -1, err: 0 }, { type: -1, err: -114 }]);
    expect(a.create('/a').err).toBe(0);
    expect(a.call(OpCode.ping, undefined, { xid: -2 }).zxid).toBe(h.lastZxid);
  });

  it('every failed write consumes a zxid as an error txn; the next write gets the next zxid', () => {
    a.create('/a');
    const z = h.lastZxid;
    const failures: [() => { zxid: bigint; err: number }, number][] = [
      [() => a.create('/a'), -110],
      [() => a.delete('/nope'), -101],
      [() => a.setData('/a', null, 9), -103],
      [() => a.setACL('/a', [], -1), -114],
      [() => a.create('/a', { flags: 42 }), -8],
      [() => a.createTTL('/t', 100n), -6],
      [() => a.call(OpCode.reconfig, { joiningServers: null, leavingServers: null, newMembers: null, curConfigId: -1n }), -123],
    ];
    failures.forEach(([op, code], i) => {
      const r = op();
      expect(r.err).toBe(code);
      expect(r.zxid).toBe(z + BigInt(i) + 1n);
      const txn = h.persisted.at(-1)!;
      expect(txn.header).toMatchObject({ zxid: r.zxid, type: OpCode.error, clientId: a.sessionId });
      expect(txn.record).toEqual({ type: OpCode.error, body: { err: code } });
    });
    expect(a.create('/b').zxid).toBe(z + BigInt(failures.length) + 1n);
    expect(h.proc.tree.get('/a')!.mzxid).toBe(z);
  });

  it('deleteContainer from a client deletes a childless persistent node without ACL checks', () => {
    a.create('/locked', { acl: READ_ACL_UNSAFE });
    a.create('/plain');
    expect(a.call(OpCode.deleteContainer, { path: '/plain' }).err).toBe(0);
    expect(a.call(OpCode.deleteContainer, { path: '/locked' }).err).toBe(0);
    a.create('/eph', { flags: CreateMode.EPHEMERAL });
    expect(a.call(OpCode.deleteContainer, { path: '/eph' }).err).toBe(-103);
  });
});

// ---------------------------------------------------------------------------------------------
describe('multi (§9)', () => {
  const create = (path: string, flags = 0, type: 1 | 15 | 19 = 1): MultiOp =>
    ({ type, request: { path, data: buf('m'), acl: [...OPEN_ACL_UNSAFE], flags } });

  it('success: one zxid for all ops, typed results, later ops see earlier ones', () => {
    a.create('/old');
    h.advance(7);
    const z = h.lastZxid + 1n;
    const r = a.multi([
      create('/p'),
      create('/p/c', 0, 15),
      { type: 5, request: { path: '/p/c', data: buf('v2'), version: 0 } },
      { type: 13, request: { path: '/p/c', version: 1 } },
      { type: 2, request: { path: '/old', version: -1 } },
      create('/p/k', 0, 19),
    ]);
    expect(r).toMatchObject({ err: 0, zxid: z });
    const res = r.body!;
    expect(res.map((x) => x.type)).toEqual([1, 15, 5, 13, 2, 15]);
    expect(res[0]).toEqual({ type: 1, path: '/p' });
    const t = BigInt(h.now);
    expect((res[1] as Extract<MultiResult, { type: 15 }>).stat).toMatchObject({ czxid: z, mzxid: z, ctime: t, version: 0 });
    expect((res[2] as Extract<MultiResult, { type: 5 }>).stat).toMatchObject({ czxid: z, mzxid: z, version: 1, dataLength: 2 });
    expect(h.proc.tree.has('/old')).toBe(false);
    expect(a.exists('/p').body!.stat).toMatchObject({ czxid: z, pzxid: z, numChildren: 2, cversion: 2 });
    expect(h.persisted.at(-1)!.header).toMatchObject({ zxid: z, type: OpCode.multi });
    expect(h.proc.tree.containers.has('/p/k')).toBe(true);
  });

  it('failure: header err 0, results 0…code…-2, nothing applied, no watches, zxid consumed', () => {
    a.create('/keep');
    b.exists('/m1', true);
    b.getData('/keep', true);
    b.getChildren('/', true);
    const z = h.lastZxid;
    const r = a.multi([
      create('/m1'),
      { type: 5, request: { path: '/keep', data: buf('no'), version: -1 } },
      { type: 2, request: { path: '/nope', version: -1 } },
      create('/m3'),
      { type: 13, request: { path: '/keep', version: 0 } },
    ]);
    expect(r).toMatchObject({ err: 0, zxid: z + 1n });
    expect(r.body).toEqual([
      { type: -1, err: 0 }, { type: -1, err: 0 }, { type: -1, err: -101 }, { type: -1, err: -2 }, { type: -1, err: -2 },
    ]);
    expect(h.proc.tree.has('/m1')).toBe(false);
    expect(h.proc.tree.get('/keep')!.version).toBe(0);
    expect(b.takeEvents()).toEqual([]);
    expect(h.persisted.at(-1)!).toMatchObject({ header: { type: OpCode.multi, zxid: z + 1n } });
    // the pending view was rolled back: /m1 can be created now
    expect(a.create('/m1').err).toBe(0);
    expect(b.takeEvents()).toEqual([ev(NodeCreated, '/m1', h.lastZxid), ev(NodeChildrenChanged, '/', h.lastZxid)]);
  });

  it('watches of a successful multi fire in op order with the multi zxid, before the reply', () => {
    a.create('/w');
    a.getData('/w', true);
    a.getChildren('/w', true);
    a.exists('/w/new', true);
    const r = a.multi([
      create('/w/new'),
      { type: 5, request: { path: '/w', data: buf('x'), version: -1 } },
    ]);
    const z = r.zxid;
    expect(r.frames.map((f) => f.kind)).toEqual(['event', 'event', 'event', 'reply']);
    expect(r.events).toEqual([ev(NodeCreated, '/w/new', z), ev(NodeChildrenChanged, '/w', z), ev(NodeDataChanged, '/w', z)]);
  });

  it('an empty multi succeeds with no results', () => {
    const r = a.multi([]);
    expect(r).toMatchObject({ err: 0, body: [] });
  });

  it('mixing reads into a multi is -5 (header only), and nothing is applied', () => {
    const r = a.multi([create('/x'), { type: 4, request: { path: '/', watch: false } }]);
    expect(r.err).toBe(-5);
    expect(r.rawBody).toHaveLength(0);
    expect(h.proc.tree.has('/x')).toBe(false);
    const r2 = a.multiRead([{ type: 4, request: { path: '/', watch: false } }, create('/y')]);
    expect(r2.err).toBe(-5);
    expect(r2.rawBody).toHaveLength(0);
    expect(h.proc.tree.has('/y')).toBe(false);
  });

  it('a bad create flag inside a multi is -5 for the whole request', () => {
    const r = a.multi([create('/ok'), create('/bad', 9)]);
    expect(r.err).toBe(-5);
    expect(r.rawBody).toHaveLength(0);
    expect(h.proc.tree.has('/ok')).toBe(false);
    const r2 = a.multi([{ type: 21, request: { path: '/t', data: null, acl: [...OPEN_ACL_UNSAFE], flags: 8, ttl: 5n } }]);
    expect(r2.err).toBe(-5);
  });

  it('multiRead: each op independent, failures as error results, header 0, no zxid', () => {
    a.create('/r', { data: null });
    a.create('/r/c');
    a.create('/secret', { acl: [digestAcl(Perms.ALL, 'bob:secret')] });
    const z = h.lastZxid;
    const r = a.multiRead([
      { type: 4, request: { path: '/r', watch: false } },
      { type: 8, request: { path: '/missing', watch: false } },
      { type: 8, request: { path: '/r', watch: false } },
      { type: 4, request: { path: '/secret', watch: false } },
      { type: 4, request: { path: '/r/c', watch: true } },
    ]);
    expect(r).toMatchObject({ err: 0, zxid: z });
    expect(h.lastZxid).toBe(z);
    const res = r.body!;
    expect(res[0]).toMatchObject({ type: 4, data: null, stat: { numChildren: 1 } });
    expect(res[1]).toEqual({ type: -1, err: -101 });
    expect(res[2]).toEqual({ type: 8, children: ['c'] });
    expect(res[3]).toEqual({ type: -1, err: -102 });
    expect(res[4]).toMatchObject({ type: 4, data: buf('d') });
    // watch flags inside multiRead are ignored
    b.setData('/r/c', buf('z'));
    expect(a.takeEvents()).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('watches (§6.4 matrix)', () => {
  it('exists on a missing node: -101, watch set; NodeCreated on create (with the create zxid), once', () => {
    expect(a.exists('/x', true).err).toBe(-101);
    b.create('/x');
    expect(a.takeEvents()).toEqual([ev(NodeCreated, '/x', h.lastZxid)]);
    b.setData('/x', buf('1'));
    b.delete('/x');
    b.create('/x');
    expect(a.takeEvents()).toEqual([]);
  });

  it('exists/getData on an existing node: NodeDataChanged on setData, NodeDeleted on delete', () => {
    b.create('/x');
    a.exists('/x', true);
    b.setData('/x', buf('1'));
    expect(a.takeEvents()).toEqual([ev(NodeDataChanged, '/x', h.lastZxid)]);
    a.getData('/x', true);
    b.create('/x/child');
    b.setACL('/x', OPEN_ACL_UNSAFE);
    expect(a.takeEvents()).toEqual([]);
    b.delete('/x/child');
    b.delete('/x');
    expect(a.takeEvents()).toEqual([ev(NodeDeleted, '/x', h.lastZxid)]);
  });

  it('getData on a missing node sets no watch', () => {
    expect(a.getData('/x', true).err).toBe(-101);
    expect(a.getChildren('/x', true).err).toBe(-101);
    b.create('/x');
    expect(a.takeEvents()).toEqual([]);
  });

  it('getChildren: NodeChildrenChanged on child create and delete, NodeDeleted on delete; not on data changes', () => {
    b.create('/p');
    a.getChildren('/p', true);
    b.setData('/p', buf('1'));
    expect(a.takeEvents()).toEqual([]);
    b.create('/p/c');
    expect(a.takeEvents()).toEqual([ev(NodeChildrenChanged, '/p', h.lastZxid)]);
    b.create('/p/d');
    expect(a.takeEvents()).toEqual([]);
    a.getChildren2('/p', true);
    b.setData('/p/c', buf('x'));
    b.delete('/p/c');
    expect(a.takeEvents()).toEqual([ev(NodeChildrenChanged, '/p', h.lastZxid)]);
    a.getChildren('/p', true);
    b.delete('/p/d');
    a.takeEvents();
    a.getChildren('/p', true);
    b.delete('/p');
    expect(a.takeEvents()).toEqual([ev(NodeDeleted, '/p', h.lastZxid)]);
  });

  it('NodeDeleted is not doubled for a connection holding data and child watches', () => {
    b.create('/n');
    a.getData('/n', true);
    a.getChildren('/n', true);
    a.exists('/n', true);
    b.delete('/n');
    expect(a.takeEvents()).toEqual([ev(NodeDeleted, '/n', h.lastZxid)]);
    b.create('/m');
    a.addWatch('/m', AddWatchMode.PERSISTENT);
    a.getChildren('/m', true);
    b.delete('/m');
    expect(a.takeEvents()).toEqual([ev(NodeDeleted, '/m', h.lastZxid)]);
  });

  it('a delete fires NodeDeleted on the node, then NodeChildrenChanged on the parent', () => {
    b.create('/p');
    b.create('/p/c');
    a.exists('/p/c', true);
    a.getChildren('/p', true);
    b.delete('/p/c');
    expect(a.takeEvents()).toEqual([ev(NodeDeleted, '/p/c', h.lastZxid), ev(NodeChildrenChanged, '/p', h.lastZxid)]);
  });

  it('PERSISTENT: created, data, children, deleted; stays registered; not for grandchildren', () => {
    expect(a.addWatch('/p', AddWatchMode.PERSISTENT)).toMatchObject({ err: 0, body: { err: 0 } });
    b.create('/p');
    const z1 = h.lastZxid;
    b.setData('/p', buf('1'));
    const z2 = h.lastZxid;
    b.create('/p/c');
    const z3 = h.lastZxid;
    b.create('/p/c/g');
    b.setData('/p/c', buf('2'));
    b.delete('/p/c/g');
    b.delete('/p/c');
    const z4 = h.lastZxid;
    b.delete('/p');
    const z5 = h.lastZxid;
    b.create('/p');
    const z6 = h.lastZxid;
    expect(a.takeEvents()).toEqual([
      ev(NodeCreated, '/p', z1), ev(NodeDataChanged, '/p', z2), ev(NodeChildrenChanged, '/p', z3),
      ev(NodeChildrenChanged, '/p', z4), ev(NodeDeleted, '/p', z5), ev(NodeCreated, '/p', z6),
    ]);
  });

  it('PERSISTENT_RECURSIVE: every descendant, event path = changed node, never NodeChildrenChanged', () => {
    a.addWatch('/r', AddWatchMode.PERSISTENT_RECURSIVE);
    b.create('/r');
    const z1 = h.lastZxid;
    b.create('/r/a');
    const z2 = h.lastZxid;
    b.create('/r/a/b');
    const z3 = h.lastZxid;
    b.setData('/r/a/b', buf('x'));
    const z4 = h.lastZxid;
    b.delete('/r/a/b');
    const z5 = h.lastZxid;
    b.create('/rx');
    b.create('/other');
    expect(a.takeEvents()).toEqual([
      ev(NodeCreated, '/r', z1), ev(NodeCreated, '/r/a', z2), ev(NodeCreated, '/r/a/b', z3),
      ev(NodeDataChanged, '/r/a/b', z4), ev(NodeDeleted, '/r/a/b', z5),
    ]);
  });

  it('one notification per connection per trigger even when several watches match', () => {
    b.create('/r');
    b.create('/r/a');
    a.addWatch('/', AddWatchMode.PERSISTENT_RECURSIVE);
    a.addWatch('/r', AddWatchMode.PERSISTENT_RECURSIVE);
    a.addWatch('/r/a/b', AddWatchMode.PERSISTENT);
    a.exists('/r/a/b', true);
    b.create('/r/a/b');
    expect(a.takeEvents()).toEqual([ev(NodeCreated, '/r/a/b', h.lastZxid)]);
    // NodeChildrenChanged for /r/a reached nobody: recursive watches never get it
    b.setData('/r/a/b', buf('1'));
    expect(a.takeEvents()).toEqual([ev(NodeDataChanged, '/r/a/b', h.lastZxid)]);
  });

  it('each watching connection gets its own notification', () => {
    const c = h.connect();
    b.create('/x');
    a.getData('/x', true);
    c.getData('/x', true);
    b.setData('/x', buf('1'));
    expect(a.takeEvents()).toEqual([ev(NodeDataChanged, '/x', h.lastZxid)]);
    expect(c.takeEvents()).toEqual([ev(NodeDataChanged, '/x', h.lastZxid)]);
    expect(b.takeEvents()).toEqual([]);
  });

  it('the writer\'s own notifications precede its reply', () => {
    a.create('/x');
    a.getData('/x', true);
    const r = a.setData('/x', buf('1'));
    expect(r.frames.map((f) => f.kind)).toEqual(['event', 'reply']);
    expect(r.events).toEqual([ev(NodeDataChanged, '/x', r.zxid)]);
  });

  it('failed writes and setACL fire nothing', () => {
    b.create('/x');
    a.getData('/x', true);
    a.getChildren('/x', true);
    b.setData('/x', buf('1'), 99);
    b.delete('/x', 99);
    b.create('/x');
    b.setACL('/x', READ_ACL_UNSAFE);
    expect(a.takeEvents()).toEqual([]);
  });

  it('ACL filter: a watcher without READ gets nothing, and its one-shot watch is consumed', () => {
    b.auth('digest', 'bob:secret');
    b.create('/s');
    a.getData('/s', true);
    b.setACL('/s', [digestAcl(Perms.ALL, 'bob:secret')]);
    b.setData('/s', buf('1'));
    expect(a.takeEvents()).toEqual([]);
    b.setACL('/s', OPEN_ACL_UNSAFE);
    b.setData('/s', buf('2'));
    expect(a.takeEvents()).toEqual([]); // the watch was consumed by the hidden event
    // NodeCreated is checked against the new node's ACL
    a.exists('/hidden', true);
    b.create('/hidden', { acl: [digestAcl(Perms.ALL, 'bob:secret')] });
    expect(a.takeEvents()).toEqual([]);
    // NodeChildrenChanged against the parent's ACL
    b.create('/open');
    a.getChildren('/open', true);
    b.create('/open/c', { acl: [digestAcl(Perms.ALL, 'bob:secret')] });
    expect(a.takeEvents()).toEqual([ev(NodeChildrenChanged, '/open', h.lastZxid)]);
  });

  it('exists on an existing node without READ is -102 and registers no watch', () => {
    b.auth('digest', 'bob:secret');
    b.create('/s', { acl: [digestAcl(Perms.ALL, 'bob:secret')] });
    expect(a.exists('/s', true).err).toBe(-102);
    b.setACL('/s', OPEN_ACL_UNSAFE);
    b.setData('/s', buf('1'));
    expect(a.takeEvents()).toEqual([]);
    expect(a.checkWatches('/s', WatcherType.Any).err).toBe(-121);
  });

  it('a disconnected connection\'s watches are dropped', () => {
    b.create('/x');
    a.getData('/x', true);
    a.addWatch('/', AddWatchMode.PERSISTENT_RECURSIVE);
    h.proc.disconnected(a.channel);
    b.setData('/x', buf('1'));
    expect(a.takeEvents()).toEqual([]);
    expect(h.proc.watches.totalWatchCount).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
describe('checkWatches / removeWatches (§6.7)', () => {
  beforeEach(() => {
    b.create('/p');
  });

  function register(kind: 'data' | 'exist' | 'child' | 'persistent' | 'recursive'): void {
    if (kind === 'data') a.getData('/p', true);
    if (kind === 'exist') a.exists('/p', true);
    if (kind === 'child') a.getChildren('/p', true);
    if (kind === 'persistent') a.addWatch('/p', AddWatchMode.PERSISTENT);
    if (kind === 'recursive') a.addWatch('/p', AddWatchMode.PERSISTENT_RECURSIVE);
  }

  const cases: ['data' | 'exist' | 'child' | 'persistent' | 'recursive', number, boolean][] = [
    ['data', WatcherType.Data, true], ['data', WatcherType.Children, false], ['data', WatcherType.Any, true],
    ['data', WatcherType.Persistent, false], ['data', WatcherType.PersistentRecursive, false],
    ['exist', WatcherType.Data, true], ['exist', WatcherType.Children, false],
    ['child', WatcherType.Children, true], ['child', WatcherType.Data, false], ['child', WatcherType.Any, true],
    ['child', WatcherType.Persistent, false],
    ['persistent', WatcherType.Persistent, true], ['persistent', WatcherType.Data, false],
    ['persistent', WatcherType.Children, false], ['persistent', WatcherType.Any, true],
    ['persistent', WatcherType.PersistentRecursive, false],
    ['recursive', WatcherType.PersistentRecursive, true], ['recursive', WatcherType.Persistent, false],
    ['recursive', WatcherType.Data, false], ['recursive', WatcherType.Any, true],
  ];

  it.each(cases)('%s watch, type %i: present=%s', (kind, type, present) => {
    register(kind);
    const code = present ? 0 : -121;
    const check = a.checkWatches('/p', type);
    expect(check).toMatchObject({ err: code, zxid: h.lastZxid });
    expect(check.rawBody).toHaveLength(0);
    expect(a.checkWatches('/p', type).err).toBe(code); // check leaves it in place
    expect(a.removeWatches('/p', type).err).toBe(code);
    expect(a.checkWatches('/p', type).err).toBe(-121);
    // a removed watch does not fire; one that did not match still does
    b.setData('/p', buf('x'));
    b.create('/p/c');
    const events = a.takeEvents();
    if (present) expect(events).toEqual([]);
    else expect(events.length).toBeGreaterThan(0);
  });

  it('no watch at all is -121; WatcherType outside 1..5 is -5', () => {
    expect(a.checkWatches('/p', WatcherType.Any).err).toBe(-121);
    expect(a.removeWatches('/nowhere', WatcherType.Data).err).toBe(-121);
    a.getData('/p', true);
    expect(a.checkWatches('/p', 0).err).toBe(-5);
    expect(a.removeWatches('/p', 6).err).toBe(-5);
    expect(a.checkWatches('/p', WatcherType.Data).err).toBe(0);
  });

  it('another connection\'s watch does not count', () => {
    b.getData('/p', true);
    expect(a.checkWatches('/p', WatcherType.Data).err).toBe(-121);
    expect(a.removeWatches('/p', WatcherType.Any).err).toBe(-121);
    expect(b.checkWatches('/p', WatcherType.Data).err).toBe(0);
  });

  it('addWatch with an invalid mode is -5; addWatch needs no node and no ACL', () => {
    expect(a.addWatch('/p', 2).err).toBe(-5);
    expect(a.addWatch('/missing', AddWatchMode.PERSISTENT).err).toBe(0);
    b.create('/locked', { acl: [digestAcl(Perms.ALL, 'bob:secret')] });
    expect(a.addWatch('/locked', AddWatchMode.PERSISTENT).err).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
describe('setWatches / setWatches2 (§6.6)', () => {
  it('replays missed changes relative to relativeZxid, registers the rest; events precede the reply', () => {
    b.create('/same');
    b.create('/changed');
    b.create('/kids');
    b.create('/quiet');
    b.create('/exists');
    const rel = h.lastZxid;
    b.setData('/changed', buf('new'));
    b.create('/kids/c');
    b.create('/gone');
    b.delete('/gone');

    const r = a.call(OpCode.setWatches, {
      relativeZxid: rel,
      dataWatches: ['/missing', '/changed', '/same'],
      existWatches: ['/exists', '/absent'],
      childWatches: ['/gone', '/kids', '/quiet'],
    }, { xid: Xid.SET_WATCHES });
    expect(r).toMatchObject({ xid: -8, zxid: h.lastZxid, err: 0 });
    expect(r.rawBody).toHaveLength(0);
    expect(r.frames.at(-1)!.kind).toBe('reply');
    expect(r.events).toEqual([
      ev(NodeDeleted, '/missing', -1n),
      ev(NodeDataChanged, '/changed', -1n),
      ev(NodeCreated, '/exists', -1n),
      ev(NodeDeleted, '/gone', -1n),
      ev(NodeChildrenChanged, '/kids', -1n),
    ]);
    // the others were registered as watches
    b.setData('/same', buf('1'));
    b.create('/absent');
    b.create('/quiet/c');
    expect(a.takeEvents()).toEqual([
      ev(NodeDataChanged, '/same', h.lastZxid - 2n),
      ev(NodeCreated, '/absent', h.lastZxid - 1n),
      ev(NodeChildrenChanged, '/quiet', h.lastZxid),
    ]);
    // the replayed ones were not
    b.setData('/changed', buf('again'));
    b.create('/kids/d');
    expect(a.takeEvents()).toEqual([]);
  });

  it('data watch: mzxid == relativeZxid is not "newer"; child watch: pzxid == relativeZxid neither', () => {
    b.create('/n');
    b.create('/m');
    const rel = h.lastZxid;
    b.setData('/n', buf('1'));
    b.create('/m/c');
    const at = h.lastZxid;
    const r1 = a.call(OpCode.setWatches, { relativeZxid: at - 1n, dataWatches: ['/n'], existWatches: [], childWatches: [] });
    expect(r1.events).toEqual([]); // /n's mzxid (at - 1) is not newer than relativeZxid
    const r2 = a.call(OpCode.setWatches, { relativeZxid: at, dataWatches: [], existWatches: [], childWatches: ['/m'] });
    expect(r2.events).toEqual([]); // /m's pzxid (at) is not newer either
    expect(rel).toBeLessThan(at);
    b.setData('/n', buf('2'));
    expect(a.takeEvents()).toEqual([ev(NodeDataChanged, '/n', h.lastZxid)]);
    b.create('/m/d');
    expect(a.takeEvents()).toEqual([ev(NodeChildrenChanged, '/m', h.lastZxid)]);
  });

  it('exist watch on an existing node fires NodeCreated regardless of zxid', () => {
    b.create('/n');
    const r = a.call(OpCode.setWatches, { relativeZxid: h.lastZxid + 100n, dataWatches: [], existWatches: ['/n'], childWatches: [] });
    expect(r.events).toEqual([ev(NodeCreated, '/n', -1n)]);
  });

  it('synthesized events skip the ACL filter', () => {
    b.create('/s', { acl: [digestAcl(Perms.ALL, 'bob:secret')] });
    const r = a.call(OpCode.setWatches, { relativeZxid: 0n, dataWatches: ['/s'], existWatches: [], childWatches: [] });
    expect(r.events).toEqual([ev(NodeDataChanged, '/s', -1n)]);
  });

  it('setWatches2 registers persistent and recursive watches without events', () => {
    const r = a.call(OpCode.setWatches2, {
      relativeZxid: 0n, dataWatches: [], existWatches: [], childWatches: [],
      persistentWatches: ['/p'], persistentRecursiveWatches: ['/r'],
    });
    expect(r.events).toEqual([]);
    b.create('/p');
    b.create('/p/c');
    b.create('/r');
    b.create('/r/c');
    expect(a.takeEvents().map((e) => [e.type, e.path])).toEqual([
      [NodeCreated, '/p'], [NodeChildrenChanged, '/p'], [NodeCreated, '/r'], [NodeCreated, '/r/c'],
    ]);
    expect(a.checkWatches('/p', WatcherType.Persistent).err).toBe(0);
    expect(a.checkWatches('/r', WatcherType.PersistentRecursive).err).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
describe('ACLs and auth (§10)', () => {
  it('digest auth + the auth scheme: the creator\'s digest id is stored; others are refused', () => {
    a.auth('digest', 'bob:secret');
    expect(a.create('/mine', { acl: CREATOR_ALL_ACL }).err).toBe(0);
    expect(h.proc.tree.get('/mine')!.acl).toEqual([digestAcl(Perms.ALL, 'bob:secret')]);
    expect(a.getData('/mine').err).toBe(0);
    expect(b.getData('/mine').err).toBe(-102);
    expect(b.getACL('/mine').err).toBe(-102);
    b.auth('digest', 'bob:wrong');
    expect(b.getData('/mine').err).toBe(-102);
    b.auth('digest', 'bob:secret');
    expect(b.getData('/mine').err).toBe(0);
  });

  it('the auth scheme without an authenticated id is -114', () => {
    expect(a.create('/x', { acl: CREATOR_ALL_ACL }).err).toBe(-114);
  });

  it('getACL without ADMIN masks digest ids; with ADMIN it shows them', () => {
    const acl = [digestAcl(Perms.ALL, 'bob:secret'), { perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }];
    a.create('/n', { acl });
    expect(b.getACL('/n').body!.acl).toEqual([
      { perms: Perms.ALL, id: { scheme: 'digest', id: 'bob:x' } }, { perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } },
    ]);
    b.auth('digest', 'bob:secret');
    expect(b.getACL('/n').body!.acl).toEqual(acl);
    // ADMIN alone (no READ) is enough to read the ACL
    a.create('/admin-only', { acl: [{ perms: Perms.ADMIN, id: { scheme: 'world', id: 'anyone' } }] });
    expect(a.getACL('/admin-only').err).toBe(0);
    expect(a.getData('/admin-only').err).toBe(-102);
  });

  it('superDigest: "super:test" becomes super and passes every ACL', () => {
    const g = new Harness({ superDigest: SUPER_DIGEST });
    const owner = g.connect();
    const admin = g.connect();
    owner.create('/n', { acl: [digestAcl(Perms.READ, 'bob:secret')] });
    expect(admin.getData('/n').err).toBe(-102);
    admin.auth('digest', 'super:test');
    expect(admin.channel.authIds).toContainEqual({ scheme: 'super', id: '' });
    expect(admin.getData('/n').err).toBe(0);
    expect(admin.getACL('/n').body!.acl).toEqual([digestAcl(Perms.READ, 'bob:secret')]);
    expect(admin.setData('/zookeeper/config', buf('x')).err).toBe(0);
    // without a superDigest configured, the same password is just a digest identity
    a.auth('digest', 'super:test');
    expect(a.channel.authIds).not.toContainEqual({ scheme: 'super', id: '' });
  });

  it('ip ACLs match the connection address by CIDR', () => {
    const near = h.connect({ remoteIp: '10.1.2.3' });
    const far = h.connect({ remoteIp: '192.168.0.1' });
    a.create('/ip', { acl: [{ perms: Perms.READ, id: { scheme: 'ip', id: '10.0.0.0/8' } }] });
    expect(near.getData('/ip').err).toBe(0);
    expect(far.getData('/ip').err).toBe(-102);
    expect(a.getData('/ip').err).toBe(-102);
    expect(a.create('/badip', { acl: [{ perms: Perms.READ, id: { scheme: 'ip', id: '10.0.0.0/40' } }] }).err).toBe(-114);
  });

  it('checks: create needs CREATE on the parent, delete DELETE on the parent, setData WRITE, getChildren READ', () => {
    const only = (perms: number) => [{ perms, id: { scheme: 'world', id: 'anyone' } }];
    a.create('/c', { acl: only(Perms.ALL & ~Perms.CREATE) });
    expect(a.create('/c/x').err).toBe(-102);
    a.create('/d', { acl: only(Perms.ALL & ~Perms.DELETE) });
    a.setACL('/d', only(Perms.ALL));
    a.create('/d/x');
    a.setACL('/d', only(Perms.ALL & ~Perms.DELETE));
    expect(a.delete('/d/x').err).toBe(-102);
    a.create('/w', { acl: only(Perms.ALL & ~Perms.WRITE) });
    expect(a.setData('/w', null).err).toBe(-102);
    a.create('/r', { acl: only(Perms.ALL & ~Perms.READ) });
    expect(a.getChildren('/r').err).toBe(-102);
    expect(a.exists('/r').err).toBe(-102);
    expect(a.call(OpCode.getAllChildrenNumber, { path: '/r' }).err).toBe(-102);
  });
});

// ---------------------------------------------------------------------------------------------
describe('sessions: close and expiry (§1.8, §7.2)', () => {
  it('closeSession: reply (xid echoed, closeSession zxid), then close; ephemerals deleted with that zxid', () => {
    a.create('/p');
    a.create('/p/e1', { flags: CreateMode.EPHEMERAL });
    a.create('/p/e2', { flags: CreateMode.EPHEMERAL_SEQUENTIAL });
    b.exists('/p/e1', true);
    b.getChildren('/p', true);
    const z = h.lastZxid + 1n;
    const r = a.call(OpCode.closeSession, undefined, { xid: 9 });
    expect(r).toMatchObject({ xid: 9, zxid: z, err: 0 });
    expect(r.rawBody).toHaveLength(0);
    expect(a.channel.closed).toBe(true);
    expect(h.proc.tree.has('/p/e1')).toBe(false);
    expect(h.proc.tree.has('/p/e20000000001')).toBe(false);
    expect(h.proc.tree.has('/p')).toBe(true);
    expect(h.proc.tree.stat('/p')!.pzxid).toBe(z);
    expect(b.takeEvents()).toEqual([ev(NodeDeleted, '/p/e1', z), ev(NodeChildrenChanged, '/p', z)]);
    expect(h.proc.sessions.get(a.sessionId)).toBeUndefined();
    expect(h.proc.channelOf(a.sessionId)).toBeUndefined();
    const txn = h.persisted.at(-1)!;
    expect(txn.header).toMatchObject({ type: OpCode.closeSession, clientId: a.sessionId, cxid: 9, zxid: z });
    expect([...(txn.record as Extract<Txn['record'], { type: -11 }>).body.paths2Delete].sort()).toEqual(['/p/e1', '/p/e20000000001']);
  });

  it('closeSession is answered whatever its xid (even 0) before the connection closes', () => {
    const r = a.call(OpCode.closeSession, undefined, { xid: 0 });
    expect(r).toMatchObject({ xid: 0, err: 0 });
    expect(a.channel.closed).toBe(true);
  });

  it('expiry in tick buckets: ephemerals deleted, their watches fired, the connection closed', () => {
    const g = new Harness(); // now = 1_000_000, tick 2000
    const victim = g.connect({ timeOut: 4000 }); // bucket ((1_000_000 + 4000) / 2000 + 1) * 2000 = 1_006_000
    const watcher = g.connect({ timeOut: 40000 });
    victim.create('/e', { flags: CreateMode.EPHEMERAL });
    watcher.exists('/e', true);
    g.now = 1_005_999;
    expect(g.proc.expireSessions(g.now)).toEqual([]);
    expect(g.proc.tree.has('/e')).toBe(true);
    g.now = 1_006_000;
    const z = g.lastZxid + 1n;
    expect(g.proc.expireSessions(g.now)).toEqual([victim.sessionId]);
    expect(g.lastZxid).toBe(z);
    expect(g.proc.tree.has('/e')).toBe(false);
    expect(watcher.takeEvents()).toEqual([ev(NodeDeleted, '/e', z)]);
    expect(victim.channel.closed).toBe(true);
    expect(watcher.channel.closed).toBe(false);
    expect(g.proc.sessions.get(victim.sessionId)).toBeUndefined();
    expect(g.persisted.at(-1)).toEqual({
      header: { clientId: victim.sessionId, cxid: 0, zxid: z, time: 1_006_000n, type: OpCode.closeSession },
      record: { type: OpCode.closeSession, body: { paths2Delete: ['/e'] } },
    });
    // expired once only
    expect(g.proc.expireSessions(1_010_000)).toEqual([]);
  });

  it('any request (ping included) moves the session to a later bucket', () => {
    const g = new Harness();
    const c = g.connect({ timeOut: 4000 });
    g.now = 1_003_000;
    c.call(OpCode.ping, undefined, { xid: -2 }); // bucket ((1_007_000) / 2000 + 1) * 2000 = 1_008_000
    expect(g.proc.expireSessions(1_006_000)).toEqual([]);
    expect(g.proc.expireSessions(1_007_999)).toEqual([]);
    expect(g.proc.expireSessions(1_008_000)).toEqual([c.sessionId]);
  });

  it('ephemeral children of a container are deleted at close and the container reaped afterwards', () => {
    a.createContainer('/lock');
    a.create('/lock/e', { flags: CreateMode.EPHEMERAL });
    a.call(OpCode.closeSession);
    expect(h.proc.tree.has('/lock/e')).toBe(false);
    expect(h.proc.reapContainers(h.now)).toEqual(['/lock']);
  });

  it('getEphemerals lists the caller\'s ephemerals, optionally by prefix', () => {
    a.create('/x');
    a.create('/x/e1', { flags: CreateMode.EPHEMERAL });
    a.create('/e2', { flags: CreateMode.EPHEMERAL });
    b.create('/b', { flags: CreateMode.EPHEMERAL });
    expect(a.call(OpCode.getEphemerals, { prefixPath: '/' }).body.ephemerals.sort()).toEqual(['/e2', '/x/e1']);
    expect(a.call(OpCode.getEphemerals, { prefixPath: null }).body.ephemerals.sort()).toEqual(['/e2', '/x/e1']);
    expect(a.call(OpCode.getEphemerals, { prefixPath: '/x' }).body.ephemerals).toEqual(['/x/e1']);
  });
});

// ---------------------------------------------------------------------------------------------
describe('containers and TTL nodes (§7.3)', () => {
  it('a used, emptied container is reaped; a never-used one is not', () => {
    a.createContainer('/used');
    a.createContainer('/fresh');
    a.create('/used/c');
    expect(h.proc.reapContainers(h.now)).toEqual([]);
    a.delete('/used/c');
    b.exists('/used', true);
    b.getChildren('/', true);
    h.advance(60_000);
    const z = h.lastZxid + 1n;
    expect(h.proc.reapContainers(h.now)).toEqual(['/used']);
    expect(h.proc.tree.has('/used')).toBe(false);
    expect(h.proc.tree.has('/fresh')).toBe(true);
    expect(b.takeEvents()).toEqual([ev(NodeDeleted, '/used', z), ev(NodeChildrenChanged, '/', z)]);
    expect(h.persisted.at(-1)!.header).toMatchObject({ clientId: 0n, cxid: 0, zxid: z, type: OpCode.deleteContainer });
  });

  it('with maxNeverUsedIntervalMs, a never-used container goes once that much time has passed', () => {
    const g = new Harness({ containerMaxNeverUsedIntervalMs: 1000 });
    const c = g.connect();
    c.createContainer('/fresh');
    expect(g.proc.reapContainers(g.now + 1000)).toEqual([]);
    expect(g.proc.reapContainers(g.now + 1001)).toEqual(['/fresh']);
  });

  it('a container created via opcode 1 with flag 4 is a container too', () => {
    expect(a.create('/c', { flags: CreateMode.CONTAINER })).toMatchObject({ err: 0, body: { path: '/c' } });
    expect(h.proc.tree.containers.has('/c')).toBe(true);
  });

  it('TTL disabled: -6', () => {
    expect(a.createTTL('/t', 1000n).err).toBe(-6);
    expect(a.create('/t', { flags: CreateMode.PERSISTENT_WITH_TTL }).err).toBe(-6);
  });

  it('TTL bounds: -8 outside 1..2^40-1, and for a plain create with a TTL flag', () => {
    const g = new Harness({ extendedTypesEnabled: true });
    const c = g.connect();
    expect(c.createTTL('/t', 0n).err).toBe(-8);
    expect(c.createTTL('/t', -1n).err).toBe(-8);
    expect(c.createTTL('/t', 2n ** 40n).err).toBe(-8);
    expect(c.createTTL('/t', 100n, { flags: 0 }).err).toBe(-8);
    expect(c.create('/t', { flags: CreateMode.PERSISTENT_WITH_TTL }).err).toBe(-8);
    expect(c.createTTL('/t', 2n ** 40n - 1n).err).toBe(0);
  });

  it('a TTL node is deleted once childless and older than its ttl (mtime based)', () => {
    const g = new Harness({ extendedTypesEnabled: true });
    const c = g.connect();
    const r = c.createTTL('/t', 5000n);
    expect(r.body!.stat.ephemeralOwner).toBe(0n);
    const seq = c.createTTL('/s-', 5000n, { flags: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL });
    expect(seq.body!.path).toBe('/s-0000000001');
    c.create('/t/child');
    const t0 = g.now;
    expect(g.proc.reapContainers(t0 + 10_000)).toEqual(['/s-0000000001']);
    c.delete('/t/child');
    expect(g.proc.reapContainers(t0 + 5000)).toEqual([]);
    g.now = t0 + 3000;
    c.setData('/t', buf('touch')); // mtime moves
    expect(g.proc.reapContainers(t0 + 8000)).toEqual([]);
    expect(g.proc.reapContainers(t0 + 8001)).toEqual(['/t']);
    expect(g.proc.tree.ttls.size).toBe(0);
  });
});
