// Who owns a lock in async code. Curator's locks belong to the Java thread that acquired them;
// the closest thing in Node is the logical async flow, so ownership travels with
// AsyncLocalStorage: `withLock(fn)` (or `lease.run(fn)`) runs fn — and everything it awaits or
// starts — as the owner of that hold. Inside, acquiring the same lock again re-enters it (a
// re-entrant lock) or is refused (a non-re-entrant one), and a write-lock owner may take the
// read lock. Outside any such scope every acquire() is a new owner: two acquire() calls compete
// like two threads would, even on one lock instance in one process.
// Counterpart: the Thread-keyed maps of Curator's InterProcessMutex (threadData, isOwnedByCurrentThread).

import { AsyncLocalStorage } from 'node:async_hooks';

/** What an owning scope records for one lock. */
export interface OwnerMark {
  /** False once the hold is fully released: a scope that outlives it no longer owns the lock. */
  readonly active: boolean;
}

const owners = new AsyncLocalStorage<ReadonlyMap<object, OwnerMark>>();

/** The mark the current async context holds for `lock`, if it is still active. */
export function ownedInContext<M extends OwnerMark>(lock: object): M | undefined {
  const mark = owners.getStore()?.get(lock);
  return mark !== undefined && mark.active ? (mark as M) : undefined;
}

/** Runs `fn` as the owner of `lock` (adding to whatever the current context owns). */
export function runAsOwner<T>(lock: object, mark: OwnerMark, fn: () => T): T {
  const owned = new Map(owners.getStore());
  owned.set(lock, mark);
  return owners.run(owned, fn);
}
