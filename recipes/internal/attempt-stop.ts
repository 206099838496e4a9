// When one acquire attempt must stop: the caller's AbortSignal (rejects with its reason), the
// framework closing (ClientClosedError), or the timeout (a timeout error). As in Curator, the
// timeout only counts once the contender has been judged at least once — a free lock is acquired
// even with timeoutMs 0 — and never interrupts the confirmation of a lock already won.
// `race` lets the contender loop stop at once while a ZooKeeper call is still in flight.
// Counterpart: the millisToWait bookkeeping of Curator's LockInternals.internalLockLoop.

export interface StopOptions {
  /** Give up after this many milliseconds (a finite number >= 0). Undefined: no timeout. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export class AttemptStop {
  private abortReason: { reason: unknown } | undefined;
  private timeoutReason: { reason: unknown } | undefined;
  private timedOut = false;
  private judged = false;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(reason: unknown) => void>();
  private readonly timeoutListeners = new Set<(reason: unknown) => void>();
  private readonly onAbort = (): void => this.abort(this.options.signal?.reason);
  private readonly startedAt = performance.now();
  private controller: AbortController | undefined;

  /** Throws RangeError for a bad timeoutMs. */
  constructor(
    private readonly options: StopOptions,
    private readonly makeTimeoutError: (timeoutMs: number) => unknown,
  ) {
    const { timeoutMs, signal } = options;
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
      throw new RangeError(`timeoutMs must be a finite number >= 0, got ${String(timeoutMs)}`);
    }
    if (signal?.aborted) this.abortReason = { reason: signal.reason };
    signal?.addEventListener('abort', this.onAbort, { once: true });
    if (timeoutMs !== undefined) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        this.maybeTimeOut();
      }, timeoutMs);
    }
  }

  /** Stopped by abort, close or (once judged) the timeout. */
  get stopped(): boolean {
    return this.abortReason !== undefined || this.timeoutReason !== undefined;
  }

  /** Stopped by abort or close (a timeout does not count). */
  get aborted(): boolean {
    return this.abortReason !== undefined;
  }

  /** What the attempt rejects with once stopped. */
  get reason(): unknown {
    return (this.abortReason ?? this.timeoutReason)?.reason;
  }

  /** Milliseconds left of the timeout (>= 0), or undefined without one. */
  remainingMs(): number | undefined {
    const { timeoutMs } = this.options;
    return timeoutMs === undefined ? undefined : Math.max(0, timeoutMs - (performance.now() - this.startedAt));
  }

  /** An AbortSignal aborted with the stop reason when the attempt stops (for nested acquires). */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      const controller = new AbortController();
      this.controller = controller;
      if (this.stopped) controller.abort(this.reason);
      else {
        const onStop = (reason: unknown): void => controller.abort(reason);
        this.listeners.add(onStop);
        this.timeoutListeners.add(onStop);
      }
    }
    return this.controller.signal;
  }

  /** Stops the attempt with `reason` (the first reason wins). */
  abort(reason: unknown): void {
    if (this.stopped) return;
    this.abortReason = { reason };
    for (const l of [...this.listeners]) l(reason);
  }

  /** The contender has been judged once and must wait: from now on the timeout counts. */
  markJudged(): void {
    this.judged = true;
    this.maybeTimeOut();
  }

  /** Throws the stop reason if stopped. */
  check(): void {
    if (this.stopped) throw this.reason;
  }

  /** `promise`, or a rejection with the stop reason as soon as the attempt stops (the promise keeps running). */
  race<T>(promise: Promise<T>): Promise<T> {
    return this.raceWith(promise, true);
  }

  /** As race, but the timeout does not interrupt it (for confirming a lock already won). */
  raceAbort<T>(promise: Promise<T>): Promise<T> {
    return this.raceWith(promise, false);
  }

  /** Resolves after `ms`, or rejects when the attempt stops. */
  sleep(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const slept = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    return this.race(slept).finally(() => clearTimeout(timer));
  }

  /** Stops listening to the signal and the timer. */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.listeners.clear();
    this.timeoutListeners.clear();
  }

  private maybeTimeOut(): void {
    if (!this.timedOut || !this.judged || this.stopped) return;
    const reason = this.makeTimeoutError(this.options.timeoutMs ?? 0);
    this.timeoutReason = { reason };
    for (const l of [...this.timeoutListeners]) l(reason);
  }

  private raceWith<T>(promise: Promise<T>, withTimeout: boolean): Promise<T> {
    if (this.abortReason) return Promise.reject(this.abortReason.reason);
    if (withTimeout && this.timeoutReason) return Promise.reject(this.timeoutReason.reason);
    return new Promise<T>((resolve, reject) => {
      const onStop = (reason: unknown): void => {
        cleanup();
        reject(reason);
      };
      const cleanup = (): void => {
        this.listeners.delete(onStop);
        this.timeoutListeners.delete(onStop);
      };
      this.listeners.add(onStop);
      if (withTimeout) this.timeoutListeners.add(onStop);
      promise.then(
        (value) => {
          cleanup();
          resolve(value);
        },
        (error: unknown) => {
          cleanup();
          reject(error);
        },
      );
    });
  }
}
