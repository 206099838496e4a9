// Typed errors of the LockRegistry: timeout, loss, unsupported kind, misuse. Backend failures
// (a Redis or ZooKeeper error) are passed through as they are, or as the `cause` of a loss.
// Counterparts: Curator's acquire(time) returning false; Spring's "lock was released in the
// store due to expiration" on unlock.
import type { LockKind } from './lock-registry.js';

export class LockError extends Error {
  override name = 'LockError';
  constructor(
    readonly key: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** acquire({ timeoutMs }) gave up: another holder kept the key for the whole wait. */
export class LockTimeoutError extends LockError {
  override name = 'LockTimeoutError';
  constructor(
    key: string,
    readonly timeoutMs: number,
  ) {
    super(key, `could not acquire lock '${key}' within ${timeoutMs} ms`);
  }
}

/**
 * Why a held lock was lost.
 * - `expired`: the backend no longer has this holder's record (TTL ran out, key deleted, server
 *   restarted without it; ZooKeeper: session expired or lock node deleted).
 * - `taken`: another holder's record is where this holder's was.
 * - `unconfirmed`: the holder could not confirm the lock before its lease ran out (backend
 *   unreachable, slow or paused); the record may or may not still exist.
 */
export type LockLostReason = 'expired' | 'taken' | 'unconfirmed';

const LOST_MESSAGES: Record<LockLostReason, string> = {
  expired: 'its record is gone from the backend',
  taken: 'another holder owns it now',
  unconfirmed: 'it could not be confirmed before its lease ran out',
};

/** The lock was lost while held: emitted on lost$, the reason of lostSignal, and release()'s rejection. */
export class LockLostError extends LockError {
  override name = 'LockLostError';
  constructor(
    key: string,
    readonly reason: LockLostReason,
    options?: { cause?: unknown },
  ) {
    super(key, `lock '${key}' was lost: ${LOST_MESSAGES[reason]}`, options);
  }
}

/** obtain() asked a backend for a kind it does not provide (e.g. Redis: read / write). */
export class UnsupportedLockKindError extends LockError {
  override name = 'UnsupportedLockKindError';
  constructor(
    key: string,
    readonly kind: LockKind,
    readonly backend: string,
  ) {
    super(key, `the ${backend} lock registry does not provide '${kind}' locks (asked for '${key}')`);
  }
}

/** acquire() on a contender that already holds or is acquiring its key: contenders are not re-entrant. */
export class LockNotReentrantError extends LockError {
  override name = 'LockNotReentrantError';
  constructor(key: string) {
    super(key, `this contender already holds or is acquiring '${key}'; locks are not re-entrant — obtain() another contender`);
  }
}

/** obtain() or acquire() after the registry was closed. */
export class LockRegistryClosedError extends LockError {
  override name = 'LockRegistryClosedError';
  constructor(key: string, backend: string) {
    super(key, `the ${backend} lock registry is closed (asked for '${key}')`);
  }
}
