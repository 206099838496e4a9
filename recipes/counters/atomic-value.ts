// What an atomic counter operation reports: whether it took effect, the value before and after,
// and how hard it had to try (optimistic CAS rounds, then rounds under the promotion lock).
// Counterpart: Curator's AtomicValue, AtomicStats, PromotedToLock (org.apache.curator.framework.recipes.atomic).

import type { RetryPolicy } from '../../framework/index.js';

export interface AtomicStats {
  /** Compare-and-set rounds made without the lock. */
  readonly optimisticTries: number;
  /** Rounds made while holding the promotion lock. */
  readonly promotedLockTries: number;
  readonly optimisticTimeMs: number;
  readonly promotedTimeMs: number;
}

export interface AtomicValue<T> {
  /**
   * Whether the operation took effect. False means nothing was written: the retry policy (and
   * the promotion, if any) gave up, or a compareAndSet found another value.
   */
  readonly succeeded: boolean;
  /** The value the operation started from (for a failed one: the last value it saw). */
  readonly preValue: T;
  /** The value written (for a failed operation: null for bytes, 0 for numbers — as in Curator; check `succeeded`). */
  readonly postValue: T;
  readonly stats: AtomicStats;
}

/**
 * When the optimistic rounds give up, take an InterProcessMutex on `lockPath` and try again
 * while holding it (so promoted writers no longer collide with each other).
 */
export interface PromotedToLock {
  /** The mutex's path (Curator's lock layout, so Java DistributedAtomicLongs promoted on the same path share it). */
  readonly lockPath: string;
  /** How long to wait for the mutex; undefined: as long as it takes. */
  readonly timeoutMs?: number;
  /** Rounds under the lock. Default: one round (Curator's RetryNTimes(0, 0)). */
  readonly retryPolicy?: RetryPolicy;
}

/** Mutable stats while an operation runs. */
export class StatsRecorder implements AtomicStats {
  optimisticTries = 0;
  promotedLockTries = 0;
  optimisticTimeMs = 0;
  promotedTimeMs = 0;

  snapshot(): AtomicStats {
    return {
      optimisticTries: this.optimisticTries,
      promotedLockTries: this.promotedLockTries,
      optimisticTimeMs: this.optimisticTimeMs,
      promotedTimeMs: this.promotedTimeMs,
    };
  }
}
