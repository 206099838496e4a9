// How the retry loop (and everything else in the framework that waits) pauses: a Sleeper resolves
// after `ms` milliseconds of its clock, or rejects early when the signal aborts (the framework
// closing). Counterpart: org.apache.curator.RetrySleeper.

import type { Clock } from '../client/clock.js';

export type Sleeper = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A Sleeper on `clock`'s timers. */
export function clockSleeper(clock: Clock): Sleeper {
  return (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clock.clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = clock.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
}
