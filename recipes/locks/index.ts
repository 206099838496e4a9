// recipes/locks: Curator's lock recipes with Curator's node layouts — InterProcessMutex
// (re-entrant per async context), InterProcessReadWriteLock, InterProcessSemaphoreV2 (fixed or
// shared-count maxLeases), InterProcessSemaphoreMutex, InterProcessMultiLock and cooperative
// revocation — each lease with a fencing token and loss signals. See docs/recipes/locks.md.
export { type AcquireOptions, type LockHandle, type LockLease, type InterProcessLock } from './lock.js';
export { InterProcessMutex, LOCK_NAME, type InterProcessMutexOptions, type MutexInternalsOptions } from './interprocess-mutex.js';
export { MutexLease } from './mutex-lease.js';
export {
  InterProcessReadWriteLock, ReadLock, WriteLock, READ_LOCK_NAME, WRITE_LOCK_NAME, type InterProcessReadWriteLockOptions,
} from './read-write-lock.js';
export {
  InterProcessSemaphoreV2, SEMAPHORE_LOCK_PARENT, SEMAPHORE_LEASE_PARENT, LEASE_BASE_NAME, type InterProcessSemaphoreV2Options,
} from './semaphore-v2.js';
export { SemaphoreLease } from './semaphore-lease.js';
export { type SharedCountReader } from './shared-count-reader.js';
export { InterProcessSemaphoreMutex, SemaphoreMutexLease, type InterProcessSemaphoreMutexOptions } from './semaphore-mutex.js';
export { InterProcessMultiLock, MultiLockLease } from './multi-lock.js';
export { Revoker, type Revocable, type RevocationListener } from './revocable.js';
export {
  LockInternals, StandardLockInternalsDriver, HeldNode, REVOKE_MESSAGE,
  type LockInternalsDriver, type LockInternalsSorter, type PredicateResults, type LockInternalsOptions, type AttemptLockOptions,
} from '../internal/index.js';
export {
  RecipeError, LockTimeoutError, LockLostError, LockUpgradeError, LockNotReentrantError, LeaseReleasedError, type LostReason,
} from '../errors.js';
