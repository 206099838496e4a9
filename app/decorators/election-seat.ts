// One instance's seat in one election: a LeaderLatch on the container's framework, the term it
// currently leads with (and a signal that also aborts when the seat closes), and — for classes
// with @LeadershipHooks — the calls of onLeadershipGained / onLeadershipLost, one at a time and
// in order. Counterpart: Curator's LeaderLatch with a LeaderLatchListener (isLeader / notLeader).

import { hostname } from 'node:os';
import type { Subscription } from 'rxjs';
import type { ZooKeeperFramework } from '../../framework/index.js';
import { LeaderLatch, LeaderLatchCloseMode, type Leadership, type LeadershipEvent } from '../../recipes/leader/index.js';
import { RecipeClosedError, type LeadershipLostError } from '../../recipes/errors.js';
import type { ElectionDeclaration } from './class-plan.js';
import { leadershipContext, runInLeadership, type LeadershipContext } from './leadership-context.js';

/** The hooks @LeadershipHooks calls on the instance. */
export interface LeadershipHooksTarget {
  /**
   * Called when this instance becomes leader. `signal` aborts when the term ends (lost, or the
   * instance leaves the election); stop the leader's work then. It may run for the whole term:
   * onLeadershipLost is called only after it has returned (or its promise settled).
   */
  onLeadershipGained?(signal: AbortSignal, leadership: LeadershipContext): void | Promise<void>;
  /** Called after a term ends: with the LeadershipLostError when lost, undefined when the instance left the election. */
  onLeadershipLost?(error: LeadershipLostError | undefined): void | Promise<void>;
}

export const DEFAULT_PARTICIPANT_ID = `${hostname()}:${process.pid}`;

interface Term {
  readonly leadership: Leadership;
  readonly controller: AbortController;
  readonly context: LeadershipContext;
}

export class ElectionSeat {
  readonly latch: LeaderLatch;
  readonly participantId: string;
  private term: Term | undefined;
  private hooks: Promise<void> = Promise.resolve();
  private readonly subscription: Subscription;
  private closing: Promise<void> | undefined;

  constructor(
    framework: ZooKeeperFramework,
    readonly declaration: ElectionDeclaration,
    private readonly target: LeadershipHooksTarget,
    private readonly owner: string,
  ) {
    this.participantId = declaration.participantId ?? DEFAULT_PARTICIPANT_ID;
    this.latch = new LeaderLatch(framework, declaration.path, {
      id: this.participantId,
      closeMode: LeaderLatchCloseMode.NOTIFY_LEADER,
      onError: (error) => this.warn('the election', error),
    });
    this.subscription = this.latch.leadership$.subscribe((event) => this.onEvent(event));
    this.latch.start();
  }

  /** The term this seat leads with now, undefined when it does not lead. */
  current(): LeadershipContext | undefined {
    const term = this.term;
    if (!term || this.latch.leadership !== term.leadership || term.controller.signal.aborted) return undefined;
    return term.context;
  }

  /** Leaves the election: a leader's term ends (signal aborted, onLeadershipLost(undefined) called), the node is deleted. Idempotent. */
  close(): Promise<void> {
    return (this.closing ??= this.doClose());
  }

  private async doClose(): Promise<void> {
    try {
      await this.latch.close();
    } catch (error) {
      this.warn('leaving the election', error);
    }
    this.endTerm(undefined); // close() notified the leader already; this covers a term the latch never reported
    this.subscription.unsubscribe();
    await this.hooks;
  }

  private onEvent(event: LeadershipEvent): void {
    if (event.type === 'notLeader') {
      this.endTerm(event.error);
      return;
    }
    this.endTerm(undefined);
    const controller = new AbortController();
    const lost = event.leadership.lostSignal;
    if (lost.aborted) controller.abort(lost.reason);
    else lost.addEventListener('abort', () => controller.abort(lost.reason), { once: true });
    const context = leadershipContext(event.leadership, this.participantId, controller.signal);
    this.term = { leadership: event.leadership, controller, context };
    if (this.declaration.hooks && this.target.onLeadershipGained) {
      this.runHook('onLeadershipGained', () => runInLeadership(context, () => this.target.onLeadershipGained!(controller.signal, context)));
    }
  }

  private endTerm(error: LeadershipLostError | undefined): void {
    const term = this.term;
    if (!term) return;
    this.term = undefined;
    if (!term.controller.signal.aborted) term.controller.abort(error ?? new RecipeClosedError(this.declaration.path, 'LeaderLatch'));
    if (this.declaration.hooks && this.target.onLeadershipLost) this.runHook('onLeadershipLost', () => this.target.onLeadershipLost!(error));
  }

  private runHook(name: string, call: () => void | Promise<void>): void {
    this.hooks = this.hooks.then(async () => {
      try {
        await call();
      } catch (error) {
        this.warn(name, error);
      }
    });
  }

  private warn(what: string, error: unknown): void {
    process.emitWarning(`${this.owner} (${this.declaration.path}): ${what} failed: ${error instanceof Error ? error.message : String(error)}`, 'LeadershipWarning');
  }
}
