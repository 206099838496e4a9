// Retry policies and the retry loop (Curator's org.apache.curator.retry and RetryLoop).
export { type RetryPolicy, isRetryableError, policyAllowsRetryOn, RETRYABLE_CODES } from './retry-policy.js';
export { SleepingRetry } from './sleeping-retry.js';
export { ExponentialBackoffRetry, MAX_RETRIES_LIMIT, DEFAULT_MAX_SLEEP_MS, type ExponentialBackoffRetryOptions } from './exponential-backoff-retry.js';
export { BoundedExponentialBackoffRetry, type BoundedExponentialBackoffRetryOptions } from './bounded-exponential-backoff-retry.js';
export { RetryNTimes, type RetryNTimesOptions } from './retry-n-times.js';
export { RetryOneTime, type RetryOneTimeOptions } from './retry-one-time.js';
export { RetryUntilElapsed, type RetryUntilElapsedOptions } from './retry-until-elapsed.js';
export { RetryForever, type RetryForeverOptions } from './retry-forever.js';
export { SessionFailedRetryPolicy } from './session-failed-retry-policy.js';
export { callWithRetry, type RetryLoopOptions } from './retry-loop.js';
export { type Sleeper, clockSleeper } from './sleeper.js';
