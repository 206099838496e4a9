// @WithLock(key, options): the method runs while this process holds a distributed lock taken
// through the LockRegistry of the instance's container. The key is a string or a function of the
// method's arguments; the lock is acquired before the call (LockTimeoutError after timeoutMs),
// released in `finally`, and the method sees it through currentLock() (fencing token, loss
// signal). Nested @WithLock calls on the same key in one async context re-enter the held lock.
// Counterpart: Spring Integration's LockRegistry used around a method; Curator's InterProcessMutex
// acquire / release by hand.

import type { InjectionToken } from 'tsyringe';
import { LockLostError, type LockKind, type LockRegistry } from '../locks/index.js';
import { LOCK_REGISTRY } from '../di/tokens.js';
import { memberName } from './class-plan.js';
import { scopeOf } from './coordinated.js';
import { heldInContext, lockContext, runInLock } from './lock-context.js';

export interface WithLockOptions {
  /** 'mutex' (default), 'read', 'write' or 'semaphore' (with `permits`). */
  readonly kind?: LockKind;
  /** Semaphore only: how many holders at once. */
  readonly permits?: number;
  /** Give up waiting with LockTimeoutError after this many ms (0: one attempt). Default: wait until acquired. */
  readonly timeoutMs?: number;
  /** The registry to use. Default LOCK_REGISTRY (what registerCoordination registered). */
  readonly registry?: InjectionToken<LockRegistry>;
}

/** A fixed key, or one computed from the method's arguments (called with the instance as `this`). */
export type LockKey<A extends any[]> = string | ((...args: A) => string);

function checkOptions(member: string, options: WithLockOptions): void {
  const { kind = 'mutex', permits, timeoutMs } = options;
  if (!['mutex', 'read', 'write', 'semaphore'].includes(kind)) throw new TypeError(`@WithLock on ${member}: unknown lock kind ${String(kind)}`);
  if (kind === 'semaphore' && !(Number.isSafeInteger(permits) && permits! > 0)) {
    throw new TypeError(`@WithLock on ${member}: a semaphore needs permits, a positive integer`);
  }
  if (kind !== 'semaphore' && permits !== undefined) throw new TypeError(`@WithLock on ${member}: permits is for semaphores only`);
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
    throw new TypeError(`@WithLock on ${member}: timeoutMs must be a number >= 0`);
  }
}

/**
 * Method decorator for async methods of a @Coordinated() class. The call acquires the lock,
 * runs the method, then releases the lock, whatever the method did. It rejects with:
 * LockTimeoutError when the lock stays taken for timeoutMs; the method's own error; or
 * LockLostError when the method finished but the lock was lost while it ran (its work may have
 * overlapped another holder's). A failure to release for another reason (the backend is
 * unreachable) does not fail the call: it is reported with process.emitWarning and the backend
 * frees the lock itself (ZooKeeper: the session; Redis: the TTL).
 */
export function WithLock<A extends any[] = any[]>(key: LockKey<A>, options: WithLockOptions = {}) {
  return <M extends (...args: [...A, ...any[]]) => Promise<any>>(target: object, name: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    const member = memberName(target, name);
    const method = descriptor.value as ((...args: any[]) => Promise<unknown>) | undefined;
    if (typeof method !== 'function') throw new TypeError(`@WithLock decorates methods; ${member} is not one`);
    const keyOf = typeof key === 'function' ? (key as (...args: any[]) => string) : undefined;
    if (typeof key !== 'string' && typeof key !== 'function') throw new TypeError(`@WithLock on ${member}: the key must be a string or a function`);
    checkOptions(member, options);
    const kind = options.kind ?? 'mutex';
    const token = options.registry ?? LOCK_REGISTRY;

    const locked = async function (this: object, ...args: any[]): Promise<unknown> {
      const lockKey: unknown = keyOf ? keyOf.apply(this, args) : key;
      if (typeof lockKey !== 'string' || lockKey.length === 0) {
        throw new TypeError(`@WithLock on ${member}: the key function must return a non-empty string, got ${String(lockKey)}`);
      }
      const registry = scopeOf(this, member).container.resolve<LockRegistry>(token);
      if (heldInContext(registry, lockKey, kind)) return method.apply(this, args);

      const contender = registry.obtain(lockKey, kind === 'semaphore' ? { kind, permits: options.permits } : { kind });
      const held = await contender.acquire(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
      let result: unknown;
      try {
        result = await runInLock(registry, lockContext(held), () => method.apply(this, args));
      } catch (error) {
        await held.release().catch(() => undefined); // the method's error is the one the caller needs
        throw error;
      }
      try {
        await held.release();
      } catch (error) {
        if (error instanceof LockLostError) throw error;
        process.emitWarning(`${member}: releasing lock '${lockKey}' failed: ${error instanceof Error ? error.message : String(error)}`, 'LockWarning');
      }
      return result;
    };
    Object.defineProperty(locked, 'name', { value: method.name });
    descriptor.value = locked as unknown as M;
  };
}
