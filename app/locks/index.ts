// The app layer's locks: the backend-neutral LockRegistry contract, its errors, and the ZooKeeper and Redis backends.
export type { AcquireOptions, DistributedLock, HeldLock, LockKind, LockRegistry, ObtainOptions } from './lock-registry.js';
export {
  LockError,
  LockLostError,
  LockNotReentrantError,
  LockRegistryClosedError,
  LockTimeoutError,
  UnsupportedLockKindError,
  type LockLostReason,
} from './errors.js';
export * from './redis/index.js';
export * from './zookeeper/index.js';
