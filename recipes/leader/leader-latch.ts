// LeaderLatch: leader election among the participants of one path, laid out as Curator's so Java
// and TypeScript participants share an election. Each participant creates a protected
// EPHEMERAL_SEQUENTIAL node "<path>/_c_<uuid>-latch-<seq>" holding its id; the lowest sequence
// leads, every other participant watches (getData) only the node just before its own (the
// node itself: LatchNode, which deletes a node given up before making a fresh one).
// Leadership is held only while the leader's node exists and belongs to the current session: it
// is granted after reading the node's owner, and ends at once on SUSPENDED (when the framework's
// error policy counts it), on LOST, and when the node is deleted (the leader watches it). After
// an error state the latch re-enters with a fresh node on RECONNECTED; after a harmless SUSPENDED
// (session policy) it re-checks its node instead. Every term carries a fencing token (the node's
// czxid) and a loss signal (see Leadership). All background work runs in one loop, so two
// rounds never overlap. Counterpart: org.apache.curator.framework.recipes.leader.LeaderLatch.

import { Observable, Subject, type Subscription } from 'rxjs';
import {
  ClientClosedError, ConnectionState, EventType, NoNodeError, WatcherType, isRetryableError,
  type WatchedEvent, type Watcher, type ZooKeeperFramework,
} from '../../framework/index.js';
import type { LeadershipLostError, LeadershipLostReason } from '../errors.js';
import { childName, getSortedChildren, makePath, standardFixForSorting, validatePath } from '../internal/index.js';
import { ConditionWaiters, type ConditionWaitOptions } from './condition-waiters.js';
import { LATCH_LOCK_NAME, LatchNode } from './latch-node.js';
import { endLeadership, Leadership } from './leadership.js';
import { leaderOf, participantsOf, type Participant } from './participants.js';

/** What close() tells the listeners: SILENT (nothing, the default) or NOTIFY_LEADER (a leader gets notLeader). */
export const LeaderLatchCloseMode = { SILENT: 'SILENT', NOTIFY_LEADER: 'NOTIFY_LEADER' } as const;
export type LeaderLatchCloseMode = (typeof LeaderLatchCloseMode)[keyof typeof LeaderLatchCloseMode];

export type LeaderLatchState = 'LATENT' | 'STARTED' | 'CLOSED';

/** A change of leadership: gained (with its term), or ended (`error` set when lost, undefined when given up by close). */
export type LeadershipEvent =
  | { readonly type: 'isLeader'; readonly leadership: Leadership }
  | { readonly type: 'notLeader'; readonly leadership: Leadership; readonly error: LeadershipLostError | undefined };

export interface LeaderLatchOptions {
  /** This participant's id, written to its node and reported by getParticipants(). Default "". */
  readonly id?: string;
  /** Default SILENT, as Curator. */
  readonly closeMode?: LeaderLatchCloseMode;
  /** Receives failures the latch cannot recover from by itself (e.g. NoAuth); it tries again on the next RECONNECTED. Default: process.emitWarning. */
  readonly onError?: (error: unknown) => void;
}

/** `timeoutMs`: resolve false after this long without leadership; `signal`: aborting rejects with its reason. */
export type AwaitLeadershipOptions = ConditionWaitOptions;

export { LATCH_LOCK_NAME };

const SORTER = { fixForSorting: standardFixForSorting };

type Work = 'check' | 'reset';

export class LeaderLatch {
  readonly latchPath: string;
  readonly id: string;
  readonly closeMode: LeaderLatchCloseMode;
  private readonly onError: (error: unknown) => void;
  private lifecycle: LeaderLatchState = 'LATENT';
  private readonly node: LatchNode;
  private lastLeaderPath: string | undefined;
  private term: Leadership | undefined;
  private readonly events = new Subject<LeadershipEvent>();
  private readonly waiters = new ConditionWaiters();
  private stateSubscription: Subscription | undefined;
  private pending: Work | undefined;
  private running: Promise<void> | undefined;
  /** An error state was seen since the node was last confirmed: RECONNECTED re-enters with a fresh node. */
  private errorSeen = false;
  /** Work that failed for connection reasons and must be redone once connected. */
  private retryOnConnect: Work | undefined;
  /** The node whose deletion we wait for, while not leading. */
  private watchedPredecessor: string | undefined;
  private frameworkClosed = false;
  private readonly predecessorWatcher: Watcher = (event) => this.onPredecessorEvent(event);
  private readonly ownNodeWatcher: Watcher = (event) => this.onOwnNodeEvent(event);

  constructor(
    private readonly framework: ZooKeeperFramework,
    latchPath: string,
    options: LeaderLatchOptions = {},
  ) {
    this.latchPath = validatePath(latchPath);
    this.id = options.id ?? '';
    this.closeMode = options.closeMode ?? LeaderLatchCloseMode.SILENT;
    if (!Object.values(LeaderLatchCloseMode).includes(this.closeMode)) throw new RangeError(`unknown close mode ${String(this.closeMode)}`);
    this.node = new LatchNode(framework, this.latchPath, Buffer.from(this.id, 'utf8'));
    this.onError = options.onError ?? ((e) => process.emitWarning(`zabkit LeaderLatch ${latchPath}: ${String(e)}`));
  }

  /** Joins the election: creates this participant's node in the background (returns at once). A latch starts once. */
  start(): void {
    if (this.lifecycle !== 'LATENT') throw new Error(`LeaderLatch ${this.latchPath} cannot be started more than once`);
    this.lifecycle = 'STARTED';
    let replaying = true;
    this.stateSubscription = this.framework.connectionState$.subscribe({
      next: (state) => {
        if (!replaying) this.onConnectionState(state);
      },
      complete: () => this.onFrameworkClosed(),
    });
    replaying = false;
    this.request('reset');
  }

  /**
   * Leaves the election: leadership ends first (with NOTIFY_LEADER a leader's listeners get
   * notLeader; its Leadership completes lost$ without a loss), then the node is deleted (a
   * guaranteed delete if the server cannot be reached), with one given up earlier whose delete
   * failed. Throws if not started or already closed.
   */
  async close(closeMode: LeaderLatchCloseMode = this.closeMode): Promise<void> {
    if (this.lifecycle !== 'STARTED') throw new Error(`LeaderLatch ${this.latchPath} is not started or already closed`);
    this.lifecycle = 'CLOSED';
    this.stateSubscription?.unsubscribe();
    const term = this.term;
    this.term = undefined;
    if (term) {
      endLeadership(term);
      if (closeMode === LeaderLatchCloseMode.NOTIFY_LEADER) this.events.next({ type: 'notLeader', leadership: term, error: undefined });
    }
    this.events.complete();
    this.waiters.notifyAll();
    await this.running?.catch(() => undefined);
    this.stopWatchingPredecessor();
    const path = this.node.current;
    if (path !== undefined) this.removeWatch(path, this.ownNodeWatcher);
    await this.node.giveUp();
  }

  /**
   * Resolves true once this participant leads (at once if it does), false when `timeoutMs`
   * passes first, the latch is (or gets) closed or was never started, or the framework closes;
   * rejects with the signal's reason when aborted.
   */
  await(options: AwaitLeadershipOptions = {}): Promise<boolean> {
    return this.waiters.wait(() => {
      if (this.lifecycle !== 'STARTED' || this.frameworkClosed) return false;
      return this.hasLeadership ? true : undefined;
    }, options);
  }

  /** True while this participant leads (started, its node confirmed first and owned by the current session, no error state since). */
  get hasLeadership(): boolean {
    return this.lifecycle === 'STARTED' && this.term !== undefined;
  }

  /** The current term of leadership (fencing token, loss signal), or undefined when not leading. */
  get leadership(): Leadership | undefined {
    return this.hasLeadership ? this.term : undefined;
  }

  /**
   * Leadership changes from now on (no replay: check hasLeadership / leadership first): isLeader
   * with the new term, notLeader when it ends (lost, or on close with NOTIFY_LEADER).
   * Completes when the latch closes.
   */
  get leadership$(): Observable<LeadershipEvent> {
    return this.events.asObservable();
  }

  get state(): LeaderLatchState {
    return this.lifecycle;
  }

  /** This participant's current node (it changes when the latch re-enters), undefined while it has none. Leadership is not implied. */
  get ourPath(): string | undefined {
    return this.node.current;
  }

  /** The node with which this participant last led, undefined if it never did. */
  get lastPathIsLeader(): string | undefined {
    return this.lastLeaderPath;
  }

  /** Every participant in election order, the first flagged as leader (read from the server). */
  async getParticipants(): Promise<Participant[]> {
    return participantsOf(this.framework, await this.participantNodes());
  }

  /** The current leader, or a participant with id "" and isLeader false when there is none (read from the server). */
  async getLeader(): Promise<Participant> {
    return leaderOf(this.framework, await this.participantNodes());
  }

  toString(): string {
    return `LeaderLatch(${this.latchPath}, id "${this.id}", ${this.lifecycle}${this.hasLeadership ? ', leader' : ''})`;
  }

  private async participantNodes(): Promise<string[]> {
    const names = await getSortedChildren(this.framework, this.latchPath, LATCH_LOCK_NAME, SORTER);
    return names.map((name) => makePath(this.latchPath, name));
  }

  // ---- reacting to the world

  private onConnectionState(state: ConnectionState): void {
    switch (state) {
      case ConnectionState.SUSPENDED:
        if (this.framework.isErrorState(state)) {
          this.errorSeen = true;
          this.loseLeadership('connection-suspended');
        }
        break;
      case ConnectionState.LOST:
        // Always: the session, and so the node, is gone.
        this.errorSeen = true;
        this.loseLeadership('session-lost');
        break;
      case ConnectionState.RECONNECTED: {
        const work: Work = this.errorSeen || this.retryOnConnect === 'reset' ? 'reset' : 'check';
        this.errorSeen = false;
        this.retryOnConnect = undefined;
        this.request(work);
        break;
      }
      case ConnectionState.CONNECTED:
        if (this.retryOnConnect !== undefined) {
          const work = this.retryOnConnect;
          this.retryOnConnect = undefined;
          this.request(work);
        }
        break;
      default:
        break;
    }
  }

  /** The framework closed under a started latch: its session, and so its node, is gone for good. */
  private onFrameworkClosed(): void {
    this.frameworkClosed = true;
    this.loseLeadership('framework-closed');
    this.waiters.notifyAll();
  }

  private onPredecessorEvent(event: WatchedEvent): void {
    if (this.lifecycle === 'STARTED' && event.type === EventType.NodeDeleted) this.request('check');
  }

  private onOwnNodeEvent(event: WatchedEvent): void {
    if (this.lifecycle !== 'STARTED' || event.path !== this.node.current) return;
    if (event.type === EventType.NodeDeleted) {
      this.loseLeadership('node-deleted');
      this.request('reset');
    } else if (event.type === EventType.NodeDataChanged) {
      this.request('check'); // re-arms the watch
    }
  }

  // ---- the work loop

  private request(work: Work): void {
    if (this.lifecycle !== 'STARTED') return;
    this.pending = this.pending === 'reset' || work === 'reset' ? 'reset' : 'check';
    this.running ??= this.loop();
  }

  private async loop(): Promise<void> {
    await Promise.resolve(); // request() stores this promise before the loop can end
    try {
      while (this.pending !== undefined && this.lifecycle === 'STARTED') {
        const work = this.pending;
        this.pending = undefined;
        try {
          if (work === 'reset') await this.reset();
          else await this.check();
        } catch (e) {
          this.onFailure(work, e);
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  private onFailure(work: Work, e: unknown): void {
    if (this.lifecycle !== 'STARTED' || e instanceof ClientClosedError) return;
    if (isRetryableError(e)) {
      // The retry policy gave up: go again now if connected, else on the next connection.
      if (this.framework.isConnected) this.request(work);
      else this.retryOnConnect = this.retryOnConnect === 'reset' ? 'reset' : work;
      return;
    }
    this.onError(e);
    this.retryOnConnect = this.retryOnConnect === 'reset' ? 'reset' : work;
  }

  /**
   * Gives up the current node and enters with a fresh one, created only once the old one is
   * deleted (or its delete left to the background while the server cannot be reached). A failed
   * delete fails the reset: reported, and retried with the old node first.
   */
  private async reset(): Promise<void> {
    this.loseLeadership('node-deleted');
    this.errorSeen = false; // an error state from here on calls for another fresh node
    this.stopWatchingPredecessor();
    const old = this.node.current;
    if (old !== undefined) this.removeWatch(old, this.ownNodeWatcher);
    await this.node.giveUp();
    if (this.lifecycle !== 'STARTED') return;
    await this.node.create();
    if (this.lifecycle !== 'STARTED') return; // close() deletes it
    await this.check();
  }

  /** Lists the participants: lead if first (and the node is ours), else watch the predecessor. */
  private async check(): Promise<void> {
    const ourPath = this.node.current;
    if (ourPath === undefined) return this.reset();
    let children: string[];
    try {
      children = await getSortedChildren(this.framework, this.latchPath, LATCH_LOCK_NAME, SORTER);
    } catch (e) {
      if (e instanceof NoNodeError) return this.reset();
      throw e;
    }
    if (this.lifecycle !== 'STARTED') return;
    const ourIndex = children.indexOf(childName(ourPath));
    if (ourIndex < 0) return this.reset(); // our node is gone (session lost, or deleted)
    if (ourIndex === 0) {
      this.stopWatchingPredecessor();
      return this.confirmLeadership(ourPath);
    }
    this.loseLeadership('node-deleted');
    const predecessor = makePath(this.latchPath, children[ourIndex - 1]!);
    if (this.watchedPredecessor !== predecessor) this.stopWatchingPredecessor();
    this.watchedPredecessor = predecessor;
    try {
      // getData, not exists: no watch is left behind on a node that is already gone.
      await this.framework.getData(predecessor, { watch: this.predecessorWatcher });
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
      this.pending ??= 'check'; // gone meanwhile: look again
    }
  }

  /** First in line: lead only if the node still exists and belongs to the current session. */
  private async confirmLeadership(ourPath: string): Promise<void> {
    let stat;
    try {
      ({ stat } = await this.framework.getData(ourPath, { watch: this.ownNodeWatcher }));
    } catch (e) {
      if (e instanceof NoNodeError) return this.reset();
      throw e;
    }
    if (stat.ephemeralOwner !== this.currentSessionId()) return this.reset(); // a node of a session given up
    if (this.lifecycle !== 'STARTED' || this.node.current !== ourPath) return;
    const state = this.framework.connectionState;
    // Suspended now (per the policy): the RECONNECTED to come decides.
    if (state === undefined || this.framework.isErrorState(state)) return;
    this.gainLeadership(ourPath, stat.czxid, stat.ephemeralOwner);
  }

  // ---- leadership

  private gainLeadership(nodePath: string, czxid: bigint, sessionId: bigint): void {
    if (this.term?.nodePath === nodePath) return;
    this.loseLeadership('node-deleted');
    const term = new Leadership({ path: this.latchPath, nodePath, czxid, sessionId, participantId: this.id });
    this.term = term;
    this.lastLeaderPath = nodePath;
    this.events.next({ type: 'isLeader', leadership: term });
    this.waiters.notifyAll();
  }

  private loseLeadership(reason: LeadershipLostReason): void {
    const term = this.term;
    if (term === undefined) return;
    this.term = undefined;
    const error = endLeadership(term, reason);
    this.events.next({ type: 'notLeader', leadership: term, error });
  }

  private currentSessionId(): bigint | undefined {
    try {
      return this.framework.client.sessionId;
    } catch {
      return undefined;
    }
  }

  private stopWatchingPredecessor(): void {
    if (this.watchedPredecessor === undefined) return;
    this.removeWatch(this.watchedPredecessor, this.predecessorWatcher);
    this.watchedPredecessor = undefined;
  }

  private removeWatch(path: string, watcher: Watcher): void {
    if (this.framework.lifecycle !== 'started') return;
    this.framework.removeWatches(path, WatcherType.Data, { watcher, local: true }).catch(() => undefined);
  }
}
