// Retries with a fixed pause for as long as less than maxElapsedTimeMs has passed since the first
// attempt. Counterpart: org.apache.curator.retry.RetryUntilElapsed (which sleeps once more before
// noticing the time is up; here the policy gives up without that last pause).

import { checkInteger } from './retry-policy.js';
import { SleepingRetry } from './sleeping-retry.js';

export interface RetryUntilElapsedOptions {
  maxElapsedTimeMs: number;
  sleepMsBetweenRetries: number;
}

export class RetryUntilElapsed extends SleepingRetry {
  readonly maxElapsedTimeMs: number;
  readonly sleepMsBetweenRetries: number;

  constructor(options: RetryUntilElapsedOptions) {
    super(2 ** 31 - 1);
    checkInteger('maxElapsedTimeMs', options.maxElapsedTimeMs, 0);
    checkInteger('sleepMsBetweenRetries', options.sleepMsBetweenRetries, 0);
    this.maxElapsedTimeMs = options.maxElapsedTimeMs;
    this.sleepMsBetweenRetries = options.sleepMsBetweenRetries;
  }

  override allowRetry(retryCount: number, elapsedTimeMs: number): number | false {
    if (elapsedTimeMs >= this.maxElapsedTimeMs) return false;
    return super.allowRetry(retryCount, elapsedTimeMs);
  }

  protected sleepTimeMs(): number {
    return this.sleepMsBetweenRetries;
  }
}
