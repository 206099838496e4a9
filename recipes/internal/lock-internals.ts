// The one contender algorithm every lock (and leader election) shares, as Curator's LockInternals:
//   1. create a protected EPHEMERAL_SEQUENTIAL node "<basePath>/_c_<uuid>-<lockName><seq>" (the
//      framework's withProtection finds it again if the connection drops mid-create; parents are
//      containers, created on demand);
//   2. list the children, sort them by sequence suffix, and ask the driver: held, or which node
//      to wait for;
//   3. wait for that one node only (getData with a watch — no herd, and no watch left behind on a
//      node that is already gone: NoNode there means "check again at once");
//   4. on a grant, confirm the node still exists and belongs to the current session (a node of a
//      session the framework gave up would vanish under us), take its czxid as fencing token and
//      start loss tracking; if our node is gone (session lost) start over with a new one, as far
//      as the retry policy allows.
// Timeout, AbortSignal and framework close stop the attempt at once; the node is then deleted —
// also one whose create was still in flight — before the attempt settles while connected, else by
// a guaranteed delete (listed in the framework's pendingGuaranteedDeletes until done). The watch
// on the predecessor is removed.
// Counterpart: org.apache.curator.framework.recipes.locks.LockInternals.

import {
  ClientClosedError, ConnectionState, NoNodeError, WatcherType, type Watcher, type ZooKeeperFramework,
} from '../../framework/index.js';
import { LockLostError, LockTimeoutError, type LostReason } from '../errors.js';
import { AttemptStop } from './attempt-stop.js';
import { StandardLockInternalsDriver, type LockInternalsDriver, type PredicateResults } from './driver.js';
import { abandonOwnNode, HeldNode, readOwnNode } from './held-node.js';
import { childName, makePath, validatePath } from './paths.js';
import { RevocationWatch } from './revocation.js';
import { sortChildren, type LockInternalsSorter } from './sorting.js';
import { Wakeup } from './wakeup.js';

export interface LockInternalsOptions<E extends Error> {
  /** The parent of the contenders' nodes (namespace-free). */
  readonly basePath: string;
  /** The node name after the protection prefix: "lock-", "latch-", "__READ__", ... */
  readonly lockName: string;
  /** Default: StandardLockInternalsDriver. */
  readonly driver?: LockInternalsDriver;
  /** How many contenders hold at once (the standard driver's "within maxLeases of the front"). Default 1. */
  readonly maxLeases?: number;
  /** The error a loss is reported with. Default: LockLostError(basePath, reason, nodePath). */
  readonly lostError?: (reason: LostReason, nodePath: string) => E;
  /** The error a timeout rejects with. Default: LockTimeoutError(basePath, timeoutMs). */
  readonly timeoutError?: (timeoutMs: number) => Error;
  /** Failures of background work (reading a revocation request). Default: process.emitWarning. */
  readonly onBackgroundError?: (error: unknown) => void;
}

export interface AttemptLockOptions {
  /**
   * Give up after this many milliseconds of waiting. The contender is always judged once first,
   * so a free lock is acquired even with 0. Undefined: wait until acquired, aborted or closed.
   */
  readonly timeoutMs?: number;
  /** Aborting rejects the attempt with `signal.reason` and deletes the contender's node. */
  readonly signal?: AbortSignal;
  /** The node's data. Undefined: the framework's default data. Ignored (empty) when revocable, as Curator. */
  readonly nodeData?: Buffer;
}

/** The children of `basePath` sorted by `sorter` ([] when it does not exist). */
export async function getSortedChildren(
  framework: ZooKeeperFramework, basePath: string, lockName: string, sorter: LockInternalsSorter,
): Promise<string[]> {
  try {
    return sortChildren(await framework.getChildren(basePath), lockName, sorter);
  } catch (e) {
    if (e instanceof NoNodeError) return [];
    throw e;
  }
}

export class LockInternals<E extends Error = LockLostError> {
  readonly basePath: string;
  readonly lockName: string;
  /** basePath + "/" + lockName: what the driver creates (with protection and a sequence). */
  readonly path: string;
  readonly driver: LockInternalsDriver;
  private maxLeasesValue: number;
  private revocable = false;
  private revocationListener: ((node: HeldNode<E>) => void) | undefined;
  private readonly wakeups = new Set<Wakeup>();
  private readonly makeLostError: (reason: LostReason, nodePath: string) => E;
  private readonly makeTimeoutError: (timeoutMs: number) => Error;
  private readonly onBackgroundError: (error: unknown) => void;

  constructor(
    readonly framework: ZooKeeperFramework,
    options: LockInternalsOptions<E>,
  ) {
    this.basePath = validatePath(options.basePath);
    this.lockName = options.lockName;
    this.path = makePath(this.basePath, options.lockName);
    validatePath(this.path);
    this.driver = options.driver ?? new StandardLockInternalsDriver();
    this.maxLeasesValue = checkMaxLeases(options.maxLeases ?? 1);
    const basePath = this.basePath;
    this.makeLostError =
      options.lostError ?? ((reason, nodePath) => new LockLostError(basePath, reason, nodePath) as unknown as E);
    this.makeTimeoutError = options.timeoutError ?? ((ms) => new LockTimeoutError(basePath, ms));
    this.onBackgroundError =
      options.onBackgroundError ?? ((e) => process.emitWarning(`zabkit recipes: revocation watch on ${basePath} failed: ${String(e)}`));
  }

  get maxLeases(): number {
    return this.maxLeasesValue;
  }

  /** Changes how many contenders hold at once; waiting contenders re-check. */
  setMaxLeases(maxLeases: number): void {
    this.maxLeasesValue = checkMaxLeases(maxLeases);
    for (const w of this.wakeups) w.ring();
  }

  /**
   * Makes nodes created from now on revocable: they are created empty and watched; "__REVOKE__"
   * written to one calls `listener` with the held node (once it is held). Without a listener the
   * caller subscribes per node with HeldNode.onRevocationRequested.
   */
  makeRevocable(listener?: (node: HeldNode<E>) => void): void {
    this.revocable = true;
    this.revocationListener = listener;
  }

  get isRevocable(): boolean {
    return this.revocable;
  }

  /** The contenders' node names in lock order. */
  sortedChildren(): Promise<string[]> {
    return getSortedChildren(this.framework, this.basePath, this.lockName, this.driver);
  }

  /** The contenders' node paths in lock order (the first maxLeases hold it). */
  async participantNodes(): Promise<string[]> {
    return (await this.sortedChildren()).map((name) => makePath(this.basePath, name));
  }

  /** Creates a contender node and waits until it holds (see the file header); resolves to the held node. */
  async attemptLock(options: AttemptLockOptions = {}): Promise<HeldNode<E>> {
    checkStarted(this.framework);
    const stop = new AttemptStop(options, this.makeTimeoutError);
    if (stop.stopped) {
      stop.dispose();
      throw stop.reason;
    }
    const wake = new Wakeup();
    this.wakeups.add(wake);
    const states = this.framework.connectionState$.subscribe({
      // A new session (our node may be gone) or a reconnect: look again.
      next: (s) => {
        if (s === ConnectionState.LOST || s === ConnectionState.RECONNECTED || s === ConnectionState.CONNECTED) wake.ring();
      },
      complete: () => stop.abort(new ClientClosedError('the ZooKeeper framework was closed while acquiring')),
    });
    const started = performance.now();
    try {
      for (let retryCount = 0; ; retryCount++) {
        const held = await this.attemptOnce(stop, wake, options.nodeData);
        if (held) return held;
        // Our node vanished (session lost, or it belonged to a session given up): a new node, if the policy allows.
        const pause = this.framework.retryPolicy.allowRetry(retryCount, performance.now() - started);
        if (pause === false) {
          throw new NoNodeError(this.path, { cause: new Error('the contender node kept disappearing (session loss?)') });
        }
        await stop.sleep(pause);
      }
    } finally {
      states.unsubscribe();
      this.wakeups.delete(wake);
      stop.dispose();
    }
  }

  /** One node: create, wait, confirm. Undefined when the node disappeared (start over). */
  private async attemptOnce(stop: AttemptStop, wake: Wakeup, nodeData: Buffer | undefined): Promise<HeldNode<E> | undefined> {
    const bytes = this.revocable ? Buffer.alloc(0) : nodeData;
    const creating = this.driver.createsTheLock(this.framework, this.path, bytes);
    let ourPath: string;
    try {
      ourPath = await stop.race(creating);
    } catch (e) {
      // Stopped while the create is in flight: its node is deleted once it lands (awaited while connected).
      if (stop.stopped) await abandonOwnNode(this.framework, creating);
      throw e;
    }
    let held: HeldNode<E> | undefined;
    const revocation = this.revocable
      ? new RevocationWatch(this.framework, ourPath, (e) => this.onBackgroundError(e))
      : undefined;
    try {
      if (revocation) await stop.race(revocation.start());
      held = await this.lockLoop(ourPath, stop, wake, revocation);
      return held;
    } finally {
      if (!held) {
        revocation?.stop();
        await abandonOwnNode(this.framework, ourPath);
      }
    }
  }

  private async lockLoop(
    ourPath: string, stop: AttemptStop, wake: Wakeup, revocation: RevocationWatch | undefined,
  ): Promise<HeldNode<E> | undefined> {
    const ourName = childName(ourPath);
    const watcher: Watcher = () => wake.ring();
    let watched: string | undefined;
    try {
      for (;;) {
        checkStarted(this.framework);
        wake.reset();
        const children = await stop.race(this.sortedChildren());
        let verdict: PredicateResults;
        try {
          verdict = this.driver.getsTheLock(children, ourName, this.maxLeasesValue);
        } catch (e) {
          if (e instanceof NoNodeError) return undefined;
          throw e;
        }
        if (verdict.getsTheLock) return await this.confirm(ourPath, stop, revocation);
        stop.markJudged();
        stop.check();
        const target = makePath(this.basePath, verdict.pathToWatch);
        if (watched !== undefined && watched !== target) this.removeWatch(watched, watcher);
        watched = target;
        try {
          // getData, not exists: no watch is left on a node that is already gone.
          await stop.race(this.framework.getData(target, { watch: watcher }));
        } catch (e) {
          if (e instanceof NoNodeError) continue; // released meanwhile: check again at once
          throw e;
        }
        await stop.race(wake.wait());
      }
    } finally {
      if (watched !== undefined) this.removeWatch(watched, watcher);
    }
  }

  /** The grant: our node must exist and belong to the session the check ran on. */
  private async confirm(ourPath: string, stop: AttemptStop, revocation: RevocationWatch | undefined): Promise<HeldNode<E> | undefined> {
    const own = await stop.raceAbort(readOwnNode(this.framework, ourPath));
    if (own === undefined) return undefined;
    const { stat, sessionId } = own;
    const held = new HeldNode<E>({
      framework: this.framework,
      path: ourPath,
      czxid: stat.czxid,
      sessionId,
      makeLostError: (reason) => this.makeLostError(reason, ourPath),
      ...(revocation ? { revocation } : {}),
    });
    const listener = this.revocationListener;
    if (listener) held.onRevocationRequested(() => listener(held));
    return held;
  }

  private removeWatch(path: string, watcher: Watcher): void {
    if (this.framework.lifecycle !== 'started') return;
    this.framework.removeWatches(path, WatcherType.Data, { watcher, local: true }).catch(() => undefined);
  }
}

function checkStarted(framework: ZooKeeperFramework): void {
  if (framework.lifecycle === 'stopped') throw new ClientClosedError('the ZooKeeper framework is closed');
  if (framework.lifecycle === 'latent') throw new Error('the ZooKeeper framework has not been started (call start())');
}

function checkMaxLeases(maxLeases: number): number {
  if (!(maxLeases === Infinity || (Number.isInteger(maxLeases) && maxLeases >= 1))) {
    throw new RangeError(`maxLeases must be an integer >= 1 (or Infinity), got ${String(maxLeases)}`);
  }
  return maxLeases;
}
