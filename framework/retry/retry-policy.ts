// What a retry policy decides and which failures are worth retrying at all.
// Counterpart: org.apache.curator.RetryPolicy (allowRetry(count, elapsed, sleeper) and
// allowRetry(Throwable)). Instead of sleeping through a RetrySleeper, a policy here returns the
// pause it wants; the retry loop sleeps with an injected Sleeper, so tests run in virtual time.

import { Code, KeeperError } from '../../protocol/index.js';

export interface RetryPolicy {
  /**
   * Called after a failed attempt. `retryCount` is the number of retries made so far (0 after the
   * first failure), `elapsedTimeMs` the time since the first attempt started. Returns the pause in
   * milliseconds before the next attempt, or `false` to give up (the last error is rethrown).
   */
  allowRetry(retryCount: number, elapsedTimeMs: number): number | false;
  /**
   * Whether this failure may be retried at all. Optional: when absent, `isRetryableError`
   * decides (connection loss, operation timeout, session moved, session expired).
   */
  allowRetryOn?(error: unknown): boolean;
}

/** The ZooKeeper codes Curator retries by default. */
export const RETRYABLE_CODES: ReadonlySet<number> = new Set<number>([
  Code.CONNECTIONLOSS,
  Code.OPERATIONTIMEOUT,
  Code.SESSIONMOVED,
  Code.SESSIONEXPIRED,
]);

/**
 * Curator's default answer to "retry this failure?": connection loss, operation timeout, session
 * moved and session expired (the framework opens a new session after an expiry, so the next
 * attempt runs on it). Everything else — NoNode, BadVersion, NoAuth, a closed framework — is final.
 */
export function isRetryableError(error: unknown): boolean {
  return error instanceof KeeperError && RETRYABLE_CODES.has(error.code);
}

/** `policy.allowRetryOn(error)` when the policy has one, else `isRetryableError(error)`. */
export function policyAllowsRetryOn(policy: RetryPolicy, error: unknown): boolean {
  return policy.allowRetryOn ? policy.allowRetryOn(error) : isRetryableError(error);
}

/** Throws a RangeError unless `value` is an integer >= `min`. */
export function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
}
