// One term of leadership: the node that made a participant leader, its fencing token, and the
// loss signal. A term ends once — lost (lost$ emits the LeadershipLostError, lostSignal aborts
// with it) or given up by close() (lost$ completes without a value, lostSignal stays quiet).
// Counterpart: what Curator's LeaderLatch keeps in hasLeadership / getLastPathIsLeader, plus the
// ConnectionStateListener a Curator user adds next to it.

import { Observable, Subject } from 'rxjs';
import { LeadershipLostError, type LeadershipLostReason } from '../errors.js';

/** The key of the method that ends a term (kept out of the public API). */
const END = Symbol('endLeadership');

export interface LeadershipInit {
  /** The election's path (the latch or selector path). */
  readonly path: string;
  /** The participant's node (namespace-free). */
  readonly nodePath: string;
  /** The node's czxid. */
  readonly czxid: bigint;
  /** The session that owns the node. */
  readonly sessionId: bigint;
  /** The participant id. */
  readonly participantId: string;
}

export class Leadership {
  readonly path: string;
  readonly nodePath: string;
  readonly sessionId: bigint;
  readonly participantId: string;
  /**
   * The fencing token: the zxid of the transaction that created the leader's node. Leadership
   * passes in node order and zxids only grow over the ensemble's history, so every later leader
   * of this election has a larger token — also after the election's container parent was reaped
   * and sequence numbers restarted at 0. Hand it to the resources the leader writes to, and let
   * them refuse a token lower than one they have seen.
   */
  readonly fencingToken: bigint;
  /** One LeadershipLostError then complete if the leadership is lost; complete without a value when given up. Late subscribers still get the loss. */
  readonly lost$: Observable<LeadershipLostError>;
  private readonly controller = new AbortController();
  private readonly losses = new Subject<LeadershipLostError>();
  private loss: LeadershipLostError | undefined;
  private ended = false;

  constructor(init: LeadershipInit) {
    this.path = init.path;
    this.nodePath = init.nodePath;
    this.sessionId = init.sessionId;
    this.participantId = init.participantId;
    this.fencingToken = init.czxid;
    this.lost$ = new Observable<LeadershipLostError>((subscriber) => {
      if (this.loss !== undefined) {
        subscriber.next(this.loss);
        subscriber.complete();
        return undefined;
      }
      if (this.ended) {
        subscriber.complete();
        return undefined;
      }
      const sub = this.losses.subscribe(subscriber);
      return () => sub.unsubscribe();
    });
  }

  /** Aborted, with the LeadershipLostError as its reason, when the leadership is lost. */
  get lostSignal(): AbortSignal {
    return this.controller.signal;
  }

  /** Neither lost nor given up. */
  get isHeld(): boolean {
    return !this.ended;
  }

  get isLost(): boolean {
    return this.loss !== undefined;
  }

  /** The loss, if the term ended by one. */
  get lostError(): LeadershipLostError | undefined {
    return this.loss;
  }

  /** See endLeadership. */
  [END](reason: LeadershipLostReason | undefined): LeadershipLostError | undefined {
    if (this.ended) return undefined;
    this.ended = true;
    if (reason === undefined) {
      this.losses.complete();
      return undefined;
    }
    const error = new LeadershipLostError(this.path, reason, this.nodePath);
    this.loss = error;
    this.controller.abort(error);
    this.losses.next(error);
    this.losses.complete();
    return error;
  }

  toString(): string {
    return `Leadership(${this.path}, node ${this.nodePath}, token ${this.fencingToken}${this.ended ? (this.loss ? ', lost' : ', given up') : ''})`;
  }
}

/**
 * Ends a term: lost for `reason`, or given up when `reason` is undefined. No-op once ended.
 * Returns the loss error it reported (undefined when given up or already ended). Recipes only:
 * not exported from zabkit/recipes.
 */
export function endLeadership(leadership: Leadership, reason?: LeadershipLostReason): LeadershipLostError | undefined {
  return leadership[END](reason);
}
