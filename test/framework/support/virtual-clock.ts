// Virtual time for framework unit tests: a Clock whose timers fire only when the test advances
// time, and a Sleeper on it that records every pause. Nothing waits in real time.
import type { Clock } from '../../../framework/client/clock.js';
import type { Sleeper } from '../../../framework/retry/sleeper.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

export class VirtualClock implements Clock {
  private nowMs = 0;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();
  /** Every pause requested through `sleeper`, in order. */
  readonly sleeps: number[] = [];

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.nowMs + Math.max(0, ms), seq: id, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  /**
   * Moves time forward by `ms`, firing due timers in time order; after each timer, pending
   * promise callbacks run (so async code woken by a timer gets to set its next timer).
   */
  async advance(ms: number): Promise<void> {
    const target = this.nowMs + ms;
    for (;;) {
      await flushMicrotasks();
      const next = [...this.timers.entries()].sort((a, b) => a[1].at - b[1].at || a[1].seq - b[1].seq)[0];
      if (!next || next[1].at > target) break;
      this.timers.delete(next[0]);
      this.nowMs = next[1].at;
      next[1].fn();
    }
    this.nowMs = target;
    await flushMicrotasks();
  }

  /** A Sleeper on this clock: it records the pause; the promise settles when time is advanced past it. */
  readonly sleeper: Sleeper = (ms, signal) => {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        this.clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = this.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  };

  /** A Sleeper that records the pause and advances `now` by it at once (for loops that should just run). */
  readonly instantSleeper: Sleeper = async (ms) => {
    this.sleeps.push(ms);
    this.nowMs += ms;
  };
}

/** Lets every already-queued promise callback (and those they queue) run. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
