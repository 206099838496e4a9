// The public face of framework/client: the ZooKeeper client and its types.
export { ZooKeeperClient, type WatchOption, type WatchOptions, type RemoveWatchesOptions } from './zookeeper-client.js';
export { type ClientOptions, DEFAULT_SESSION_TIMEOUT_MS } from './options.js';
export { type WatchedEvent, type Watcher, type SessionStateEvent } from './events.js';
export { Op, isMultiError, type OpResult, type MultiError, type WriteOp, type ReadOp, type CreateOptions, type Data } from './multi-ops.js';
export { ClientClosedError } from './errors.js';
export { parseConnectString, formatHostPort, DEFAULT_PORT, type ConnectString, type HostPort } from './connect-string.js';
export { type Clock, systemClock } from './clock.js';
export { type SessionPhase } from './session.js';
export { setWatchesBatches, SET_WATCHES_MAX_FRAME, type SetWatchesBatch, type WatchLists } from './set-watches.js';
