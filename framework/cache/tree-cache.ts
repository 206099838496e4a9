// TreeCache: a whole subtree (to maxDepth, filtered by a selector) kept in memory and reported
// as an observable of added / updated / removed events, `initialized` after the first load.
// Uses one persistent-recursive watch when the server has addWatch (ZooKeeper 3.6+, zabkit),
// one-shot watches per node otherwise. Counterpart: Curator's TreeCache / CuratorCache.

import { filter, map, Observable } from 'rxjs';
import { pathProblem, BadArgumentsError } from '../../protocol/index.js';
import { toCacheSource, type CacheOwner } from './cache-source.js';
import { CacheScope, type CacheSelector } from './cache-scope.js';
import { treeSyncOptions, type CommonCacheOptions } from './cache-options.js';
import type { CacheEvent, ChildData } from './child-data.js';
import { SharedRun } from './shared-run.js';

export interface TreeCacheOptions extends CommonCacheOptions {
  /** Levels cached below the root (0 = the root alone). Default unlimited. */
  maxDepth?: number;
  /** Which nodes to cache and descend into. Default: all. */
  selector?: CacheSelector;
  /** Use a persistent-recursive watch where the server has one. Default true. */
  recursiveWatch?: boolean;
}

export class TreeCache {
  /**
   * Subscribing starts the cache (shared by all subscribers). A subscriber first receives
   * `added` for every node already cached (root first, parents before children) and
   * `initialized` if the first load is done, then each change as it is seen.
   */
  readonly events$: Observable<CacheEvent>;
  /** The whole cached tree (path → node) after the first load and after every change. Starts the cache too. */
  readonly snapshot$: Observable<ReadonlyMap<string, ChildData>>;
  private readonly run: SharedRun;

  constructor(owner: CacheOwner, readonly path: string, options: TreeCacheOptions = {}) {
    checkPath(path);
    const scope = new CacheScope(path, options.maxDepth ?? Number.POSITIVE_INFINITY, options.selector);
    this.run = new SharedRun(toCacheSource(owner), treeSyncOptions(scope, options, options.recursiveWatch ?? true));
    this.events$ = this.run.events$;
    this.snapshot$ = afterInitialized(this.events$).pipe(map(() => this.currentTree()));
  }

  /** A cached node (undefined when not cached, or the cache is not subscribed). */
  current(path: string): ChildData | undefined {
    return this.run.current?.current(path);
  }

  /** A cached node's cached children by name (undefined when the node is not cached). */
  currentChildren(path: string): Map<string, ChildData> | undefined {
    const sync = this.run.current;
    const names = sync?.childNames(path);
    if (!sync || !names) return undefined;
    const out = new Map<string, ChildData>();
    for (const name of names.sort()) out.set(name, sync.current(path === '/' ? `/${name}` : `${path}/${name}`)!);
    return out;
  }

  /** Every cached node, path → node, parents before children. */
  currentTree(): Map<string, ChildData> {
    return new Map((this.run.current?.snapshot() ?? []).map((n) => [n.path, n]));
  }

  /** Whether the first complete load is done (false while unsubscribed). */
  get isInitialized(): boolean {
    return this.run.current?.isInitialized ?? false;
  }

  /** 'recursive' (one persistent-recursive watch) or 'oneShot' once known; undefined while unsubscribed. */
  get watchStrategy(): 'unknown' | 'recursive' | 'oneShot' | undefined {
    return this.run.current?.watchStrategy;
  }

  /** Resolves once the last unsubscribe has removed the cache's watches. */
  whenStopped(): Promise<void> {
    return this.run.whenStopped();
  }
}

/** The events from `initialized` on (a late subscriber's replay included). */
export function afterInitialized(events$: Observable<CacheEvent>): Observable<CacheEvent> {
  return new Observable<CacheEvent>((subscriber) => {
    let ready = false;
    return events$
      .pipe(filter((e) => (ready ||= e.type === 'initialized')))
      .subscribe(subscriber);
  });
}

export function checkPath(path: string): void {
  const problem = pathProblem(path);
  if (problem !== undefined) throw new BadArgumentsError(path, { cause: new Error(`invalid path "${path}": ${problem}`) });
}
