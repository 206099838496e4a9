// The one op-code table: name, request and response records, and whether the op reads, writes
// or manages a session. Client encoder, server decoder and the read/write split all use it.
// Counterpart: ZooDefs.OpCode, Request.isValid / isQuorum, FinalRequestProcessor's lastOp codes.

import { empty, type Codec } from './jute/schema.js';
import * as R from './records.js';
import { MultiRequest, MultiResponse } from './multi.js';

export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;
export type OpCode = (typeof OpCode)[keyof typeof OpCode];

/** Reserved xids. */
export const Xid = {
  WATCHER_EVENT: -1,
  PING: -2,
  AUTH: -4,
  SET_WATCHES: -8,
} as const;

export type OpKind = 'read' | 'write' | 'session' | 'control';

export interface OpSpec {
  readonly code: number;
  readonly name: string;
  readonly request: Codec<any>;
  readonly response: Codec<any>;
  readonly kind: OpKind;
  /** The short code `cons` prints as `lop` (FinalRequestProcessor). */
  readonly lop: string;
}

function op(code: number, name: string, kind: OpKind, lop: string, request: Codec<any>, response: Codec<any>): OpSpec {
  return { code, name, kind, lop, request, response };
}

const TABLE: OpSpec[] = [
  op(1, 'create', 'write', 'CREA', R.CreateRequest, R.CreateResponse),
  op(2, 'delete', 'write', 'DELE', R.DeleteRequest, empty),
  op(3, 'exists', 'read', 'EXIS', R.ExistsRequest, R.ExistsResponse),
  op(4, 'getData', 'read', 'GETD', R.GetDataRequest, R.GetDataResponse),
  op(5, 'setData', 'write', 'SETD', R.SetDataRequest, R.SetDataResponse),
  op(6, 'getACL', 'read', 'GETA', R.GetACLRequest, R.GetACLResponse),
  op(7, 'setACL', 'write', 'SETA', R.SetACLRequest, R.SetACLResponse),
  op(8, 'getChildren', 'read', 'GETC', R.GetChildrenRequest, R.GetChildrenResponse),
  op(9, 'sync', 'read', 'SYNC', R.SyncRequest, R.SyncResponse),
  op(11, 'ping', 'control', 'PING', empty, empty),
  op(12, 'getChildren2', 'read', 'GETC', R.GetChildren2Request, R.GetChildren2Response),
  op(13, 'check', 'write', 'CHEC', R.CheckVersionRequest, empty),
  op(14, 'multi', 'write', 'MULT', MultiRequest, MultiResponse),
  op(15, 'create2', 'write', 'CREA', R.CreateRequest, R.Create2Response),
  op(16, 'reconfig', 'write', 'RECO', R.ReconfigRequest, R.GetDataResponse),
  op(17, 'checkWatches', 'read', 'CHKW', R.CheckWatchesRequest, empty),
  op(18, 'removeWatches', 'read', 'REMW', R.RemoveWatchesRequest, empty),
  op(19, 'createContainer', 'write', 'CREA', R.CreateRequest, R.Create2Response),
  op(20, 'deleteContainer', 'write', 'DELE', R.DeleteContainerRequest, empty),
  op(21, 'createTTL', 'write', 'CREA', R.CreateTTLRequest, R.Create2Response),
  op(22, 'multiRead', 'read', 'MLTR', MultiRequest, MultiResponse),
  op(100, 'auth', 'control', 'AUTH', R.AuthPacket, empty),
  op(101, 'setWatches', 'read', 'SETW', R.SetWatches, empty),
  op(102, 'sasl', 'control', 'SASL', R.GetSASLRequest, R.SetSASLResponse),
  op(103, 'getEphemerals', 'read', 'GETE', R.GetEphemeralsRequest, R.GetEphemeralsResponse),
  op(104, 'getAllChildrenNumber', 'read', 'GETACN', R.GetAllChildrenNumberRequest, R.GetAllChildrenNumberResponse),
  op(105, 'setWatches2', 'read', 'STW2', R.SetWatches2, empty),
  op(106, 'addWatch', 'read', 'ADDW', R.AddWatchRequest, R.ErrorResponse),
  op(107, 'whoAmI', 'read', 'HOMI', empty, R.WhoAmIResponse),
  op(-10, 'createSession', 'session', 'SESS', R.CreateSessionTxn, empty),
  op(-11, 'closeSession', 'session', 'CLOS', empty, empty),
];

const BY_CODE = new Map<number, OpSpec>(TABLE.map((s) => [s.code, s]));

export function opSpec(code: number): OpSpec | undefined {
  return BY_CODE.get(code);
}

export function allOps(): readonly OpSpec[] {
  return TABLE;
}

/** Op codes whose request changes the tree and so becomes a txn with its own zxid. */
export function isWriteOp(code: number): boolean {
  return BY_CODE.get(code)?.kind === 'write';
}
