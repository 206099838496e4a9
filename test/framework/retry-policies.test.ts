// Retry policies and the retry loop, in virtual time: no test waits for a real pause.
import { describe, expect, it } from 'vitest';
import {
  BadVersionError, ConnectionLossError, NoNodeError, OperationTimeoutError, SessionExpiredError, SessionMovedError,
} from '../../protocol/index.js';
import {
  BoundedExponentialBackoffRetry, callWithRetry, ExponentialBackoffRetry, isRetryableError, MAX_RETRIES_LIMIT,
  RetryForever, RetryNTimes, RetryOneTime, RetryUntilElapsed, SessionFailedRetryPolicy, type RetryPolicy,
} from '../../framework/retry/index.js';
import { seededRandom } from '../support/prng.js';
import { VirtualClock } from './support/virtual-clock.js';

/** Every decision a policy makes for retries 0..count-1 at the given elapsed times. */
function decisions(policy: RetryPolicy, count: number, elapsed: (i: number) => number = () => 0): Array<number | false> {
  return Array.from({ length: count }, (_, i) => policy.allowRetry(i, elapsed(i)));
}

describe('ExponentialBackoffRetry', () => {
  it('sleeps baseSleepTimeMs * max(1, randomInt(2^(retryCount+1))), as Curator', () => {
    const lowest = new ExponentialBackoffRetry({ baseSleepTimeMs: 100, maxRetries: 5, random: () => 0 });
    expect(decisions(lowest, 6)).toEqual([100, 100, 100, 100, 100, false]);
    const highest = new ExponentialBackoffRetry({ baseSleepTimeMs: 100, maxRetries: 5, random: () => 0.999999 });
    expect(decisions(highest, 6)).toEqual([100, 300, 700, 1500, 3100, false]);
    const middle = new ExponentialBackoffRetry({ baseSleepTimeMs: 10, maxRetries: 3, random: () => 0.5 });
    expect(decisions(middle, 3)).toEqual([10, 20, 40]);
  });

  it('stays within [base, base * (2^(k+1) - 1)] for a seeded random source', () => {
    const seed = 0x5eed;
    const policy = new ExponentialBackoffRetry({ baseSleepTimeMs: 7, maxRetries: 20, random: seededRandom(seed) });
    const sleeps = decisions(policy, 20) as number[];
    sleeps.forEach((ms, k) => {
      expect(ms, `seed ${seed} retry ${k}`).toBeGreaterThanOrEqual(7);
      expect(ms, `seed ${seed} retry ${k}`).toBeLessThanOrEqual(7 * (2 ** (k + 1) - 1));
      expect(ms % 7).toBe(0);
    });
    // Growth, not a constant: late pauses are far above early ones for this seed.
    expect(Math.max(...sleeps.slice(15))).toBeGreaterThan(Math.max(...sleeps.slice(0, 5)) * 100);
  });

  it('caps each pause at maxSleepMs and pins maxRetries to 29', () => {
    const capped = new ExponentialBackoffRetry({ baseSleepTimeMs: 1000, maxRetries: 10, maxSleepMs: 2500, random: () => 0.999999 });
    expect(decisions(capped, 4)).toEqual([1000, 2500, 2500, 2500]);
    const pinned = new ExponentialBackoffRetry({ baseSleepTimeMs: 1, maxRetries: 100, random: () => 0 });
    expect(pinned.n).toBe(MAX_RETRIES_LIMIT);
    expect(pinned.allowRetry(28, 0)).toBe(1);
    expect(pinned.allowRetry(29, 0)).toBe(false);
  });

  it('refuses nonsense parameters', () => {
    expect(() => new ExponentialBackoffRetry({ baseSleepTimeMs: -1, maxRetries: 3 })).toThrow(RangeError);
    expect(() => new ExponentialBackoffRetry({ baseSleepTimeMs: 10, maxRetries: 1.5 })).toThrow(RangeError);
  });
});

describe('the other policies', () => {
  it('BoundedExponentialBackoffRetry never sleeps more than maxSleepTimeMs', () => {
    const policy = new BoundedExponentialBackoffRetry({ baseSleepTimeMs: 100, maxSleepTimeMs: 450, maxRetries: 4, random: () => 0.999999 });
    expect(decisions(policy, 5)).toEqual([100, 300, 450, 450, false]);
  });

  it('RetryNTimes and RetryOneTime retry a fixed number of times with a fixed pause', () => {
    expect(decisions(new RetryNTimes({ n: 3, sleepMsBetweenRetries: 250 }), 4)).toEqual([250, 250, 250, false]);
    expect(decisions(new RetryOneTime({ sleepMsBetweenRetry: 40 }), 2)).toEqual([40, false]);
    expect(decisions(new RetryNTimes({ n: 0, sleepMsBetweenRetries: 1 }), 1)).toEqual([false]);
  });

  it('RetryUntilElapsed retries until maxElapsedTimeMs has passed', () => {
    const policy = new RetryUntilElapsed({ maxElapsedTimeMs: 1000, sleepMsBetweenRetries: 300 });
    expect(decisions(policy, 5, (i) => i * 300)).toEqual([300, 300, 300, 300, false]);
    expect(policy.allowRetry(0, 999)).toBe(300);
    expect(policy.allowRetry(0, 1000)).toBe(false);
  });

  it('RetryForever always retries after its interval, which must be positive', () => {
    const policy = new RetryForever({ retryIntervalMs: 5 });
    expect(decisions(policy, 3, () => 1e12)).toEqual([5, 5, 5]);
    expect(policy.allowRetry(1_000_000, 0)).toBe(5);
    expect(() => new RetryForever({ retryIntervalMs: 0 })).toThrow(RangeError);
  });

  it('retryable errors: connection loss, operation timeout, session moved and session expired', () => {
    expect(isRetryableError(new ConnectionLossError())).toBe(true);
    expect(isRetryableError(new OperationTimeoutError())).toBe(true);
    expect(isRetryableError(new SessionMovedError())).toBe(true);
    expect(isRetryableError(new SessionExpiredError())).toBe(true);
    expect(isRetryableError(new NoNodeError('/x'))).toBe(false);
    expect(isRetryableError(new BadVersionError('/x'))).toBe(false);
    expect(isRetryableError(new Error('connection loss'))).toBe(false);
  });

  it('SessionFailedRetryPolicy makes session expiry final and delegates the rest', () => {
    const policy = new SessionFailedRetryPolicy(new RetryNTimes({ n: 2, sleepMsBetweenRetries: 10 }));
    expect(policy.allowRetryOn(new SessionExpiredError())).toBe(false);
    expect(policy.allowRetryOn(new ConnectionLossError())).toBe(true);
    expect(policy.allowRetryOn(new NoNodeError())).toBe(false);
    expect(decisions(policy, 3)).toEqual([10, 10, false]);
  });
});

describe('callWithRetry (virtual time)', () => {
  /** An operation failing with the given errors in turn, then returning 'done'. */
  function failing(errors: unknown[]): { op: (attempt: number) => Promise<string>; attempts: number[] } {
    const attempts: number[] = [];
    return {
      attempts,
      op: async (attempt) => {
        attempts.push(attempt);
        const e = errors[attempt];
        if (e !== undefined) throw e;
        return 'done';
      },
    };
  }

  it('retries retryable failures with the pauses the policy gives, then returns the success', async () => {
    const clock = new VirtualClock();
    const { op, attempts } = failing([new ConnectionLossError(), new OperationTimeoutError(), new SessionExpiredError()]);
    const retryPolicy = new ExponentialBackoffRetry({ baseSleepTimeMs: 100, maxRetries: 3, random: () => 0.999999 });
    const result = await callWithRetry(op, { retryPolicy, clock, sleep: clock.instantSleeper });
    expect(result).toBe('done');
    expect(attempts).toEqual([0, 1, 2, 3]);
    expect(clock.sleeps).toEqual([100, 300, 700]);
    expect(clock.now()).toBe(1100);
  });

  it('rethrows a non-retryable error at once, without pausing', async () => {
    const clock = new VirtualClock();
    const { op, attempts } = failing([new ConnectionLossError(), new NoNodeError('/a')]);
    const retryPolicy = new RetryNTimes({ n: 5, sleepMsBetweenRetries: 10 });
    await expect(callWithRetry(op, { retryPolicy, clock, sleep: clock.instantSleeper })).rejects.toBeInstanceOf(NoNodeError);
    expect(attempts).toEqual([0, 1]);
    expect(clock.sleeps).toEqual([10]);
  });

  it('rethrows the last error once the policy gives up', async () => {
    const clock = new VirtualClock();
    const last = new ConnectionLossError('/last');
    const { op, attempts } = failing([new ConnectionLossError(), new ConnectionLossError(), last]);
    const retryPolicy = new RetryNTimes({ n: 2, sleepMsBetweenRetries: 50 });
    await expect(callWithRetry(op, { retryPolicy, clock, sleep: clock.instantSleeper })).rejects.toBe(last);
    expect(attempts).toEqual([0, 1, 2]);
  });

  it('RetryUntilElapsed sees the elapsed virtual time', async () => {
    const clock = new VirtualClock();
    const { op, attempts } = failing(Array.from({ length: 100 }, () => new ConnectionLossError()));
    const retryPolicy = new RetryUntilElapsed({ maxElapsedTimeMs: 1000, sleepMsBetweenRetries: 300 });
    await expect(callWithRetry(op, { retryPolicy, clock, sleep: clock.instantSleeper })).rejects.toBeInstanceOf(ConnectionLossError);
    // Attempts at t=0, 300, 600, 900; at t=1200 the policy gives up.
    expect(attempts).toEqual([0, 1, 2, 3, 4]);
    expect(clock.now()).toBe(1200);
  });

  it('SessionFailedRetryPolicy stops on session expiry inside the loop', async () => {
    const clock = new VirtualClock();
    const { op, attempts } = failing([new ConnectionLossError(), new SessionExpiredError()]);
    const retryPolicy = new SessionFailedRetryPolicy(new RetryForever({ retryIntervalMs: 1 }));
    await expect(callWithRetry(op, { retryPolicy, clock, sleep: clock.instantSleeper })).rejects.toBeInstanceOf(SessionExpiredError);
    expect(attempts).toEqual([0, 1]);
  });

  it('waits for each pause on the injected clock and stops when aborted', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const { op, attempts } = failing(Array.from({ length: 100 }, () => new ConnectionLossError()));
    const retries: number[] = [];
    const running = callWithRetry(op, {
      retryPolicy: new RetryForever({ retryIntervalMs: 1000 }),
      clock,
      sleep: clock.sleeper,
      signal: controller.signal,
      onRetry: (_e, n) => retries.push(n),
    });
    const outcome = running.then(() => 'resolved', (e: unknown) => e);
    await clock.advance(999);
    expect(attempts).toEqual([0]);
    await clock.advance(1);
    expect(attempts).toEqual([0, 1]);
    await clock.advance(2000);
    expect(attempts).toEqual([0, 1, 2, 3]);
    expect(retries).toEqual([0, 1, 2, 3]);
    const reason = new Error('closed');
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(clock.pending).toBe(0);
  });
});
