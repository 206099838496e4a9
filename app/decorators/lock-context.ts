// currentLock(): what a @WithLock method sees of the lock it runs under — key, kind, fencing
// token, loss signal — carried by AsyncLocalStorage, so the method's signature stays its own and
// any code it awaits can ask for the lock. Also how nested @WithLock calls on the same key
// re-enter instead of waiting for themselves.
// Counterpart: Curator's InterProcessMutex re-entrancy per thread; the lease a recipe hands back.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Observable } from 'rxjs';
import type { HeldLock, LockKind, LockLostError, LockRegistry } from '../locks/index.js';
import { NoCurrentLockError } from './errors.js';

export interface LockContext {
  readonly key: string;
  readonly kind: LockKind;
  /** Grows with every grant of the key (ZooKeeper: the lock node's czxid); undefined on Redis. Pass it to the resource you protect. */
  readonly fencingToken: bigint | undefined;
  /** Aborted, with the LockLostError as reason, if the lock is lost while the method runs: hand it to the work. */
  readonly signal: AbortSignal;
  /** Emits the LockLostError and completes on loss; completes on release. */
  readonly lost$: Observable<LockLostError>;
  /** True until the lock is released or lost. */
  readonly isHeld: boolean;
}

interface HeldEntry {
  readonly registry: LockRegistry;
  readonly context: LockContext;
}

const storage = new AsyncLocalStorage<readonly HeldEntry[]>();

export function lockContext(held: HeldLock): LockContext {
  return {
    key: held.key,
    kind: held.kind,
    fencingToken: held.fencingToken,
    signal: held.lostSignal,
    lost$: held.lost$,
    get isHeld() {
      return held.isHeld;
    },
  };
}

/** Runs `fn` with `context` (held through `registry`) added to the current async context's locks. */
export function runInLock<T>(registry: LockRegistry, context: LockContext, fn: () => T): T {
  return storage.run([...(storage.getStore() ?? []), { registry, context }], fn);
}

/** The lock this async context already holds for `key` and `kind` through `registry`, if still held. */
export function heldInContext(registry: LockRegistry, key: string, kind: LockKind): LockContext | undefined {
  const chain = storage.getStore() ?? [];
  return chain.find((e) => e.registry === registry && e.context.key === key && e.context.kind === kind && e.context.isHeld)?.context;
}

/**
 * The lock the current @WithLock method holds: the innermost one, or the one for `key`.
 * Throws NoCurrentLockError outside a @WithLock method.
 */
export function currentLock(key?: string): LockContext {
  const chain = storage.getStore() ?? [];
  for (let i = chain.length - 1; i >= 0; i--) {
    const { context } = chain[i]!;
    if (key === undefined || context.key === key) return context;
  }
  throw new NoCurrentLockError(key);
}
