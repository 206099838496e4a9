// Wraps another policy and makes session expiry final: everything else is decided by the wrapped
// policy. For code that must not silently continue on a new session (the ephemerals and watches of
// the old one are gone). Counterpart: org.apache.curator.SessionFailedRetryPolicy.

import { SessionExpiredError } from '../../protocol/index.js';
import { policyAllowsRetryOn, type RetryPolicy } from './retry-policy.js';

export class SessionFailedRetryPolicy implements RetryPolicy {
  constructor(readonly delegate: RetryPolicy) {}

  allowRetry(retryCount: number, elapsedTimeMs: number): number | false {
    return this.delegate.allowRetry(retryCount, elapsedTimeMs);
  }

  allowRetryOn(error: unknown): boolean {
    if (error instanceof SessionExpiredError) return false;
    return policyAllowsRetryOn(this.delegate, error);
  }
}
