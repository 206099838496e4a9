// One run of a cache, from subscribe to unsubscribe: keeps a subtree's nodes (data + Stat) in
// step with the server and reports every difference it finds. Level-triggered: a watch event
// only says "re-read this node"; what is reported comes from comparing each read, in the order
// the server answered, with what is cached (by czxid / mzxid / pzxid). After every reconnection
// (same or new session) the whole subtree is read again, so missed events cost nothing.
// Watches: one persistent-recursive watch on the root where the server has addWatch (3.6+),
// else one-shot data / child watches per node and an exists watch on a missing root.
// Counterpart: the refresh logic of Curator's TreeCache / CuratorCache / PathChildrenCache.

import { AddWatchMode, EventType, joinPath, parentOf, childNameOf, NoNodeError, UnimplementedError, WatcherType, type Stat } from '../../protocol/index.js';
import type { Subscription } from 'rxjs';
import type { WatchedEvent, Watcher } from '../client/events.js';
import type { CacheSource } from './cache-source.js';
import type { CacheScope } from './cache-scope.js';
import { childData, isStaleRead, sameIncarnation, type CacheEvent, type ChildData } from './child-data.js';
import { OrderedReads, type ReadOutcome } from './ordered-reads.js';
import { isConnectionProblem } from './read-errors.js';

export interface TreeSyncOptions {
  readonly scope: CacheScope;
  /** Keep node data (false: Stats only). */
  readonly cacheData: boolean;
  /** Applied to data read from the server (e.g. gunzip); a throw is reported and the data dropped. */
  readonly decode: ((path: string, data: Buffer) => Buffer) | undefined;
  /** Try one persistent-recursive watch before falling back to one-shot watches. */
  readonly recursiveWatch: boolean;
  readonly onError: (error: unknown, path: string) => void;
}

interface CachedNode {
  data: Buffer | null;
  stat: Stat;
  /** Names of the cached children. */
  readonly children: Set<string>;
  /** pzxid of the last children list applied (stale lists are ignored). */
  childrenPzxid: bigint;
}

/** A full read of the subtree: done when all its reads (and the reads they led to) are applied. */
interface Walk {
  pending: number;
  failed: boolean;
}

type WatchStrategy = 'unknown' | 'recursive' | 'oneShot';

export class TreeSync {
  private readonly nodes = new Map<string, CachedNode>();
  private readonly reads = new OrderedReads();
  /** Paths given a one-shot watch, for removal at stop. */
  private readonly watchedPaths = new Set<string>();
  private readonly watcher: Watcher = (event) => this.onWatchEvent(event);
  private strategy: WatchStrategy;
  private running = false;
  private interrupted = false;
  private initializedValue = false;
  private states: Subscription | undefined;

  constructor(
    private readonly source: CacheSource,
    private readonly options: TreeSyncOptions,
    private readonly emit: (event: CacheEvent) => void,
    private readonly complete: () => void,
  ) {
    this.strategy = options.recursiveWatch ? 'unknown' : 'oneShot';
  }

  get root(): string {
    return this.options.scope.root;
  }

  get isInitialized(): boolean {
    return this.initializedValue;
  }

  /** Which watches this run uses ('unknown' until the server answered addWatch). */
  get watchStrategy(): WatchStrategy {
    return this.strategy;
  }

  current(path: string): ChildData | undefined {
    const node = this.nodes.get(path);
    return node && childData(path, node.data, node.stat);
  }

  /** Names of a cached node's cached children (undefined when the node is not cached). */
  childNames(path: string): string[] | undefined {
    const node = this.nodes.get(path);
    return node && [...node.children];
  }

  /** Every cached node, parents before children. */
  snapshot(): ChildData[] {
    const out: ChildData[] = [];
    const visit = (path: string): void => {
      const node = this.nodes.get(path);
      if (!node) return;
      out.push(childData(path, node.data, node.stat));
      for (const name of node.children) visit(joinPath(path, name));
    };
    visit(this.root);
    return out;
  }

  start(): void {
    this.running = true;
    this.states = this.source.connectionState$.subscribe({
      next: (state) => {
        if (state === 'SUSPENDED' || state === 'LOST') this.interrupted = true;
        else if (this.interrupted) {
          this.interrupted = false;
          this.synchronize(true);
        }
      },
      complete: () => {
        if (this.running) this.complete();
      },
    });
    if (this.running) this.synchronize(false);
  }

  /** Stops reporting, then removes this run's watches from the client and the server. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.states?.unsubscribe();
    await this.reads.idle();
    const removals: Promise<void>[] = [];
    const remove = (path: string): void => {
      removals.push(this.source.removeWatches(path, WatcherType.Any, { watcher: this.watcher, local: true }).catch(() => undefined));
    };
    // 'unknown' too: an addWatch answered after stop() registered the watch without saying so.
    if (this.strategy !== 'oneShot') remove(this.root);
    for (const path of this.watchedPaths) remove(path);
    this.nodes.clear();
    await Promise.all(removals);
  }

  // ---- reading ----

  /** A full read: (re-)add the recursive watch, then every covered node with its children. */
  private synchronize(afterReconnect: boolean): void {
    const walk: Walk = { pending: 0, failed: false };
    if (afterReconnect) this.issue(walk, () => this.source.sync(this.root), () => undefined);
    if (this.strategy === 'oneShot') {
      this.refreshNode(this.root, walk, true);
      return;
    }
    // Once the server is known to have addWatch, the reads go out right behind it.
    const known = this.strategy === 'recursive';
    this.issue(walk, () => this.source.addWatch(this.root, AddWatchMode.PERSISTENT_RECURSIVE, this.watcher), (outcome) => {
      if (outcome.ok) this.strategy = 'recursive';
      else if (outcome.error instanceof UnimplementedError) this.strategy = 'oneShot';
      else return this.failed(outcome.error, this.root, walk);
      // Until now the strategy was unknown (or the server stopped having addWatch): read with the right watches.
      if (!known || this.strategy === 'oneShot') this.refreshNode(this.root, walk, true);
    });
    if (known) this.refreshNode(this.root, walk, true);
  }

  /** Reads a node's data and Stat; `deep` re-reads its known children as well. */
  private refreshNode(path: string, walk: Walk | undefined, deep: boolean): void {
    const oneShot = this.strategy === 'oneShot';
    if (oneShot) this.watchedPaths.add(path);
    const watch = oneShot ? { watch: this.watcher } : {};
    if (this.options.cacheData || oneShot) {
      this.issue(walk, () => this.source.getData(path, watch), (outcome) => {
        if (oneShot && outcome.ok) this.watchedPaths.add(path);
        if (outcome.ok) this.applyNode(path, this.decoded(path, outcome.value.data), outcome.value.stat, walk, deep);
        else if (outcome.error instanceof NoNodeError) this.applyMissing(path, walk);
        else this.failed(outcome.error, path, walk);
      });
      return;
    }
    this.issue(walk, () => this.source.exists(path), (outcome) => {
      if (!outcome.ok) this.failed(outcome.error, path, walk);
      else if (outcome.value) this.applyNode(path, null, outcome.value, walk, deep);
      else this.applyMissing(path, walk);
    });
  }

  private refreshChildren(path: string, walk: Walk | undefined, deep: boolean): void {
    const oneShot = this.strategy === 'oneShot';
    if (oneShot) this.watchedPaths.add(path);
    this.issue(walk, () => this.source.getChildren(path, oneShot ? { watch: this.watcher } : {}), (outcome) => {
      if (oneShot && outcome.ok) this.watchedPaths.add(path);
      if (outcome.ok) this.applyChildren(path, outcome.value.children, outcome.value.stat, walk, deep);
      else if (outcome.error instanceof NoNodeError) this.applyMissing(path, walk);
      else this.failed(outcome.error, path, walk);
    });
  }

  /** A missing root in one-shot mode: an exists watch reports its creation. */
  private awaitRoot(walk: Walk | undefined): void {
    this.watchedPaths.add(this.root);
    this.issue(walk, () => this.source.exists(this.root, { watch: this.watcher }), (outcome) => {
      if (!outcome.ok) this.failed(outcome.error, this.root, walk);
      else if (outcome.value) this.refreshNode(this.root, walk, true);
    });
  }

  private issue<T>(walk: Walk | undefined, read: () => Promise<T>, apply: (outcome: ReadOutcome<T>) => void): void {
    if (walk) walk.pending++;
    this.reads.issue(read, (outcome) => {
      if (this.running) apply(outcome);
      if (walk && --walk.pending === 0 && !walk.failed && this.running && !this.initializedValue) {
        this.initializedValue = true;
        this.emit({ type: 'initialized' });
      }
    });
  }

  // ---- applying what was read ----

  private applyNode(path: string, data: Buffer | null, stat: Stat, walk: Walk | undefined, deep: boolean): void {
    const scope = this.options.scope;
    const isRoot = path === this.root;
    const parent = isRoot ? undefined : this.nodes.get(parentOf(path));
    // Only under a cached parent (whose children list, or a later event, brings it otherwise).
    if (!isRoot && !parent) return;
    const existing = this.nodes.get(path);
    if (existing) {
      if (isStaleRead(existing.stat, stat)) return;
      if (sameIncarnation(existing.stat, stat)) {
        const previous = childData(path, existing.data, existing.stat);
        existing.stat = stat;
        if (previous.stat.mzxid !== stat.mzxid) {
          existing.data = data;
          this.emit({ type: 'updated', path, data, stat, previous });
        }
        if (deep && scope.traverses(path)) this.refreshChildren(path, walk, true);
        return;
      }
      // Deleted and created again since the last read: a different node.
      this.removeSubtree(path);
    }
    this.nodes.set(path, { data, stat, children: new Set(), childrenPzxid: -1n });
    if (this.strategy === 'oneShot') this.watchedPaths.add(path);
    parent?.children.add(childNameOf(path));
    this.emit({ type: 'added', path, data, stat });
    if (scope.traverses(path)) this.refreshChildren(path, walk, true);
  }

  private applyChildren(path: string, names: string[], stat: Stat, walk: Walk | undefined, deep: boolean): void {
    const node = this.nodes.get(path);
    if (!node) return;
    if (!sameIncarnation(node.stat, stat)) {
      if (stat.czxid > node.stat.czxid) this.refreshNode(path, walk, true);
      return;
    }
    if (stat.pzxid < node.childrenPzxid) return;
    node.childrenPzxid = stat.pzxid;
    // Child counts and pzxid move without a data change: keep the Stat current (data reads report changes).
    if (stat.mzxid === node.stat.mzxid) node.stat = stat;
    const scope = this.options.scope;
    const listed = new Set(names.filter((name) => scope.accepts(joinPath(path, name))));
    for (const name of [...node.children]) if (!listed.has(name)) this.removeSubtree(joinPath(path, name));
    for (const name of listed) {
      if (deep || !node.children.has(name)) this.refreshNode(joinPath(path, name), walk, deep);
    }
  }

  private applyMissing(path: string, walk: Walk | undefined): void {
    if (this.nodes.has(path)) this.removeSubtree(path);
    if (path === this.root && this.strategy === 'oneShot') this.awaitRoot(walk);
  }

  /** Removes a node and everything cached below it, children first. */
  private removeSubtree(path: string): void {
    const node = this.nodes.get(path);
    if (!node) return;
    for (const name of [...node.children]) this.removeSubtree(joinPath(path, name));
    this.nodes.delete(path);
    // Its watches fired when it was deleted (before the read that shows it gone was answered).
    if (path !== this.root) this.watchedPaths.delete(path);
    if (path !== this.root) this.nodes.get(parentOf(path))?.children.delete(childNameOf(path));
    this.emit({ type: 'removed', path, data: node.data, stat: node.stat });
  }

  private decoded(path: string, data: Buffer | null): Buffer | null {
    if (!this.options.cacheData || data === null) return null;
    if (!this.options.decode) return data;
    try {
      return this.options.decode(path, data);
    } catch (e) {
      this.options.onError(e, path);
      return null;
    }
  }

  private failed(error: unknown, path: string, walk: Walk | undefined): void {
    if (isConnectionProblem(error)) {
      // The reconnection that follows reads everything again.
      if (walk) walk.failed = true;
      return;
    }
    this.options.onError(error, path);
  }

  // ---- watch events ----

  private onWatchEvent(event: WatchedEvent): void {
    if (!this.running) return;
    const path = event.path;
    const scope = this.options.scope;
    switch (event.type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
      case EventType.NodeDeleted:
        if (scope.covers(path)) this.refreshNode(path, undefined, false);
        break;
      case EventType.NodeChildrenChanged:
        if (this.nodes.has(path) && scope.traverses(path)) this.refreshChildren(path, undefined, false);
        break;
      default:
        break;
    }
  }
}
