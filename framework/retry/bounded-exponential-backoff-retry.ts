// ExponentialBackoffRetry whose pauses never exceed maxSleepTimeMs.
// Counterpart: org.apache.curator.retry.BoundedExponentialBackoffRetry.

import { checkInteger } from './retry-policy.js';
import { ExponentialBackoffRetry } from './exponential-backoff-retry.js';

export interface BoundedExponentialBackoffRetryOptions {
  baseSleepTimeMs: number;
  /** Upper bound of any single pause. */
  maxSleepTimeMs: number;
  /** Retries allowed (at most 29). */
  maxRetries: number;
  random?: () => number;
}

export class BoundedExponentialBackoffRetry extends ExponentialBackoffRetry {
  readonly maxSleepTimeMs: number;

  constructor(options: BoundedExponentialBackoffRetryOptions) {
    super({ baseSleepTimeMs: options.baseSleepTimeMs, maxRetries: options.maxRetries, ...(options.random ? { random: options.random } : {}) });
    checkInteger('maxSleepTimeMs', options.maxSleepTimeMs, 0);
    this.maxSleepTimeMs = options.maxSleepTimeMs;
  }

  protected override sleepTimeMs(retryCount: number): number {
    return Math.min(this.maxSleepTimeMs, super.sleepTimeMs(retryCount));
  }
}
