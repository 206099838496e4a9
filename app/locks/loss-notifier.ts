// The loss half of a HeldLock, shared by every backend: lost$ (emits one LockLostError, then
// completes; completes silently on release) and the same event as an AbortSignal. Counterpart:
// Curator's ConnectionStateListener telling a lock holder that its guarantee is gone.
import { AsyncSubject, type Observable } from 'rxjs';
import type { LockLostError } from './errors.js';

export class LossNotifier {
  private readonly subject = new AsyncSubject<LockLostError>();
  private readonly controller = new AbortController();
  private lostWith: LockLostError | undefined;
  private settled = false;

  /** AsyncSubject: late subscribers still see the loss, or the silent completion. */
  readonly lost$: Observable<LockLostError> = this.subject.asObservable();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The loss reported, if any. */
  get error(): LockLostError | undefined {
    return this.lostWith;
  }

  /** Reports the loss once; false if already lost or ended. */
  lose(error: LockLostError): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.lostWith = error;
    this.controller.abort(error);
    this.subject.next(error);
    this.subject.complete();
    return true;
  }

  /** The lock was released normally: lost$ completes without a value, the signal never aborts. */
  end(): void {
    if (this.settled) return;
    this.settled = true;
    this.subject.complete();
  }
}
