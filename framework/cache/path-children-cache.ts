// PathChildrenCache: the children of one node (data + Stat each) kept in memory and reported as
// an observable of child added / updated / removed events, `initialized` after the first load.
// The parent itself is not reported; while it is missing the cache waits for it with an exists
// watch. Counterpart: Curator's PathChildrenCache.

import { filter, map, Observable } from 'rxjs';
import { toCacheSource, type CacheOwner } from './cache-source.js';
import { CacheScope } from './cache-scope.js';
import { treeSyncOptions, type CommonCacheOptions } from './cache-options.js';
import type { CacheEvent, ChildData } from './child-data.js';
import { SharedRun } from './shared-run.js';
import { afterInitialized, checkPath } from './tree-cache.js';

export type PathChildrenCacheOptions = CommonCacheOptions;

export class PathChildrenCache {
  /**
   * Subscribing starts the cache (shared by all subscribers). A subscriber first receives
   * `added` for every child already cached and `initialized` if the first load is done, then
   * each change as it is seen. Events carry the child's full path.
   */
  readonly events$: Observable<CacheEvent>;
  /** The children, sorted by path, after the first load and after every change. Starts the cache too. */
  readonly children$: Observable<ChildData[]>;
  private readonly run: SharedRun;

  constructor(owner: CacheOwner, readonly path: string, options: PathChildrenCacheOptions = {}) {
    checkPath(path);
    // One-shot watches: a recursive watch would also report the grandchildren's changes.
    this.run = new SharedRun(toCacheSource(owner), treeSyncOptions(new CacheScope(path, 1), options, false));
    this.events$ = this.run.events$.pipe(filter((e) => e.type === 'initialized' || e.path !== path));
    this.children$ = afterInitialized(this.events$).pipe(map(() => this.currentData()));
  }

  /** The cached children, sorted by path (empty when the cache is not subscribed). */
  currentData(): ChildData[] {
    const sync = this.run.current;
    const names = sync?.childNames(this.path) ?? [];
    return names.sort().map((name) => sync!.current(this.childPath(name))!);
  }

  /** One cached child by full path. */
  current(childPath: string): ChildData | undefined {
    return childPath === this.path ? undefined : this.run.current?.current(childPath);
  }

  get isInitialized(): boolean {
    return this.run.current?.isInitialized ?? false;
  }

  /** Resolves once the last unsubscribe has removed the cache's watches. */
  whenStopped(): Promise<void> {
    return this.run.whenStopped();
  }

  private childPath(name: string): string {
    return this.path === '/' ? `/${name}` : `${this.path}/${name}`;
  }
}
