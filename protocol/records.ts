// Every client-facing and txn record of zookeeper.jute, transcribed in field order.
// Quorum-peer records (QuorumPacket, LearnerInfo) live with the Zab code in server/.
// Counterpart: zookeeper-jute/src/main/resources/zookeeper.jute (modules data, proto, txn).

import {
  bool, buffer, int, long, nullableUstring, record, ustring, ustringNullAsEmpty, vector,
  type Infer,
} from './jute/schema.js';

// ---- module org.apache.zookeeper.data ----
/** A null scheme or id (kazoo sends "" as null) reads as ""; fixupACL then judges it. */
export const Id = record({ scheme: ustringNullAsEmpty, id: ustringNullAsEmpty });
export type Id = Infer<typeof Id>;

export const ACL = record({ perms: int, id: Id });
export type ACL = Infer<typeof ACL>;
export const ACLList = vector(ACL);

export const Stat = record({
  czxid: long, mzxid: long, ctime: long, mtime: long,
  version: int, cversion: int, aversion: int,
  ephemeralOwner: long, dataLength: int, numChildren: int, pzxid: long,
});
export type Stat = Infer<typeof Stat>;

export const StatPersisted = record({
  czxid: long, mzxid: long, ctime: long, mtime: long,
  version: int, cversion: int, aversion: int,
  ephemeralOwner: long, pzxid: long,
});
export type StatPersisted = Infer<typeof StatPersisted>;

export const ClientInfo = record({ authScheme: ustring, user: ustring });
export type ClientInfo = Infer<typeof ClientInfo>;

// ---- module org.apache.zookeeper.proto: headers ----
export const RequestHeader = record({ xid: int, type: int });
export type RequestHeader = Infer<typeof RequestHeader>;

export const ReplyHeader = record({ xid: int, zxid: long, err: int });
export type ReplyHeader = Infer<typeof ReplyHeader>;

export const MultiHeader = record({ type: int, done: bool, err: int });
export type MultiHeader = Infer<typeof MultiHeader>;

export const AuthPacket = record({ type: int, scheme: ustring, auth: buffer });
export type AuthPacket = Infer<typeof AuthPacket>;

export const WatcherEvent = record({ type: int, state: int, path: ustring });
export type WatcherEvent = Infer<typeof WatcherEvent>;

export const ErrorResponse = record({ err: int });

// ---- requests ----
const pathOnly = () => record({ path: ustring });
const pathAndWatch = () => record({ path: ustring, watch: bool });

export const CreateRequest = record({ path: ustring, data: buffer, acl: ACLList, flags: int });
export type CreateRequest = Infer<typeof CreateRequest>;
export const CreateTTLRequest = record({ path: ustring, data: buffer, acl: ACLList, flags: int, ttl: long });
export type CreateTTLRequest = Infer<typeof CreateTTLRequest>;
export const DeleteRequest = record({ path: ustring, version: int });
export type DeleteRequest = Infer<typeof DeleteRequest>;
/** Java declares its path as a buffer; the bytes are identical to a ustring. */
export const DeleteContainerRequest = pathOnly();
export const ExistsRequest = pathAndWatch();
export const GetDataRequest = pathAndWatch();
export const GetChildrenRequest = pathAndWatch();
export const GetChildren2Request = pathAndWatch();
export type PathWatchRequest = Infer<typeof GetDataRequest>;
export const SetDataRequest = record({ path: ustring, data: buffer, version: int });
export type SetDataRequest = Infer<typeof SetDataRequest>;
export const GetACLRequest = pathOnly();
export const SetACLRequest = record({ path: ustring, acl: ACLList, version: int });
export type SetACLRequest = Infer<typeof SetACLRequest>;
export const SyncRequest = pathOnly();
export const CheckVersionRequest = record({ path: ustring, version: int });
export type CheckVersionRequest = Infer<typeof CheckVersionRequest>;
export const GetAllChildrenNumberRequest = pathOnly();
export const ReconfigRequest = record({
  joiningServers: nullableUstring, leavingServers: nullableUstring, newMembers: nullableUstring, curConfigId: long,
});
export const CheckWatchesRequest = record({ path: ustring, type: int });
export const RemoveWatchesRequest = record({ path: ustring, type: int });
export type WatchesRequest = Infer<typeof CheckWatchesRequest>;
export const AddWatchRequest = record({ path: ustring, mode: int });
export type AddWatchRequest = Infer<typeof AddWatchRequest>;
export const GetEphemeralsRequest = record({ prefixPath: nullableUstring });
export const GetSASLRequest = record({ token: buffer });
export const SetSASLRequest = record({ token: buffer });
export const GetMaxChildrenRequest = pathOnly();
export const SetMaxChildrenRequest = record({ path: ustring, max: int });

const pathList = vector(ustring);
export const SetWatches = record({
  relativeZxid: long, dataWatches: pathList, existWatches: pathList, childWatches: pathList,
});
export type SetWatches = Infer<typeof SetWatches>;
export const SetWatches2 = record({
  relativeZxid: long, dataWatches: pathList, existWatches: pathList, childWatches: pathList,
  persistentWatches: pathList, persistentRecursiveWatches: pathList,
});
export type SetWatches2 = Infer<typeof SetWatches2>;

// ---- responses ----
export const CreateResponse = record({ path: ustring });
export const Create2Response = record({ path: ustring, stat: Stat });
export const ExistsResponse = record({ stat: Stat });
export const SetDataResponse = record({ stat: Stat });
export const SetACLResponse = record({ stat: Stat });
export const GetDataResponse = record({ data: buffer, stat: Stat });
export const GetChildrenResponse = record({ children: pathList });
export const GetChildren2Response = record({ children: pathList, stat: Stat });
export const GetACLResponse = record({ acl: ACLList, stat: Stat });
export const SyncResponse = record({ path: ustring });
export const GetAllChildrenNumberResponse = record({ totalNumber: int });
export const GetEphemeralsResponse = record({ ephemerals: pathList });
export const WhoAmIResponse = record({ clientInfo: vector(ClientInfo) });
export const SetSASLResponse = record({ token: buffer });
export const GetMaxChildrenResponse = record({ max: int });

// ---- module org.apache.zookeeper.txn ----
export const TxnHeader = record({ clientId: long, cxid: int, zxid: long, time: long, type: int });
export type TxnHeader = Infer<typeof TxnHeader>;
export const TxnDigest = record({ version: int, treeDigest: long });
export const CreateTxnV0 = record({ path: ustring, data: buffer, acl: ACLList, ephemeral: bool });
export const CreateTxn = record({ path: ustring, data: buffer, acl: ACLList, ephemeral: bool, parentCVersion: int });
export type CreateTxn = Infer<typeof CreateTxn>;
export const CreateTTLTxn = record({ path: ustring, data: buffer, acl: ACLList, parentCVersion: int, ttl: long });
export type CreateTTLTxn = Infer<typeof CreateTTLTxn>;
export const CreateContainerTxn = record({ path: ustring, data: buffer, acl: ACLList, parentCVersion: int });
export type CreateContainerTxn = Infer<typeof CreateContainerTxn>;
export const DeleteTxn = record({ path: ustring });
export const SetDataTxn = record({ path: ustring, data: buffer, version: int });
export type SetDataTxn = Infer<typeof SetDataTxn>;
export const CheckVersionTxn = record({ path: ustring, version: int });
export const SetACLTxn = record({ path: ustring, acl: ACLList, version: int });
export type SetACLTxn = Infer<typeof SetACLTxn>;
export const SetMaxChildrenTxn = record({ path: ustring, max: int });
export const CreateSessionTxn = record({ timeOut: int });
export const CloseSessionTxn = record({ paths2Delete: pathList });
export const ErrorTxn = record({ err: int });
export const Txn = record({ type: int, data: buffer });
export const MultiTxn = record({ txns: vector(Txn) });
