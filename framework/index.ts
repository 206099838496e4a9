// zabkit/framework: the ZooKeeper client (framework/client) and the Curator-style framework on top
// of it — ZooKeeperFramework, retry policies, the connection-state stream, the tsyringe module and
// the caches (NodeCache, PathChildrenCache, TreeCache).
// Re-exports the protocol vocabulary applications need with it (modes, event types, states, ACL
// constants, the typed KeeperErrors).
export * from './client/index.js';
export { ZooKeeperFramework, type FrameworkWatchOption, type WatchedReadOptions, type GetDataOptions } from './framework.js';
export {
  type FrameworkOptions, type ClientTuning, DEFAULT_FRAMEWORK_SESSION_TIMEOUT_MS, DEFAULT_CONNECTION_TIMEOUT_MS,
} from './core/options.js';
export { type FrameworkLifecycle } from './core/framework-core.js';
export { type AclProvider, DefaultAclProvider, PathAclProvider } from './core/acl-provider.js';
export { type CompressionProvider, GzipCompressionProvider } from './core/compression.js';
export { type CreateOptions as FrameworkCreateOptions } from './ops/create.js';
export { type DeleteOptions } from './ops/delete.js';
export { type SetDataOptions } from './ops/set-data.js';
export {
  Transaction, TransactionOp, type TransactionCreateOptions, type TransactionResult, type CreateResult, type DeleteResult,
  type SetDataResult, type CheckResult, type ResultOf, type ResultsOf,
} from './ops/transaction.js';
export { type PersistentWatchOptions } from './ops/watchers.js';
export {
  PROTECTED_PREFIX, isProtectedName, normalizeProtectedName, normalizeProtectedPath, protectedIdOf, protectedPrefix,
} from './ops/protection.js';
export * from './retry/index.js';
export * from './state/index.js';
export * from './di/index.js';
export * from './cache/index.js';
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
