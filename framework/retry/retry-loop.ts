// Runs an operation until it succeeds, fails with an error the policy will not retry, or the
// policy gives up (then the last error is rethrown, as Curator does). Time and sleep are injected.
// Counterpart: org.apache.curator.RetryLoop.callWithRetry / RetryLoopImpl.takeException.

import { systemClock } from '../client/clock.js';
import { policyAllowsRetryOn, type RetryPolicy } from './retry-policy.js';
import { clockSleeper, type Sleeper } from './sleeper.js';

export interface RetryLoopOptions {
  readonly retryPolicy: RetryPolicy;
  /** Source of "now" for elapsed time. Default: the system clock. */
  readonly clock?: { now(): number };
  /** How to pause between attempts. Default: system timers. */
  readonly sleep?: Sleeper;
  /** Aborting stops the loop: a pending pause ends and the abort reason is thrown. */
  readonly signal?: AbortSignal;
  /** Told about every retry about to happen (after the decision, before the pause). */
  readonly onRetry?: (error: unknown, retryCount: number, sleepMs: number) => void;
}

const defaultSleeper = clockSleeper(systemClock);

/** Calls `operation(attempt)` (attempt 0, 1, ...) under the retry policy and resolves with its first success. */
export async function callWithRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryLoopOptions): Promise<T> {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? defaultSleeper;
  const start = clock.now();
  for (let retryCount = 0; ; retryCount++) {
    if (options.signal?.aborted) throw options.signal.reason;
    try {
      return await operation(retryCount);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (!policyAllowsRetryOn(options.retryPolicy, error)) throw error;
      const sleepMs = options.retryPolicy.allowRetry(retryCount, clock.now() - start);
      if (sleepMs === false) throw error;
      options.onRetry?.(error, retryCount, sleepMs);
      await sleep(sleepMs, options.signal);
    }
  }
}
