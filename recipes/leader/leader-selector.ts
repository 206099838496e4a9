// LeaderSelector: leadership as a task. Participants queue fairly on a mutex at the leader path —
// Curator's layout: protected EPHEMERAL_SEQUENTIAL "lock-" nodes holding the participant id, each
// waiter watching only its predecessor — and the one at the front runs `takeLeadership(signal,
// leadership)`; leadership lasts until that callback returns, then the node is deleted and, with
// autoRequeue, the participant queues again at the back. The signal aborts when leadership must
// stop: on SUSPENDED (per the framework's error policy) and LOST (LeadershipLostError), when the
// leader's node is deleted by someone else, on interruptLeadership(), and on close()
// (RecipeClosedError). The callback must return promptly then: the node is released only after.
// Counterpart: org.apache.curator.framework.recipes.leader.LeaderSelector with
// LeaderSelectorListenerAdapter (cancel leadership on SUSPENDED / LOST).

import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ClientClosedError, EventType, WatcherType, isRetryableError, type Watcher, type ZooKeeperFramework,
} from '../../framework/index.js';
import { LeadershipLostError, RecipeClosedError, type LeadershipLostReason } from '../errors.js';
import { LockInternals, validatePath, type HeldNode } from '../internal/index.js';
import { endLeadership, Leadership } from './leadership.js';
import { leaderOf, participantsOf, type Participant } from './participants.js';

/**
 * Runs while this participant leads. `signal` aborts when leadership must end (its reason says
 * why); return (or throw) promptly then — leadership, and the node, are held until you do.
 */
export type TakeLeadership = (signal: AbortSignal, leadership: Leadership) => Promise<void> | void;

export interface LeaderSelectorOptions {
  /** This participant's id, written to its node. Default "" (the node then holds the framework's default data). */
  readonly id?: string;
  /** Queue again after each leadership (and after a failed attempt). Default false, as Curator. */
  readonly autoRequeue?: boolean;
  /** Receives what takeLeadership throws (other than its abort reason) and failures to queue. Default: process.emitWarning. */
  readonly onError?: (error: unknown) => void;
}

/** Curator's lock node name for the selector's mutex. */
export const SELECTOR_LOCK_NAME = 'lock-';
/** How long an auto-requeue waits after a failure that was not about the connection (NoAuth, ...). */
const REQUEUE_PAUSE_AFTER_ERROR_MS = 1000;

export type LeaderSelectorState = 'LATENT' | 'STARTED' | 'CLOSED';

export class LeaderSelector {
  readonly leaderPath: string;
  private idValue: string;
  private autoRequeueEnabled: boolean;
  private readonly internals: LockInternals<LeadershipLostError>;
  private readonly onError: (error: unknown) => void;
  private lifecycle: LeaderSelectorState = 'LATENT';
  /** The current election task (queued, or leading). */
  private task: Promise<void> | undefined;
  /** Aborts the queued attempt or the running leadership (close, interrupt). */
  private taskController: AbortController | undefined;
  private term: Leadership | undefined;
  /** Marks takeLeadership's own async context, so a close() from inside it does not wait for itself. */
  private readonly insideLeadership = new AsyncLocalStorage<LeaderSelector>();

  constructor(
    private readonly framework: ZooKeeperFramework,
    leaderPath: string,
    private readonly takeLeadership: TakeLeadership,
    options: LeaderSelectorOptions = {},
  ) {
    this.leaderPath = validatePath(leaderPath);
    if (typeof takeLeadership !== 'function') throw new TypeError('takeLeadership must be a function');
    this.idValue = options.id ?? '';
    this.autoRequeueEnabled = options.autoRequeue ?? false;
    this.onError = options.onError ?? ((e) => process.emitWarning(`zabkit LeaderSelector ${leaderPath}: ${String(e)}`));
    this.internals = new LockInternals<LeadershipLostError>(framework, {
      basePath: this.leaderPath,
      lockName: SELECTOR_LOCK_NAME,
      lostError: (reason, nodePath) => new LeadershipLostError(this.leaderPath, reason, nodePath),
    });
  }

  get id(): string {
    return this.idValue;
  }

  /** Changes the id written to nodes created from now on. */
  setId(id: string): void {
    if (typeof id !== 'string') throw new TypeError('id must be a string');
    this.idValue = id;
  }

  /** From now on, queue again after every leadership. */
  autoRequeue(): void {
    this.autoRequeueEnabled = true;
  }

  /** Joins the queue (returns at once). A selector starts once. */
  start(): void {
    if (this.lifecycle !== 'LATENT') throw new Error(`LeaderSelector ${this.leaderPath} cannot be started more than once`);
    this.lifecycle = 'STARTED';
    this.requeue();
  }

  /**
   * Queues again if this participant is neither queued nor leading; returns whether it did.
   * Throws after close().
   */
  requeue(): boolean {
    if (this.lifecycle !== 'STARTED') throw new Error(`LeaderSelector ${this.leaderPath} is ${this.lifecycle === 'CLOSED' ? 'closed' : 'not started'}`);
    if (this.task !== undefined) return false;
    const controller = new AbortController();
    this.taskController = controller;
    this.task = this.runOnce(controller).finally(() => {
      this.task = undefined;
      this.taskController = undefined;
    });
    return true;
  }

  get state(): LeaderSelectorState {
    return this.lifecycle;
  }

  /** True while this participant leads and has not lost it (takeLeadership is running). */
  get hasLeadership(): boolean {
    return this.term?.isHeld === true;
  }

  /** The current leadership (fencing token, loss signal), undefined when not leading. */
  get leadership(): Leadership | undefined {
    return this.hasLeadership ? this.term : undefined;
  }

  /** Aborts the running takeLeadership's signal (leadership ends when it returns); no-op when not leading. */
  interruptLeadership(): void {
    if (this.term !== undefined) this.taskController?.abort(new DOMException('leadership interrupted', 'AbortError'));
  }

  /** Every participant in queue order, the first flagged as leader (read from the server). */
  async getParticipants(): Promise<Participant[]> {
    return participantsOf(this.framework, await this.internals.participantNodes());
  }

  /** The current leader, or a participant with id "" and isLeader false when there is none. */
  async getLeader(): Promise<Participant> {
    return leaderOf(this.framework, await this.internals.participantNodes());
  }

  /**
   * Leaves the queue: a pending attempt stops (its node is deleted), a running takeLeadership is
   * aborted with RecipeClosedError. Resolves once the node is released, which waits for
   * takeLeadership to return — except when close() is called from inside it. Throws if not
   * started or already closed.
   */
  async close(): Promise<void> {
    if (this.lifecycle !== 'STARTED') throw new Error(`LeaderSelector ${this.leaderPath} is not started or already closed`);
    this.lifecycle = 'CLOSED';
    this.taskController?.abort(new RecipeClosedError(this.leaderPath, 'LeaderSelector'));
    if (this.insideLeadership.getStore() === this) return;
    await this.task;
  }

  toString(): string {
    return `LeaderSelector(${this.leaderPath}, id "${this.idValue}", ${this.lifecycle}${this.hasLeadership ? ', leader' : ''})`;
  }

  // ---- one election: queue, lead, release, maybe requeue

  private async runOnce(controller: AbortController): Promise<void> {
    let held: HeldNode<LeadershipLostError>;
    try {
      held = await this.internals.attemptLock({
        signal: controller.signal,
        ...(this.idValue.length > 0 ? { nodeData: Buffer.from(this.idValue, 'utf8') } : {}),
      });
    } catch (e) {
      if (controller.signal.aborted || this.lifecycle !== 'STARTED' || e instanceof ClientClosedError) return;
      const retryable = isRetryableError(e);
      if (!retryable || !this.autoRequeueEnabled) this.onError(e);
      if (this.autoRequeueEnabled) void this.requeueAfter(retryable ? 0 : REQUEUE_PAUSE_AFTER_ERROR_MS);
      return;
    }
    try {
      await this.lead(held, controller);
    } finally {
      await held.release().catch((e: unknown) => this.onError(e));
    }
    if (this.autoRequeueEnabled && this.lifecycle === 'STARTED') void this.requeueAfter(0);
  }

  private async lead(held: HeldNode<LeadershipLostError>, controller: AbortController): Promise<void> {
    const term = new Leadership({
      path: this.leaderPath, nodePath: held.path, czxid: held.czxid, sessionId: held.sessionId, participantId: this.idValue,
    });
    this.term = term;
    const lose = (reason: LeadershipLostReason): void => {
      const error = endLeadership(term, reason);
      if (error) controller.abort(error);
    };
    const lostSub = held.lost$.subscribe((error) => lose(error.reason));
    const nodeWatcher: Watcher = (event) => {
      if (event.type === EventType.NodeDeleted) lose('node-deleted');
    };
    try {
      // The leader watches its own node: deleted by someone else, the next participant may lead already.
      const stat = await this.framework.exists(held.path, { watch: nodeWatcher }).catch(() => undefined);
      if (stat === null) lose('node-deleted');
      if (this.lifecycle !== 'STARTED') return;
      if (!controller.signal.aborted) {
        await this.insideLeadership.run(this, async () => {
          try {
            await this.takeLeadership(controller.signal, term);
          } catch (e) {
            // After an abort, what it throws is the way it stopped.
            if (!controller.signal.aborted) this.onError(e);
          }
        });
      }
    } finally {
      lostSub.unsubscribe();
      endLeadership(term);
      this.term = undefined;
      if (this.framework.lifecycle === 'started') {
        this.framework.removeWatches(held.path, WatcherType.Data, { watcher: nodeWatcher, local: true }).catch(() => undefined);
      }
    }
  }

  private requeueQuietly(): void {
    if (this.lifecycle === 'STARTED' && this.task === undefined) this.requeue();
  }

  /** Called from inside the task: waits for it to clear itself, then queues again (once connected). */
  private async requeueAfter(pauseMs: number): Promise<void> {
    await this.task;
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs).unref());
    if (this.lifecycle !== 'STARTED') return;
    if (!(await this.framework.blockUntilConnected())) return;
    this.requeueQuietly();
  }
}
