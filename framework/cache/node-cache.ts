// NodeCache: one node's data and Stat kept in memory and reported as an observable. A missing
// node is waited for with an exists watch (no polling, no leftover watch once it appears).
// Counterpart: Curator's NodeCache (and CuratorCache of a single node).

import { map, Observable } from 'rxjs';
import { toCacheSource, type CacheOwner } from './cache-source.js';
import { CacheScope } from './cache-scope.js';
import { treeSyncOptions, type CommonCacheOptions } from './cache-options.js';
import type { CacheEvent, ChildData } from './child-data.js';
import { SharedRun } from './shared-run.js';
import { afterInitialized, checkPath } from './tree-cache.js';

export type NodeCacheOptions = CommonCacheOptions;

export class NodeCache {
  /**
   * Subscribing starts the cache (shared by all subscribers): `added` when the node exists or
   * appears, `updated` on each data change, `removed` when it goes; `initialized` after the first
   * read. A later subscriber first receives `added` (if the node exists) and `initialized`.
   */
  readonly events$: Observable<CacheEvent>;
  /** The node (null while it does not exist) after the first read and after every change. Starts the cache too. */
  readonly data$: Observable<ChildData | null>;
  private readonly run: SharedRun;

  constructor(owner: CacheOwner, readonly path: string, options: NodeCacheOptions = {}) {
    checkPath(path);
    // One-shot watches: a recursive watch on a single node would also see its whole subtree.
    this.run = new SharedRun(toCacheSource(owner), treeSyncOptions(new CacheScope(path, 0), options, false));
    this.events$ = this.run.events$;
    this.data$ = afterInitialized(this.events$).pipe(map(() => this.current ?? null));
  }

  /** The node as last read (undefined when it does not exist or the cache is not subscribed). */
  get current(): ChildData | undefined {
    return this.run.current?.current(this.path);
  }

  get isInitialized(): boolean {
    return this.run.current?.isInitialized ?? false;
  }

  /** Resolves once the last unsubscribe has removed the cache's watches. */
  whenStopped(): Promise<void> {
    return this.run.whenStopped();
  }
}
