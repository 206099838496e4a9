// A calmer view of a connection-state stream for noisy networks. The first SUSPENDED or LOST
// passes through and opens a circuit; while it is open further changes are held back (except a
// first LOST, which always passes). The circuit is re-checked after each pause the retry policy
// gives: if the latest held state is a connected one (or nothing happened) the circuit closes
// and that state is emitted if it differs from the one that opened the circuit; if the network
// is still down the circuit stays open for the next pause, until the policy gives up — then it
// closes and the latest state is emitted. Counterpart: CircuitBreakingConnectionStateListener
// with its CircuitBreaker.

import { Observable } from 'rxjs';
import { systemClock, type Clock } from '../client/clock.js';
import type { RetryPolicy } from '../retry/retry-policy.js';
import { ConnectionState, isConnectedState } from './connection-state.js';

export interface CircuitBreakingOptions {
  /** Decides how long (and how many times) the circuit stays open. */
  readonly retryPolicy: RetryPolicy;
  /** Timers for the pauses. Default: the system clock. */
  readonly clock?: Clock;
}

/** The circuit-breaking view of `source` (each subscription has a circuit of its own). */
export function circuitBreaking(source: Observable<ConnectionState>, options: CircuitBreakingOptions): Observable<ConnectionState> {
  const clock = options.clock ?? systemClock;
  return new Observable<ConnectionState>((subscriber) => {
    let open = false;
    let retryCount = 0;
    let openedAt = 0;
    let timer: unknown;
    let lostHasBeenSent = false;
    let initialState: ConnectionState | undefined;
    let lastState: ConnectionState | undefined;

    const reset = (): void => {
      open = false;
      retryCount = 0;
      lostHasBeenSent = false;
      initialState = undefined;
      lastState = undefined;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    };

    /** Schedules the next check if the policy allows another pause. */
    const tryToRetry = (): boolean => {
      const sleepMs = options.retryPolicy.allowRetry(retryCount, clock.now() - openedAt);
      if (sleepMs === false) return false;
      retryCount++;
      timer = clock.setTimeout(checkCloseCircuit, sleepMs);
      return true;
    };

    const closeCircuit = (): void => {
      const toSend = lastState === initialState ? undefined : lastState;
      reset();
      if (toSend !== undefined) subscriber.next(toSend);
    };

    function checkCloseCircuit(): void {
      timer = undefined;
      if (lastState === undefined || isConnectedState(lastState)) closeCircuit();
      else if (!tryToRetry()) closeCircuit();
    }

    const sub = source.subscribe({
      next: (state) => {
        if (open) {
          if (lostHasBeenSent || state !== ConnectionState.LOST) {
            lastState = state;
          } else {
            lostHasBeenSent = true;
            lastState = initialState = ConnectionState.LOST;
            subscriber.next(ConnectionState.LOST);
          }
          return;
        }
        if (!isConnectedState(state)) {
          open = true;
          retryCount = 0;
          openedAt = clock.now();
          if (tryToRetry()) {
            lastState = initialState = state;
            lostHasBeenSent = state === ConnectionState.LOST;
          } else {
            reset();
          }
        }
        subscriber.next(state);
      },
      error: (e) => {
        reset();
        subscriber.error(e);
      },
      complete: () => {
        reset();
        subscriber.complete();
      },
    });
    return () => {
      sub.unsubscribe();
      reset();
    };
  });
}
