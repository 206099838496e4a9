// Retries up to maxRetries times with a random, exponentially growing pause:
// baseSleepTimeMs * max(1, randomInt(2^(retryCount+1))), capped at maxSleepMs. maxRetries above 29
// is pinned to 29 (2^30 would overflow Java's int, and Curator keeps the limit).
// Counterpart: org.apache.curator.retry.ExponentialBackoffRetry.

import { checkInteger } from './retry-policy.js';
import { SleepingRetry } from './sleeping-retry.js';

export const MAX_RETRIES_LIMIT = 29;
/** Curator's default maxSleepMs: Integer.MAX_VALUE. */
export const DEFAULT_MAX_SLEEP_MS = 2 ** 31 - 1;

export interface ExponentialBackoffRetryOptions {
  /** The base pause; retry k sleeps baseSleepTimeMs times a random factor in [1, 2^(k+1)). */
  baseSleepTimeMs: number;
  /** Retries allowed (at most 29; larger values are pinned to 29). */
  maxRetries: number;
  /** Upper bound of any single pause. Default 2^31-1. */
  maxSleepMs?: number;
  /** Random source in [0, 1). Default Math.random (tests inject a seeded one). */
  random?: () => number;
}

export class ExponentialBackoffRetry extends SleepingRetry {
  readonly baseSleepTimeMs: number;
  readonly maxSleepMs: number;
  private readonly random: () => number;

  constructor(options: ExponentialBackoffRetryOptions) {
    checkInteger('maxRetries', options.maxRetries, 0);
    super(Math.min(options.maxRetries, MAX_RETRIES_LIMIT));
    checkInteger('baseSleepTimeMs', options.baseSleepTimeMs, 0);
    const maxSleepMs = options.maxSleepMs ?? DEFAULT_MAX_SLEEP_MS;
    checkInteger('maxSleepMs', maxSleepMs, 0);
    this.baseSleepTimeMs = options.baseSleepTimeMs;
    this.maxSleepMs = maxSleepMs;
    this.random = options.random ?? Math.random;
  }

  protected sleepTimeMs(retryCount: number): number {
    const bound = 2 ** (retryCount + 1);
    const factor = Math.max(1, Math.floor(this.random() * bound));
    return Math.min(this.baseSleepTimeMs * factor, this.maxSleepMs);
  }
}
