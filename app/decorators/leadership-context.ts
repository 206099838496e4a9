// currentLeadership(): what a @LeaderOnly method or a leadership hook sees of the term it runs
// under — the election, the fencing token and the loss signal — carried by AsyncLocalStorage so
// any code the method awaits can ask for it. Counterpart: the Leadership a Curator
// LeaderSelectorListener is handed, and LeaderLatch.hasLeadership() checked by hand.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Observable } from 'rxjs';
import type { LeadershipLostError } from '../../recipes/errors.js';
import type { Leadership } from '../../recipes/leader/index.js';
import { NoCurrentLeadershipError } from './errors.js';

export interface LeadershipContext {
  /** The election's path. */
  readonly electionPath: string;
  /** This participant's id in the election. */
  readonly participantId: string;
  /** The term's fencing token (the leader node's czxid): every later leader has a larger one. */
  readonly fencingToken: bigint;
  /**
   * Aborted when this term ends: with the LeadershipLostError when leadership is lost, or with a
   * RecipeClosedError when the instance leaves the election (its container is disposed).
   */
  readonly signal: AbortSignal;
  /** One LeadershipLostError then complete when leadership is lost; completes without a value when given up. */
  readonly lost$: Observable<LeadershipLostError>;
  /** True until the term ends. */
  readonly isLeader: boolean;
}

/** A LeadershipContext for one term; `signal` may be wider than the term's own lostSignal (it also aborts on close). */
export function leadershipContext(term: Leadership, participantId: string, signal: AbortSignal): LeadershipContext {
  return {
    electionPath: term.path,
    participantId,
    fencingToken: term.fencingToken,
    signal,
    lost$: term.lost$,
    get isLeader() {
      return term.isHeld && !signal.aborted;
    },
  };
}

const storage = new AsyncLocalStorage<readonly LeadershipContext[]>();

/** Runs `fn` with `context` added to the current async context's leaderships. */
export function runInLeadership<T>(context: LeadershipContext, fn: () => T): T {
  return storage.run([...(storage.getStore() ?? []), context], fn);
}

/**
 * The leadership the current @LeaderOnly method or leadership hook runs under: the innermost
 * one, or the one of `electionPath`. Throws NoCurrentLeadershipError outside of them.
 */
export function currentLeadership(electionPath?: string): LeadershipContext {
  const chain = storage.getStore() ?? [];
  for (let i = chain.length - 1; i >= 0; i--) {
    const context = chain[i]!;
    if (electionPath === undefined || context.electionPath === electionPath) return context;
  }
  throw new NoCurrentLeadershipError(electionPath);
}
