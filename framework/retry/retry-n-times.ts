// Retries n times with the same pause between attempts. Counterpart: org.apache.curator.retry.RetryNTimes.

import { checkInteger } from './retry-policy.js';
import { SleepingRetry } from './sleeping-retry.js';

export interface RetryNTimesOptions {
  /** Retries allowed. */
  n: number;
  sleepMsBetweenRetries: number;
}

export class RetryNTimes extends SleepingRetry {
  readonly sleepMsBetweenRetries: number;

  constructor(options: RetryNTimesOptions) {
    super(options.n);
    checkInteger('sleepMsBetweenRetries', options.sleepMsBetweenRetries, 0);
    this.sleepMsBetweenRetries = options.sleepMsBetweenRetries;
  }

  protected sleepTimeMs(): number {
    return this.sleepMsBetweenRetries;
  }
}
