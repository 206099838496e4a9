// The CacheSource of a ZooKeeperFramework: reads on the framework's current session (a new one
// after expiry), paths under its namespace, events' paths back out of it, and its
// connection-state stream. Reads are sent once, not through the retry loop: a cache re-reads
// everything after each reconnection instead, and its diffing relies on replies arriving in
// the order the reads were sent, which retried reads would break.
// Counterpart: Curator caches running their background reads on the CuratorFramework.

import type { Observable } from 'rxjs';
import type { Watcher } from '../client/events.js';
import type { ZooKeeperClient } from '../client/zookeeper-client.js';
import type { CacheConnectionState, CacheSource } from './cache-source.js';

/** What a cache uses of a ZooKeeperFramework (structural, so the cache does not depend on the framework's internals). */
export interface FrameworkLike {
  /** The current session's client. */
  readonly client: ZooKeeperClient;
  fixForNamespace(path: string): string;
  unfixForNamespace(path: string): string;
  readonly connectionState$: Observable<CacheConnectionState>;
}

export function isFrameworkLike(x: object): x is FrameworkLike {
  return 'fixForNamespace' in x && 'unfixForNamespace' in x && 'connectionState$' in x;
}

export function frameworkCacheSource(framework: FrameworkLike): CacheSource {
  // One wrapper per cache watcher, so registering it twice is one registration and removal finds it.
  const wrappers = new WeakMap<Watcher, Watcher>();
  const wrap = (watcher: Watcher): Watcher => {
    let w = wrappers.get(watcher);
    if (!w) {
      w = (event) => watcher({ ...event, path: framework.unfixForNamespace(event.path) });
      wrappers.set(watcher, w);
    }
    return w;
  };
  const at = (path: string): string => framework.fixForNamespace(path);
  const watchOf = (o: { watch?: Watcher } | undefined): { watch?: Watcher } => (o?.watch ? { watch: wrap(o.watch) } : {});
  return {
    getData: (path, o) => framework.client.getData(at(path), watchOf(o)),
    getChildren: (path, o) => framework.client.getChildren(at(path), watchOf(o)),
    exists: (path, o) => framework.client.exists(at(path), watchOf(o)),
    addWatch: (path, mode, watcher) => framework.client.addWatch(at(path), mode, wrap(watcher)),
    removeWatches: (path, type, o) => framework.client.removeWatches(at(path), type, { watcher: wrap(o.watcher), local: o.local }),
    sync: (path) => framework.client.sync(at(path)),
    connectionState$: framework.connectionState$,
  };
}
