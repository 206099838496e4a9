// The shared shape of the counting policies: retry while fewer than `n` retries were made, pausing
// for what the subclass says. Counterpart: org.apache.curator.retry.SleepingRetry.

import { checkInteger, type RetryPolicy } from './retry-policy.js';

export abstract class SleepingRetry implements RetryPolicy {
  /** The number of retries allowed. */
  readonly n: number;

  protected constructor(n: number) {
    checkInteger('the number of retries', n, 0);
    this.n = n;
  }

  allowRetry(retryCount: number, elapsedTimeMs: number): number | false {
    return retryCount < this.n ? this.sleepTimeMs(retryCount, elapsedTimeMs) : false;
  }

  /** The pause before retry `retryCount + 1`. */
  protected abstract sleepTimeMs(retryCount: number, elapsedTimeMs: number): number;
}
