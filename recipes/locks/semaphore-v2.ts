// InterProcessSemaphoreV2: at most maxLeases leases at once across processes, mostly fair. The
// layout is Curator's: "<path>/locks" holds an InterProcessMutex that serialises acquirers, and
// "<path>/leases" one protected EPHEMERAL_SEQUENTIAL "lease-" node per lease. An acquirer takes
// the mutex, creates its lease node, and waits (children watch on leases/) until there are at
// most maxLeases lease nodes; then it releases the mutex and holds the lease. maxLeases is fixed,
// or read from a shared count so every process agrees (a SharedCountReader such as the counters
// recipe's SharedCount). As in Curator nothing checks that all processes use the same fixed number.
// Counterpart: org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2.

import {
  ClientClosedError, ConnectionState, CreateMode, NoNodeError, WatcherType, type Data, type Watcher,
  type ZooKeeperFramework,
} from '../../framework/index.js';
import { LockLostError, LockTimeoutError } from '../errors.js';
import {
  AttemptStop, HeldNode, Wakeup, abandonOwnNode, childName, makePath, readOwnNode, validatePath,
} from '../internal/index.js';
import { InterProcessMutex } from './interprocess-mutex.js';
import type { AcquireOptions } from './lock.js';
import { SemaphoreLease } from './semaphore-lease.js';
import type { SharedCountReader } from './shared-count-reader.js';

export const SEMAPHORE_LOCK_PARENT = 'locks';
export const SEMAPHORE_LEASE_PARENT = 'leases';
export const LEASE_BASE_NAME = 'lease-';

export interface InterProcessSemaphoreV2Options {
  /** Data of the lease nodes. Default: the framework's default data. */
  readonly nodeData?: Data;
}

export class InterProcessSemaphoreV2 {
  readonly path: string;
  /** "<path>/leases". */
  readonly leasesPath: string;
  private readonly lock: InterProcessMutex;
  private readonly fixedMaxLeases: number | undefined;
  private readonly count: SharedCountReader | undefined;
  private nodeData: Buffer | undefined;

  /** `maxLeases`: a fixed number (every process must use the same), or a shared count to read it from. */
  constructor(
    readonly framework: ZooKeeperFramework,
    path: string,
    maxLeases: number | SharedCountReader,
    options: InterProcessSemaphoreV2Options = {},
  ) {
    this.path = validatePath(path);
    this.lock = new InterProcessMutex(framework, makePath(this.path, SEMAPHORE_LOCK_PARENT));
    this.leasesPath = makePath(this.path, SEMAPHORE_LEASE_PARENT);
    if (typeof maxLeases === 'number') {
      if (!Number.isInteger(maxLeases) || maxLeases < 1) throw new RangeError(`maxLeases must be an integer >= 1, got ${maxLeases}`);
      this.fixedMaxLeases = maxLeases;
    } else {
      this.count = maxLeases;
    }
    this.setNodeData(options.nodeData);
  }

  /** The current maxLeases (from the shared count, if one was given). */
  get maxLeases(): number {
    return this.fixedMaxLeases ?? this.count?.count ?? 0;
  }

  /** Data for lease nodes created from now on (Curator's setNodeData). */
  setNodeData(data: Data | undefined): void {
    this.nodeData = data === undefined || data === null ? undefined : typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  }

  /** Acquires one lease (see acquireMany). */
  async acquire(options: AcquireOptions = {}): Promise<SemaphoreLease> {
    return (await this.acquireMany(1, options))[0]!;
  }

  /**
   * Acquires `qty` leases, waiting until enough are free. All or none: on timeout, abort or error
   * the leases already taken are returned. Rejects with LockTimeoutError, the signal's reason, or
   * ClientClosedError; NoNodeError if the lease node keeps vanishing (session loss) beyond the
   * retry policy.
   */
  async acquireMany(qty: number, options: AcquireOptions = {}): Promise<SemaphoreLease[]> {
    if (!Number.isInteger(qty) || qty < 1) throw new RangeError(`qty must be an integer >= 1, got ${qty}`);
    checkStarted(this.framework);
    const stop = new AttemptStop(options, (ms) => new LockTimeoutError(this.path, ms));
    if (stop.stopped) {
      stop.dispose();
      throw stop.reason;
    }
    const wake = new Wakeup();
    const states = this.framework.connectionState$.subscribe({
      next: (s) => {
        if (s === ConnectionState.LOST || s === ConnectionState.RECONNECTED) wake.ring();
      },
      complete: () => stop.abort(new ClientClosedError('the ZooKeeper framework was closed while acquiring')),
    });
    const counts = this.count?.count$.subscribe(() => wake.ring());
    const leases: SemaphoreLease[] = [];
    let success = false;
    try {
      while (leases.length < qty) {
        const started = performance.now();
        for (let retryCount = 0; ; retryCount++) {
          const lease = await this.acquireOne(stop, wake);
          if (lease) {
            leases.push(lease);
            break;
          }
          const pause = this.framework.retryPolicy.allowRetry(retryCount, performance.now() - started);
          if (pause === false) throw new NoNodeError(this.leasesPath, { cause: new Error('sequential path not found - possible session loss') });
          await stop.sleep(pause);
        }
      }
      success = true;
      return leases;
    } finally {
      states.unsubscribe();
      counts?.unsubscribe();
      stop.dispose();
      if (!success) await Promise.all(leases.map((l) => l.release().catch(() => undefined)));
    }
  }

  /** Returns a lease (Curator's returnLease): deletes its node; never rejects. */
  async returnLease(lease: SemaphoreLease): Promise<void> {
    await lease.release().catch(() => undefined);
  }

  /** Returns every lease (Curator's returnAll). */
  async returnAll(leases: Iterable<SemaphoreLease>): Promise<void> {
    await Promise.all([...leases].map((l) => this.returnLease(l)));
  }

  /** The lease node names (unordered), as Curator's getParticipantNodes. */
  async participantNodes(): Promise<string[]> {
    try {
      return await this.framework.getChildren(this.leasesPath);
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
  }

  /** One lease: under the internal mutex, create a lease node and wait for room. Undefined: the node vanished. */
  private async acquireOne(stop: AttemptStop, wake: Wakeup): Promise<SemaphoreLease | undefined> {
    const remaining = stop.remainingMs();
    let lockLease;
    try {
      lockLease = await this.lock.acquire({ ...(remaining !== undefined ? { timeoutMs: remaining } : {}), signal: stop.signal });
    } catch (e) {
      if (e instanceof LockTimeoutError && !stop.aborted) throw new LockTimeoutError(this.path, e.timeoutMs);
      throw e;
    }
    try {
      return await this.createAndWait(stop, wake);
    } finally {
      await lockLease.release();
    }
  }

  private async createAndWait(stop: AttemptStop, wake: Wakeup): Promise<SemaphoreLease | undefined> {
    const creating = this.framework.create(makePath(this.leasesPath, LEASE_BASE_NAME), this.nodeData, {
      mode: CreateMode.EPHEMERAL_SEQUENTIAL,
      withProtection: true,
      creatingParentContainersIfNeeded: true,
    });
    let nodePath: string;
    try {
      nodePath = await stop.raceAbort(creating);
    } catch (e) {
      // Stopped while the create is in flight: its node is deleted once it lands (awaited while connected).
      if (stop.stopped) await abandonOwnNode(this.framework, creating);
      throw e;
    }
    const nodeName = childName(nodePath);
    const watcher: Watcher = () => wake.ring();
    let lease: SemaphoreLease | undefined;
    try {
      for (;;) {
        checkStarted(this.framework);
        wake.reset();
        const children = await stop.raceAbort(this.framework.getChildren(this.leasesPath, { watch: watcher }));
        if (!children.includes(nodeName)) return undefined;
        if (children.length <= this.maxLeases) break;
        stop.markJudged();
        stop.check();
        await stop.race(wake.wait());
      }
      const own = await stop.raceAbort(readOwnNode(this.framework, nodePath));
      if (own === undefined) return undefined;
      const node = new HeldNode<LockLostError>({
        framework: this.framework,
        path: nodePath,
        czxid: own.stat.czxid,
        sessionId: own.sessionId,
        makeLostError: (reason) => new LockLostError(this.path, reason, nodePath),
      });
      lease = new SemaphoreLease(this.framework, this.path, node);
      return lease;
    } finally {
      if (this.framework.lifecycle === 'started') {
        this.framework.removeWatches(this.leasesPath, WatcherType.Children, { watcher, local: true }).catch(() => undefined);
      }
      if (!lease) await abandonOwnNode(this.framework, nodePath);
    }
  }

  toString(): string {
    return `InterProcessSemaphoreV2(${this.path}, maxLeases ${this.maxLeases})`;
  }
}

function checkStarted(framework: ZooKeeperFramework): void {
  if (framework.lifecycle === 'stopped') throw new ClientClosedError('the ZooKeeper framework is closed');
  if (framework.lifecycle === 'latent') throw new Error('the ZooKeeper framework has not been started (call start())');
}
