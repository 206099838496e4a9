// PersistentNode: a node that tries to stay in ZooKeeper through connection loss, session expiry
// and deletion by others. It is created in the background after start(); when it is deleted (its
// exists watch fires), on every RECONNECTED (a new session has lost an ephemeral one) and after a
// failed attempt once connected again, it is created again — with the same name for plain modes,
// with the same sequence suffix for sequential ones (the first create picks the number). A node
// found already there is adopted and given our data. setData is kept and carried into every
// re-creation; close() deletes the node (guaranteed). Counterpart: Curator's PersistentNode (and
// PersistentEphemeralNode, which is this with an ephemeral mode).

import { Observable, Subject, type Subscription } from 'rxjs';
import {
  ClientClosedError, ConnectionState, CreateMode, EventType, NodeExistsError, NoNodeError, WatcherType,
  isRetryableError, type WatchedEvent, type Watcher, type ZooKeeperFramework,
} from '../../framework/index.js';
import { BadArgumentsError, createModeInfo, pathProblem, type CreateModeInfo } from '../../protocol/index.js';
import { toBytes, type NodeBytes } from './node-bytes.js';

export interface PersistentNodeOptions {
  /** How the node is created (EPHEMERAL for a node that lives as long as the process, ...). */
  readonly mode: CreateMode;
  /** The node's data. Default: empty. */
  readonly data?: NodeBytes;
  /** Create with Curator's protection ("_c_<uuid>-" name prefix), so a create lost with the connection is found again. Default false. */
  readonly useProtection?: boolean;
  /** Time to live of the TTL modes, in milliseconds (required for them). */
  readonly ttlMs?: number;
  /** Create missing parents as containers. Default true, as Curator. */
  readonly useParentCreation?: boolean;
  /** Receives failures the node cannot recover from by itself (NoAuth, missing parent, unexpected errors). Default: process.emitWarning. */
  readonly onError?: (error: unknown) => void;
}

type Lifecycle = 'latent' | 'started' | 'closed';

/** The number of digits ZooKeeper appends to sequential names. */
const SEQUENCE_DIGITS = 10;

export class PersistentNode {
  readonly basePath: string;
  private readonly mode: CreateMode;
  private readonly info: CreateModeInfo;
  private readonly useProtection: boolean;
  private readonly useParentCreation: boolean;
  private readonly ttlMs: number | undefined;
  private readonly onError: (error: unknown) => void;
  private lifecycle: Lifecycle = 'latent';
  private bytes: Buffer;
  private nodePath: string | undefined;
  private initialCreateDone = false;
  private readonly initialCreateWaiters = new Set<(created: boolean) => void>();
  private readonly createdSubject = new Subject<string>();
  private stateSubscription: Subscription | undefined;
  /** The background work loop (create / watch), if it runs; `again` asks it for one more round. */
  private running: Promise<void> | undefined;
  private again = false;
  /** The parent is missing and useParentCreation is off: creates wait for a RECONNECTED. */
  private parentMissing = false;
  private readonly watcher: Watcher = (event) => this.onWatchEvent(event);

  /**
   * @param framework a started framework (the node lives in its namespace)
   * @param basePath the node's path; for sequential modes, the name prefix the sequence number is appended to
   */
  constructor(
    private readonly framework: ZooKeeperFramework,
    basePath: string,
    options: PersistentNodeOptions,
  ) {
    const problem = pathProblem(basePath);
    if (problem !== undefined) throw new BadArgumentsError(basePath, { cause: new Error(`invalid path "${basePath}": ${problem}`) });
    const info = createModeInfo(options.mode);
    if (info === undefined) throw new RangeError(`unknown create mode ${String(options.mode)}`);
    if (info.ttl && !(options.ttlMs !== undefined && options.ttlMs > 0)) throw new RangeError('a TTL mode needs ttlMs > 0');
    this.basePath = basePath;
    this.mode = options.mode;
    this.info = info;
    this.useProtection = options.useProtection ?? false;
    this.useParentCreation = options.useParentCreation ?? true;
    this.ttlMs = info.ttl ? options.ttlMs : undefined;
    this.bytes = toBytes(options.data);
    this.onError = options.onError ?? ((e) => process.emitWarning(`zabkit PersistentNode ${basePath}: ${String(e)}`));
  }

  /** Starts creating the node in the background (returns at once). A node starts once. */
  start(): void {
    if (this.lifecycle !== 'latent') throw new Error(`PersistentNode ${this.basePath} cannot be started: it is ${this.lifecycle}`);
    this.lifecycle = 'started';
    let first = true;
    this.stateSubscription = this.framework.connectionState$.subscribe((state) => {
      // The replayed current state is not a change; the first create is started below.
      if (!first && state === ConnectionState.RECONNECTED) this.kick();
    });
    first = false;
    this.kick();
  }

  /**
   * Resolves true once the first create (or adoption of an existing node) has completed, false
   * if `timeoutMs` passes first or the node is closed. Throws unless started.
   */
  waitForInitialCreate(timeoutMs: number): Promise<boolean> {
    if (this.lifecycle === 'latent') return Promise.reject(new Error(`PersistentNode ${this.basePath} is not started`));
    if (this.initialCreateDone) return Promise.resolve(true);
    if (this.lifecycle === 'closed') return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const done = (created: boolean): void => {
        clearTimeout(timer);
        this.initialCreateWaiters.delete(done);
        resolve(created);
      };
      const timer = setTimeout(() => done(false), Math.max(0, timeoutMs));
      this.initialCreateWaiters.add(done);
    });
  }

  /** The node's current path (sequence number and protection prefix included); undefined until first created. */
  get actualPath(): string | undefined {
    return this.nodePath;
  }

  /** The data the node is kept with (do not modify the Buffer). */
  get data(): Buffer {
    return this.bytes;
  }

  /** Emits the node's path each time this PersistentNode created it (not when it adopted an existing node). */
  get created$(): Observable<string> {
    return this.createdSubject.asObservable();
  }

  /**
   * Changes the node's data: kept for every later re-creation and written to the node now.
   * Resolves once written (or once the node is known to be gone, its re-creation carrying the new
   * data). Call after waitForInitialCreate(): before the first create it throws, as Curator.
   */
  async setData(data: NodeBytes): Promise<void> {
    if (this.lifecycle !== 'started') throw new Error(`PersistentNode ${this.basePath} is ${this.lifecycle}`);
    if (this.parentMissing) throw new Error(`PersistentNode ${this.basePath}: its parent does not exist (useParentCreation is off)`);
    const path = this.nodePath;
    if (path === undefined) throw new Error(`PersistentNode ${this.basePath}: the initial create has not completed; await waitForInitialCreate() first`);
    this.bytes = Buffer.from(toBytes(data));
    try {
      await this.framework.setData(path, this.bytes);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
      this.kick(); // gone: the re-creation writes the new data
    }
  }

  /**
   * Stops keeping the node and deletes it (a delete that fails for connection reasons goes on
   * in the background until done). Waits for a create in flight first, so no node of ours is
   * left behind. Closing twice, or before start, does nothing more.
   */
  async close(): Promise<void> {
    const wasStarted = this.lifecycle === 'started';
    this.lifecycle = 'closed';
    if (!wasStarted) return;
    this.stateSubscription?.unsubscribe();
    for (const waiter of [...this.initialCreateWaiters]) waiter(false);
    await this.running;
    const path = this.nodePath;
    this.nodePath = undefined;
    this.createdSubject.complete();
    if (path === undefined) return;
    await this.removeWatcher(path);
    await this.deleteOnClose(path);
  }

  /** Deletes the node on close; PersistentTtlNode keeps it (its TTL removes it). */
  protected async deleteOnClose(path: string): Promise<void> {
    try {
      await this.framework.delete(path, { guaranteed: true, quietly: true });
    } catch (e) {
      // A connection failure leaves the delete to the guaranteed-delete manager; a closed framework took its session's ephemerals.
      if (isRetryableError(e) || e instanceof ClientClosedError) return;
      throw e;
    }
  }

  toString(): string {
    return `PersistentNode(${this.basePath}, ${this.lifecycle}${this.nodePath ? `, at ${this.nodePath}` : ''})`;
  }

  // ---- background work: one loop, so creates never overlap

  private kick(): void {
    if (this.lifecycle !== 'started') return;
    this.again = true;
    this.running ??= this.loop();
  }

  private async loop(): Promise<void> {
    await Promise.resolve(); // kick() stores this promise before the loop can end
    try {
      while (this.again && this.lifecycle === 'started') {
        this.again = false;
        try {
          await this.ensure();
        } catch (e) {
          this.onFailure(e);
        }
      }
    } finally {
      // Cleared in the same turn the loop decides to stop, so a kick() right after starts a new one.
      this.running = undefined;
    }
  }

  /** One round: create (or adopt) the node, then watch it; a node gone by then means another round. */
  private async ensure(): Promise<void> {
    const existing = this.nodePath;
    const createPath = this.createPathFor(existing);
    const written = this.bytes;
    let path: string;
    let adopted = false;
    try {
      path = await this.framework.create(createPath, written, {
        mode: existing !== undefined ? withoutSequence(this.mode) : this.mode,
        withProtection: this.useProtection,
        ...(this.useParentCreation ? { creatingParentContainersIfNeeded: true } : {}),
        ...(this.ttlMs !== undefined ? { ttlMs: this.ttlMs } : {}),
      });
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
      path = createPath;
      adopted = true;
    }
    this.parentMissing = false;
    this.nodePath = path;
    if (this.lifecycle !== 'started') return; // close() deletes it
    if (adopted || written !== this.bytes) {
      // Someone else's node, or setData raced the create: make it hold our data.
      try {
        await this.framework.setData(path, this.bytes);
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
        this.again = true;
        return;
      }
    }
    this.initialCreateComplete();
    if (!adopted) this.createdSubject.next(path);
    await this.watch(path);
  }

  private async watch(path: string): Promise<void> {
    if (this.lifecycle !== 'started') return;
    const stat = await this.framework.exists(path, { watch: this.watcher });
    if (stat === null) {
      this.again = true;
      return;
    }
    if ((stat.ephemeralOwner !== 0n) !== this.info.ephemeral) {
      this.onError(new Error(`${path} exists but is ${stat.ephemeralOwner !== 0n ? '' : 'not '}ephemeral: was it created outside this PersistentNode?`));
    }
  }

  private onWatchEvent(event: WatchedEvent): void {
    if (this.lifecycle !== 'started' || event.path !== this.nodePath) return;
    if (event.type === EventType.NodeDeleted) this.kick();
    else if (event.type === EventType.NodeDataChanged) void this.rewatch(event.path);
  }

  private async rewatch(path: string): Promise<void> {
    try {
      await this.watch(path);
      if (this.again) this.kick();
    } catch (e) {
      this.onFailure(e);
    }
  }

  private onFailure(e: unknown): void {
    if (this.lifecycle !== 'started' || e instanceof ClientClosedError) return;
    if (isRetryableError(e)) {
      // The retry policy gave up. A RECONNECTED starts another round; if we are connected now there will be none.
      if (this.framework.isConnected) this.again = true;
      return;
    }
    if (e instanceof NoNodeError) {
      if (this.useParentCreation) {
        this.again = true; // a parent container was reaped between its creation and ours: go again
        return;
      }
      this.parentMissing = true;
    }
    // NoAuth and the like: reported; a RECONNECTED tries again (credentials may have changed).
    this.onError(e);
  }

  private initialCreateComplete(): void {
    if (this.initialCreateDone) return;
    this.initialCreateDone = true;
    for (const waiter of [...this.initialCreateWaiters]) waiter(true);
  }

  /**
   * Where to create: the known path again (plain modes), the base path with the known sequence
   * suffix (protected sequential: a new protection prefix goes in front), or the base path.
   */
  private createPathFor(existing: string | undefined): string {
    if (existing === undefined) return this.basePath;
    if (!this.useProtection) return existing;
    if (this.info.sequential) return this.basePath + existing.slice(-SEQUENCE_DIGITS);
    return this.basePath;
  }

  private async removeWatcher(path: string): Promise<void> {
    const removal = this.framework.removeWatches(path, WatcherType.Data, { watcher: this.watcher, local: true }).catch(() => undefined);
    // Disconnected, the server keeps the watch until the session ends; a late event finds us closed.
    if (this.framework.isConnected) await removal;
  }
}

/** The mode that re-creates a sequential node under the name it already has. */
function withoutSequence(mode: CreateMode): CreateMode {
  switch (mode) {
    case CreateMode.EPHEMERAL_SEQUENTIAL:
      return CreateMode.EPHEMERAL;
    case CreateMode.PERSISTENT_SEQUENTIAL:
      return CreateMode.PERSISTENT;
    case CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL:
      return CreateMode.PERSISTENT_WITH_TTL;
    default:
      return mode;
  }
}
