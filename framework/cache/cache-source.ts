// What a cache needs from the ZooKeeper side: reads that can set a watch, persistent-recursive
// watches, watch removal, sync, and a connection-state stream with Curator's states. The
// framework object provides it; `clientCacheSource` adapts a plain ZooKeeperClient (one session:
// after it expires the cache keeps its last data). Counterpart: the parts of CuratorFramework
// (getData/getChildren/checkExists/watchers/ConnectionStateListener) Curator's caches use.

import { Observable } from 'rxjs';
import { KeeperState, type AddWatchMode, type Stat, type WatcherType } from '../../protocol/index.js';
import type { Watcher } from '../client/events.js';
import type { ZooKeeperClient } from '../client/zookeeper-client.js';
import { frameworkCacheSource, isFrameworkLike, type FrameworkLike } from './framework-cache-source.js';

/** Curator's connection states. */
export type CacheConnectionState = 'CONNECTED' | 'SUSPENDED' | 'RECONNECTED' | 'LOST' | 'READ_ONLY';

/**
 * The operations caches run. Each call is one request, answered in the order sent (no retry
 * loop inside: the cache re-reads after every reconnection instead, and relies on that order).
 * Paths are the caller's (a framework's namespace applies beneath).
 */
export interface CacheSource {
  getData(path: string, options?: { watch?: Watcher }): Promise<{ data: Buffer | null; stat: Stat }>;
  getChildren(path: string, options?: { watch?: Watcher }): Promise<{ children: string[]; stat: Stat }>;
  exists(path: string, options?: { watch?: Watcher }): Promise<Stat | null>;
  addWatch(path: string, mode: AddWatchMode, watcher: Watcher): Promise<void>;
  removeWatches(path: string, type: WatcherType, options: { watcher: Watcher; local: boolean }): Promise<void>;
  sync(path: string): Promise<unknown>;
  /**
   * Connection states as Curator reports them: RECONNECTED after SUSPENDED or LOST once a
   * connection (possibly a new session) is back. Completes when the source is closed.
   */
  readonly connectionState$: Observable<CacheConnectionState>;
}

/** A CacheSource over one ZooKeeperClient session. */
export function clientCacheSource(client: ZooKeeperClient): CacheSource {
  return {
    getData: (path, o) => client.getData(path, { watch: o?.watch }),
    getChildren: (path, o) => client.getChildren(path, { watch: o?.watch }),
    exists: (path, o) => client.exists(path, { watch: o?.watch }),
    addWatch: (path, mode, watcher) => client.addWatch(path, mode, watcher),
    removeWatches: (path, type, o) => client.removeWatches(path, type, o),
    sync: (path) => client.sync(path),
    connectionState$: connectionStates(client),
  };
}

/** Maps a client's session states to Curator's connection states (per subscriber). */
function connectionStates(client: ZooKeeperClient): Observable<CacheConnectionState> {
  return new Observable<CacheConnectionState>((subscriber) => {
    let everConnected = false;
    let interrupted = false;
    const sub = client.state$.subscribe({
      next: (e) => {
        switch (e.state) {
          case KeeperState.SyncConnected:
          case KeeperState.ConnectedReadOnly: {
            const readOnly = e.state === KeeperState.ConnectedReadOnly;
            subscriber.next(readOnly ? 'READ_ONLY' : everConnected || interrupted ? 'RECONNECTED' : 'CONNECTED');
            everConnected = true;
            interrupted = false;
            break;
          }
          case KeeperState.Disconnected:
            interrupted = true;
            subscriber.next('SUSPENDED');
            break;
          case KeeperState.Expired:
          case KeeperState.AuthFailed:
            interrupted = true;
            subscriber.next('LOST');
            break;
          case KeeperState.Closed:
            subscriber.complete();
            break;
          default:
            break;
        }
      },
      complete: () => subscriber.complete(),
    });
    return () => sub.unsubscribe();
  });
}

/** What a cache can be built on: a ZooKeeperFramework, a plain ZooKeeperClient, or any CacheSource. */
export type CacheOwner = FrameworkLike | ZooKeeperClient | CacheSource;

export function toCacheSource(owner: CacheOwner): CacheSource {
  if (isFrameworkLike(owner)) return frameworkCacheSource(owner);
  if ('connectionState$' in owner) return owner;
  return clientCacheSource(owner);
}
