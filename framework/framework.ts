// ZooKeeperFramework: Curator's CuratorFramework for TypeScript. One object owns a ZooKeeper
// session (renewed automatically after expiry), runs every operation in the retry loop, applies
// the namespace, ACL provider and compression, streams connection states and offers Curator's
// conveniences (parents, protection, orSetData, idempotent and guaranteed ops, typed
// transactions, persistent watches as Observables). `usingNamespace` gives a view of the same
// framework under another namespace. Counterpart: CuratorFrameworkImpl / NamespaceFacade.

import type { Observable } from 'rxjs';
import type { ACL, Stat, WatcherType } from '../protocol/index.js';
import type { Watcher, WatchedEvent } from './client/events.js';
import type { Data } from './client/multi-ops.js';
import type { ZooKeeperClient } from './client/zookeeper-client.js';
import { aclFor } from './core/acl-provider.js';
import { FrameworkCore, type FrameworkLifecycle } from './core/framework-core.js';
import { Namespace } from './core/namespace.js';
import { isCompressed, runOp, type OpContext } from './core/op-context.js';
import { resolveFrameworkOptions, type FrameworkOptions } from './core/options.js';
import { createNode, type CreateOptions } from './ops/create.js';
import { deleteNode, type DeleteOptions } from './ops/delete.js';
import { setNodeData, type SetDataOptions } from './ops/set-data.js';
import { Transaction } from './ops/transaction.js';
import { mkdirs } from './ops/tree.js';
import { persistentWatch, type PersistentWatchOptions } from './ops/watchers.js';
import type { RetryPolicy } from './retry/retry-policy.js';
import { circuitBreaking } from './state/circuit-breaking.js';
import type { ConnectionState } from './state/connection-state.js';
import type { ConnectionStateErrorPolicy } from './state/error-policy.js';

/** `true`: the event goes to `watchEvents$`; a function: to that watcher. One-shot, as in ZooKeeper. */
export type FrameworkWatchOption = true | Watcher;

export interface WatchedReadOptions {
  watch?: FrameworkWatchOption;
}

export interface GetDataOptions extends WatchedReadOptions {
  /** The data was written compressed: decompress it (default: the framework's compressionEnabled). */
  compressed?: boolean;
}

export class ZooKeeperFramework {
  private core!: FrameworkCore;
  private ctx!: OpContext;
  private facade!: boolean;
  private defaultWatcher!: Watcher;

  /** A framework in the LATENT state: call start() (or use ZooKeeperFramework.start). */
  constructor(options: FrameworkOptions) {
    const resolved = resolveFrameworkOptions(options);
    this.init(new FrameworkCore(resolved), resolved.namespace, false);
  }

  /** Creates a framework and starts connecting; operations wait for the connection as needed. */
  static start(options: FrameworkOptions): ZooKeeperFramework {
    return new ZooKeeperFramework(options).start();
  }

  private init(core: FrameworkCore, namespace: string | undefined, facade: boolean): void {
    this.core = core;
    this.facade = facade;
    const ns = new Namespace(namespace, (root) =>
      core.withRetry((client) =>
        mkdirs(client, root, { makeLastNode: true, asContainers: true, aclFor: (p) => aclFor(core.options.aclProvider, p) }),
      ),
    );
    this.ctx = { core, namespace: ns };
    this.defaultWatcher = (event) => core.watchEvents.next({ ...event, path: ns.unfix(event.path) });
  }

  // ---- lifecycle ----

  /** Starts connecting (returns at once). A framework starts once. */
  start(): this {
    if (this.facade) throw new Error('a namespace view cannot be started; start the framework it came from');
    this.core.start();
    return this;
  }

  /** Closes the session (its ephemerals go at once), stops background work and completes every stream. */
  close(): Promise<void> {
    if (this.facade) return Promise.reject(new Error('a namespace view cannot be closed; close the framework it came from'));
    return this.core.close();
  }

  /** 'latent' before start(), 'started', then 'stopped' after close(). */
  get lifecycle(): FrameworkLifecycle {
    return this.core.lifecycle;
  }

  /** The current ZooKeeperClient (a new one after a session expiry) for what the framework does not cover. */
  get client(): ZooKeeperClient {
    return this.core.holder.current;
  }

  // ---- namespace ----

  /** This view's namespace (undefined for none). */
  get namespace(): string | undefined {
    return this.ctx.namespace.name;
  }

  /** A view of this framework under another namespace (undefined: none); same session, state and lifecycle. */
  usingNamespace(namespace: string | undefined): ZooKeeperFramework {
    const key = namespace ?? '';
    const cache = this.core.facades as Map<string, ZooKeeperFramework>;
    let view = cache.get(key);
    if (!view) {
      view = Object.create(ZooKeeperFramework.prototype) as ZooKeeperFramework;
      view.init(this.core, namespace, true);
      cache.set(key, view);
    }
    return view;
  }

  /** The ZooKeeper path of an application path under this view's namespace. */
  fixForNamespace(path: string): string {
    return this.ctx.namespace.fix(path);
  }

  /** The application path of a ZooKeeper path (unchanged when outside the namespace). */
  unfixForNamespace(path: string): string {
    return this.ctx.namespace.unfix(path);
  }

  // ---- connection state ----

  /** CONNECTED, SUSPENDED, RECONNECTED, LOST, READ_ONLY; new subscribers get the current state first. Completes on close. */
  get connectionState$(): Observable<ConnectionState> {
    return this.core.states.state$;
  }

  /** The current connection state (undefined before the first connection). */
  get connectionState(): ConnectionState | undefined {
    return this.core.states.current;
  }

  get isConnected(): boolean {
    return this.core.states.isConnected;
  }

  /** Resolves true once connected, false if `timeoutMs` passes first (or the framework closes). */
  blockUntilConnected(timeoutMs?: number): Promise<boolean> {
    return this.core.states.blockUntilConnected(timeoutMs);
  }

  /** The connection states, calmed by a circuit breaker driven by `retryPolicy` (see circuitBreaking). */
  circuitBreakingConnectionState$(retryPolicy: RetryPolicy): Observable<ConnectionState> {
    return circuitBreaking(this.core.states.state$, { retryPolicy, clock: this.core.options.clock });
  }

  get connectionStateErrorPolicy(): ConnectionStateErrorPolicy {
    return this.core.options.connectionStateErrorPolicy;
  }

  /** Whether recipes must treat `state` as losing what they hold (per the connection-state error policy). */
  isErrorState(state: ConnectionState): boolean {
    return this.core.options.connectionStateErrorPolicy.isErrorState(state);
  }

  // ---- retry ----

  get retryPolicy(): RetryPolicy {
    return this.core.options.retryPolicy;
  }

  /**
   * Runs `operation` under the retry policy: each attempt waits for a connection (up to
   * connectionTimeoutMs) and gets the current client; connection loss, operation timeout, session
   * moved and session expiry are retried (per the policy). The namespace node is created first if
   * needed, but paths given to the client are not namespaced — use fixForNamespace.
   */
  withRetry<T>(operation: (client: ZooKeeperClient) => Promise<T>): Promise<T> {
    return runOp(this.ctx, operation);
  }

  // ---- operations ----

  /** Creates a node and resolves to its path (sequence number and protection prefix included). */
  create(path: string, data?: Data, options: CreateOptions = {}): Promise<string> {
    return createNode(this.ctx, path, data, options);
  }

  delete(path: string, options: DeleteOptions = {}): Promise<void> {
    return deleteNode(this.ctx, path, options);
  }

  /** The node's Stat, or null if it does not exist (a watch is set either way). */
  exists(path: string, options: WatchedReadOptions = {}): Promise<Stat | null> {
    const serverPath = this.ctx.namespace.fix(path);
    const watch = this.watcherFor(options.watch);
    return runOp(this.ctx, (client) => client.exists(serverPath, watch ? { watch } : {}));
  }

  async getData(path: string, options: GetDataOptions = {}): Promise<{ data: Buffer | null; stat: Stat }> {
    const serverPath = this.ctx.namespace.fix(path);
    const watch = this.watcherFor(options.watch);
    const result = await runOp(this.ctx, (client) => client.getData(serverPath, watch ? { watch } : {}));
    if (!isCompressed(this.ctx, options.compressed) || result.data === null) return result;
    return { data: this.core.options.compressionProvider.decompress(serverPath, result.data), stat: result.stat };
  }

  setData(path: string, data: Data, options: SetDataOptions = {}): Promise<Stat> {
    return setNodeData(this.ctx, path, data, options);
  }

  /** The names of the node's children (unordered). */
  async getChildren(path: string, options: WatchedReadOptions = {}): Promise<string[]> {
    const serverPath = this.ctx.namespace.fix(path);
    const watch = this.watcherFor(options.watch);
    return (await runOp(this.ctx, (client) => client.getChildren(serverPath, watch ? { watch } : {}))).children;
  }

  getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }> {
    const serverPath = this.ctx.namespace.fix(path);
    return runOp(this.ctx, (client) => client.getACL(serverPath));
  }

  setACL(path: string, acl: readonly ACL[], options: { version?: number } = {}): Promise<Stat> {
    const serverPath = this.ctx.namespace.fix(path);
    return runOp(this.ctx, (client) => client.setACL(serverPath, acl, options.version ?? -1));
  }

  /** Waits until the connected server has caught up with the leader (for a read that must see every earlier write). */
  async sync(path = '/'): Promise<void> {
    const serverPath = this.ctx.namespace.fix(path);
    await runOp(this.ctx, (client) => client.sync(serverPath));
  }

  /** A typed transaction: chain create / setData / check / delete, then commit(); or forOperations([...]). */
  transaction(): Transaction<[]> {
    return new Transaction(this.ctx);
  }

  /**
   * A persistent (or, with `recursive`, persistent-recursive) watch as an Observable: subscribing
   * adds it, unsubscribing removes it from the server; it survives reconnects and is added again
   * on a new session.
   */
  watch(path: string, options: PersistentWatchOptions = {}): Observable<WatchedEvent> {
    return persistentWatch(this.ctx, path, options);
  }

  /** Events of watches set with `watch: true` (any namespace view). Completes on close. */
  get watchEvents$(): Observable<WatchedEvent> {
    return this.core.watchEvents.asObservable();
  }

  /**
   * Removes one-shot watches set through this framework: all of `type` on `path`, or only
   * `watcher`'s (`true` = the watchEvents$ ones). `local`: remove locally even when the server cannot be reached.
   */
  async removeWatches(path: string, type: WatcherType, options: { watcher?: Watcher | true; local?: boolean } = {}): Promise<void> {
    const serverPath = this.ctx.namespace.fix(path);
    const watcher = options.watcher === true ? this.defaultWatcher : options.watcher && this.ctx.namespace.wrapperOf(options.watcher);
    if (options.watcher !== undefined && watcher === undefined) {
      // Never registered through this view: let the client report NoWatcher.
      await runOp(this.ctx, (client) => client.removeWatches(serverPath, type, { watcher: options.watcher as Watcher, local: options.local ?? false }));
      return;
    }
    await runOp(this.ctx, (client) =>
      client.removeWatches(serverPath, type, { ...(watcher ? { watcher } : {}), local: options.local ?? false }),
    );
  }

  /**
   * ZooKeeper paths (namespace included) of guaranteed deletes not yet done: each is listed from
   * its first attempt (the caller's own retry loop) until the node is gone, through the background
   * retries that take over when that attempt fails for a connection reason; the framework's own
   * guaranteed deletes (a protected create's leftover node) are listed while they run. A delete
   * leaves the list once the node is gone, a non-retryable error ends it (reported as a background
   * error), or the framework closes — so an empty list after waiting means no such delete is left
   * in flight.
   */
  get pendingGuaranteedDeletes(): string[] {
    return this.core.guaranteedDeletes.paths;
  }

  toString(): string {
    return `ZooKeeperFramework(${this.core.lifecycle}${this.namespace ? `, namespace ${this.namespace}` : ''})`;
  }

  private watcherFor(watch: FrameworkWatchOption | undefined): Watcher | undefined {
    if (watch === undefined) return undefined;
    return watch === true ? this.defaultWatcher : this.ctx.namespace.wrap(watch);
  }
}
