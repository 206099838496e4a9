// zabkit/framework: the ZooKeeper client (framework/client) and, later, the Curator-style
// framework on top of it. Re-exports the protocol vocabulary applications need with it
// (modes, event types, states, ACL constants, the typed KeeperErrors).
export * from './client/index.js';
export {
  AddWatchMode, CreateMode, EventType, KeeperState, WatcherType, Perms, Ids,
  OPEN_ACL_UNSAFE, CREATOR_ALL_ACL, READ_ACL_UNSAFE,
  Code, KeeperError, errorFromCode, codeMessage,
  SystemError, RuntimeInconsistencyError, DataInconsistencyError, ConnectionLossError, MarshallingError,
  UnimplementedError, OperationTimeoutError, BadArgumentsError, UnknownSessionError, NewConfigNoQuorumError,
  ReconfigInProgressError, APIError, NoNodeError, NoAuthError, BadVersionError, NoChildrenForEphemeralsError,
  NodeExistsError, NotEmptyError, SessionExpiredError, InvalidCallbackError, InvalidACLError, AuthFailedError,
  SessionMovedError, NotReadOnlyError, EphemeralOnLocalSessionError, NoWatcherError, RequestTimeoutError,
  ReconfigDisabledError, SessionClosedRequireSaslAuthError, QuotaExceededError, ThrottledError,
  type ACL, type Id, type Stat, type ClientInfo,
} from '../protocol/index.js';
