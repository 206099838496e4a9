// Retries once, after a pause. Counterpart: org.apache.curator.retry.RetryOneTime.

import { RetryNTimes } from './retry-n-times.js';

export interface RetryOneTimeOptions {
  sleepMsBetweenRetry: number;
}

export class RetryOneTime extends RetryNTimes {
  constructor(options: RetryOneTimeOptions) {
    super({ n: 1, sleepMsBetweenRetries: options.sleepMsBetweenRetry });
  }
}
