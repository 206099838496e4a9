// Retries without end, pausing retryIntervalMs between attempts (stopped only by a non-retryable
// error or by closing the framework). Counterpart: org.apache.curator.retry.RetryForever.

import { checkInteger, type RetryPolicy } from './retry-policy.js';

export interface RetryForeverOptions {
  /** The pause between attempts; must be > 0. */
  retryIntervalMs: number;
}

export class RetryForever implements RetryPolicy {
  readonly retryIntervalMs: number;

  constructor(options: RetryForeverOptions) {
    checkInteger('retryIntervalMs', options.retryIntervalMs, 1);
    this.retryIntervalMs = options.retryIntervalMs;
  }

  allowRetry(_retryCount: number, _elapsedTimeMs: number): number {
    return this.retryIntervalMs;
  }
}
