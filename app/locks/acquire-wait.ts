// The waiting side of one acquire() call, shared by every backend: validates AcquireOptions,
// merges the caller's AbortSignal, the registry's close and the timeout into one stop, and
// offers sleeps and races that end on it. Counterpart: the deadline loop of Curator's
// LockInternals.internalLockLoop (wait(millisToWait), then give up).
import type { Clock } from '../../framework/index.js';
import { LockRegistryClosedError, LockTimeoutError } from './errors.js';
import type { AcquireOptions } from './lock-registry.js';

export class AcquireWait {
  private readonly timer: unknown;
  private readonly removeListeners: Array<() => void> = [];
  private readonly onStop = new Set<() => void>();
  private abortedWith: { reason: unknown } | undefined;
  private timedOut: LockTimeoutError | undefined;

  /**
   * Throws RangeError for a bad timeoutMs. A signal already aborted stops the wait at once.
   * `closing` is the registry's signal: when it aborts, acquire() rejects with
   * LockRegistryClosedError.
   */
  constructor(
    private readonly key: string,
    options: AcquireOptions,
    private readonly clock: Clock,
    closing?: { readonly signal: AbortSignal; readonly backend: string },
  ) {
    const { timeoutMs, signal } = options;
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
      throw new RangeError(`acquire timeoutMs must be a finite number >= 0, got ${String(timeoutMs)}`);
    }
    if (closing) this.listen(closing.signal, () => new LockRegistryClosedError(key, closing.backend));
    if (signal) this.listen(signal, () => signal.reason);
    if (timeoutMs !== undefined) {
      this.timer = clock.setTimeout(() => {
        this.timedOut = new LockTimeoutError(key, timeoutMs);
        this.notify();
      }, timeoutMs);
    }
  }

  /** Aborted by the caller's signal or the registry's close (a timeout does not count). */
  get aborted(): boolean {
    return this.abortedWith !== undefined;
  }

  /** Aborted, closed or timed out. */
  get stopped(): boolean {
    return this.abortedWith !== undefined || this.timedOut !== undefined;
  }

  /** What acquire() rejects with once stopped: the abort reason, else the LockTimeoutError. */
  reason(): unknown {
    return this.abortedWith ? this.abortedWith.reason : this.timedOut;
  }

  /** Resolves after `ms`, or rejects with the stop reason as soon as the wait stops. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.stopped) {
        reject(this.reason());
        return;
      }
      const stop = (): void => {
        this.onStop.delete(stop);
        this.clock.clearTimeout(handle);
        reject(this.reason());
      };
      const handle = this.clock.setTimeout(() => {
        this.onStop.delete(stop);
        resolve();
      }, ms);
      this.onStop.add(stop);
    });
  }

  /**
   * Settles like `work`, or rejects with the stop reason if the wait stops first; `work` keeps
   * running and the caller undoes it. With `exemptFromTimeout`, only an abort or close interrupts.
   */
  race<T>(work: Promise<T>, exemptFromTimeout = false): Promise<T> {
    const interrupted = (): boolean => this.abortedWith !== undefined || (!exemptFromTimeout && this.timedOut !== undefined);
    return new Promise<T>((resolve, reject) => {
      if (interrupted()) {
        reject(this.reason());
        return;
      }
      const stop = (): void => {
        if (!interrupted()) return;
        this.onStop.delete(stop);
        reject(this.reason());
      };
      this.onStop.add(stop);
      work.then(
        (value) => {
          this.onStop.delete(stop);
          resolve(value);
        },
        (error: unknown) => {
          this.onStop.delete(stop);
          reject(error);
        },
      );
    });
  }

  /** Clears the timer and listeners; call when acquire() settles. */
  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    for (const remove of this.removeListeners) remove();
    this.removeListeners.length = 0;
    this.onStop.clear();
  }

  private listen(source: AbortSignal, reason: () => unknown): void {
    if (source.aborted) {
      this.abort(reason());
      return;
    }
    const listener = (): void => this.abort(reason());
    source.addEventListener('abort', listener, { once: true });
    this.removeListeners.push(() => source.removeEventListener('abort', listener));
  }

  private abort(reason: unknown): void {
    if (this.abortedWith) return;
    this.abortedWith = { reason };
    this.notify();
  }

  private notify(): void {
    for (const stop of [...this.onStop]) stop();
  }
}
