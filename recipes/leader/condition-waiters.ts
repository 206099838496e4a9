// Waiting for a yes/no the recipe decides later (e.g. "do I lead?"): each waiter asks `decide`
// now and again on every notifyAll(), until it answers, its timeout passes (false) or its
// AbortSignal fires (rejects with the signal's reason). Counterpart: the wait()/notifyAll()
// monitor of Curator's LeaderLatch.await.

export interface ConditionWaitOptions {
  /** Resolve false after this many milliseconds without an answer (>= 0). Default: no limit. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** true / false once decided; undefined while still open. */
export type Decision = () => boolean | undefined;

export class ConditionWaiters {
  private readonly waiters = new Set<() => void>();

  wait(decide: Decision, options: ConditionWaitOptions = {}): Promise<boolean> {
    const { timeoutMs, signal } = options;
    if (timeoutMs !== undefined && !(timeoutMs >= 0)) return Promise.reject(new RangeError(`timeoutMs must be >= 0, got ${timeoutMs}`));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = decide();
    if (now !== undefined) return Promise.resolve(now);
    if (timeoutMs === 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (outcome: () => void): void => {
        this.waiters.delete(check);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      const check = (): void => {
        const answer = decide();
        if (answer !== undefined) finish(() => resolve(answer));
      };
      const onAbort = (): void => finish(() => reject(signal?.reason));
      this.waiters.add(check);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) timer = setTimeout(() => finish(() => resolve(false)), timeoutMs);
    });
  }

  /** Every waiter asks its decision again. */
  notifyAll(): void {
    for (const check of [...this.waiters]) check();
  }
}
