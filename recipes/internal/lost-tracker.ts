// Tracks whether something a contender won (a lock node, a lease, a leadership) still counts as
// held, from the framework's connection states: an error state per the framework's
// connection-state error policy (standard: SUSPENDED and LOST; session: LOST only), a session
// other than the one the node belongs to, or the framework closing, makes it lost — once. The
// loss is offered as an Observable (`lost$`: one value then complete; late subscribers still get
// it; completes without a value when tracking stops on release) and as an AbortSignal.
// The current state is checked at once, so a node won while SUSPENDED counts as lost at once.
// Counterpart: the ConnectionStateListener a Curator user adds next to a lock, and
// ConnectionStateErrorPolicy.

import { Observable, Subject, type Subscription } from 'rxjs';
import { ConnectionState, type ZooKeeperFramework } from '../../framework/index.js';
import type { LostReason } from '../errors.js';

export class LostTracker<E extends Error> {
  /** One value (the loss) then complete; or just complete once tracking stops. */
  readonly lost$: Observable<E>;
  private readonly controller = new AbortController();
  private readonly losses = new Subject<E>();
  private lostError: E | undefined;
  private stopped = false;
  private subscription: Subscription | undefined;

  /**
   * Starts tracking at once. `sessionId` is the session the held node belongs to; `makeError`
   * builds the error the loss is reported with.
   */
  constructor(
    private readonly framework: ZooKeeperFramework,
    readonly sessionId: bigint,
    private readonly makeError: (reason: LostReason) => E,
  ) {
    this.lost$ = new Observable<E>((subscriber) => {
      if (this.lostError !== undefined) {
        subscriber.next(this.lostError);
        subscriber.complete();
        return undefined;
      }
      if (this.stopped) {
        subscriber.complete();
        return undefined;
      }
      const sub = this.losses.subscribe(subscriber);
      return () => sub.unsubscribe();
    });
    if (framework.lifecycle !== 'started') {
      this.markLost('framework-closed');
      return;
    }
    this.subscription = framework.connectionState$.subscribe({
      next: (state) => this.onState(state),
      complete: () => this.markLost('framework-closed'),
    });
    if (this.lostError !== undefined || this.stopped) this.subscription.unsubscribe();
  }

  /** Aborted (with the loss error as its reason) when the loss happens. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get isLost(): boolean {
    return this.lostError !== undefined;
  }

  /** The loss, if it happened. */
  get error(): E | undefined {
    return this.lostError;
  }

  /** Stops tracking (on release): lost$ completes without a value if no loss happened. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.subscription?.unsubscribe();
    this.losses.complete();
  }

  /** Reports a loss found another way (e.g. the node was found gone). No-op after a loss or stop. */
  markLost(reason: LostReason): void {
    if (this.lostError !== undefined || this.stopped) return;
    const error = this.makeError(reason);
    this.lostError = error;
    this.subscription?.unsubscribe();
    this.controller.abort(error);
    this.losses.next(error);
    this.losses.complete();
  }

  private onState(state: ConnectionState): void {
    if (this.framework.isErrorState(state)) {
      this.markLost(state === ConnectionState.SUSPENDED ? 'connection-suspended' : 'session-lost');
      return;
    }
    if (this.currentSessionId() !== this.sessionId) this.markLost('session-lost');
  }

  private currentSessionId(): bigint | undefined {
    try {
      return this.framework.client.sessionId;
    } catch {
      return undefined;
    }
  }
}
