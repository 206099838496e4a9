// The op-code table (protocol.md §3) and the reserved xids (§2.1).

import { describe, expect, it } from 'vitest';
import { OpCode, Xid, allOps, isWriteOp, opSpec, type OpKind } from '../../../protocol/ops.js';
import * as R from '../../../protocol/records.js';
import { MultiRequest, MultiResponse } from '../../../protocol/multi.js';
import { empty, type Codec } from '../../../protocol/jute/schema.js';
import * as P from '../../../protocol/index.js';

/** protocol.md §3, transcribed: code, name, request record, success body. */
const TABLE: [number, string, Codec<any>, Codec<any>][] = [
  [1, 'create', R.CreateRequest, R.CreateResponse],
  [2, 'delete', R.DeleteRequest, empty],
  [3, 'exists', R.ExistsRequest, R.ExistsResponse],
  [4, 'getData', R.GetDataRequest, R.GetDataResponse],
  [5, 'setData', R.SetDataRequest, R.SetDataResponse],
  [6, 'getACL', R.GetACLRequest, R.GetACLResponse],
  [7, 'setACL', R.SetACLRequest, R.SetACLResponse],
  [8, 'getChildren', R.GetChildrenRequest, R.GetChildrenResponse],
  [9, 'sync', R.SyncRequest, R.SyncResponse],
  [11, 'ping', empty, empty],
  [12, 'getChildren2', R.GetChildren2Request, R.GetChildren2Response],
  [13, 'check', R.CheckVersionRequest, empty],
  [14, 'multi', MultiRequest, MultiResponse],
  [15, 'create2', R.CreateRequest, R.Create2Response],
  [16, 'reconfig', R.ReconfigRequest, R.GetDataResponse],
  [17, 'checkWatches', R.CheckWatchesRequest, empty],
  [18, 'removeWatches', R.RemoveWatchesRequest, empty],
  [19, 'createContainer', R.CreateRequest, R.Create2Response],
  [20, 'deleteContainer', R.DeleteContainerRequest, empty],
  [21, 'createTTL', R.CreateTTLRequest, R.Create2Response],
  [22, 'multiRead', MultiRequest, MultiResponse],
  [100, 'auth', R.AuthPacket, empty],
  [101, 'setWatches', R.SetWatches, empty],
  [102, 'sasl', R.GetSASLRequest, R.SetSASLResponse],
  [103, 'getEphemerals', R.GetEphemeralsRequest, R.GetEphemeralsResponse],
  [104, 'getAllChildrenNumber', R.GetAllChildrenNumberRequest, R.GetAllChildrenNumberResponse],
  [105, 'setWatches2', R.SetWatches2, empty],
  [106, 'addWatch', R.AddWatchRequest, R.ErrorResponse],
  [107, 'whoAmI', empty, R.WhoAmIResponse],
  [-10, 'createSession', R.CreateSessionTxn, empty],
  [-11, 'closeSession', empty, empty],
];

/** Ops that become txns consuming a zxid (§3, §8.2): creates, deletes, setData, setACL, check, multi, reconfig. */
const WRITES = [1, 2, 5, 7, 13, 14, 15, 16, 19, 20, 21];

describe('op table', () => {
  it('holds exactly the op codes of ZooKeeper 3.9 that requests can carry', () => {
    const codes = allOps().map((s) => s.code).sort((a, b) => a - b);
    const expected = [-11, -10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
      100, 101, 102, 103, 104, 105, 106, 107];
    expect(codes).toEqual(expected);
  });

  it.each(TABLE)('%i %s: request and response records per §3', (code, name, request, response) => {
    const spec = opSpec(code);
    expect(spec).toBeDefined();
    expect(spec!.code).toBe(code);
    expect(spec!.name).toBe(name);
    expect(spec!.request).toBe(request);
    expect(spec!.response).toBe(response);
    expect((OpCode as Record<string, number>)[name]).toBe(code);
  });

  it.each([0, 10, -1, 23, 99, 108, -2, -12, 0x7fffffff])('%i is not a request op code', (code) => {
    expect(opSpec(code)).toBeUndefined();
    expect(isWriteOp(code)).toBe(false);
  });

  it('OpCode constants include notification 0 and error -1, which are not requests', () => {
    expect(OpCode.notification).toBe(0);
    expect(OpCode.error).toBe(-1);
    expect(Object.keys(OpCode)).toHaveLength(TABLE.length + 2);
  });

  it('codes and names are unique', () => {
    const ops = allOps();
    expect(new Set(ops.map((s) => s.code)).size).toBe(ops.length);
    expect(new Set(ops.map((s) => s.name)).size).toBe(ops.length);
  });

  it('kinds: writes, session ops, control ops and reads', () => {
    const kindOf = (c: number): OpKind => opSpec(c)!.kind;
    for (const c of WRITES) {
      expect(kindOf(c), `op ${c}`).toBe('write');
      expect(isWriteOp(c)).toBe(true);
    }
    expect(kindOf(-10)).toBe('session');
    expect(kindOf(-11)).toBe('session');
    for (const c of [11, 100, 102]) expect(kindOf(c), `op ${c}`).toBe('control');
    const others = allOps().filter((s) => !WRITES.includes(s.code) && ![-10, -11, 11, 100, 102].includes(s.code));
    for (const s of others) {
      expect(s.kind, s.name).toBe('read');
      expect(isWriteOp(s.code)).toBe(false);
    }
    // multiRead is the read-only twin of multi
    expect(kindOf(22)).toBe('read');
  });

  it('every op has a short lop code for cons output', () => {
    for (const s of allOps()) expect(s.lop).toMatch(/^[A-Z0-9]{4,6}$/);
  });
});

describe('reserved xids (§2.1)', () => {
  it('are -1 notification, -2 ping, -4 auth, -8 setWatches', () => {
    expect(Xid).toEqual({ WATCHER_EVENT: -1, PING: -2, AUTH: -4, SET_WATCHES: -8 });
  });
});

describe('protocol/index.ts', () => {
  it('re-exports the public pieces', () => {
    for (const name of ['JuteReader', 'JuteWriter', 'JuteDecodeError', 'record', 'Stat', 'MultiRequest',
      'UnknownMultiOpError', 'OpCode', 'opSpec', 'Xid', 'errorFromCode', 'KeeperError', 'Code', 'CreateMode',
      'decodeConnectRequest', 'FrameDecoder', 'FrameTooLargeError', 'isValidPath', 'makeZxid', 'toHexString']) {
      expect(P, name).toHaveProperty(name);
    }
  });
});
