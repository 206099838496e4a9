// The client's table of watches: standard data / exist / child watches (one-shot) and persistent
// and persistent-recursive watches, each path -> set of Watchers. Chooses who gets a
// notification (removing fired one-shot watches), answers removeWatches locally, and lists what
// must be re-armed after a reconnect. Paths are client paths (no chroot).
// Counterpart: org.apache.zookeeper.ZKWatchManager.

import { EventType, WatcherType } from '../../protocol/index.js';
import type { Watcher } from './events.js';

export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive';

export const WATCH_KINDS: readonly WatchKind[] = ['data', 'exist', 'child', 'persistent', 'persistentRecursive'];

export interface RemovedWatch {
  readonly kind: WatchKind;
  readonly watcher: Watcher;
}

/** Which kinds removeWatches(type) touches (3.9 semantics). */
export function kindsForWatcherType(type: number): readonly WatchKind[] {
  switch (type) {
    case WatcherType.Children: return ['child'];
    case WatcherType.Data: return ['data', 'exist'];
    case WatcherType.Persistent: return ['persistent'];
    case WatcherType.PersistentRecursive: return ['persistentRecursive'];
    case WatcherType.Any: return WATCH_KINDS;
    default: throw new RangeError(`unknown WatcherType ${type}`);
  }
}

/** The client-made event a removed watcher receives. */
export function removedEventType(kind: WatchKind): EventType {
  switch (kind) {
    case 'child': return EventType.ChildWatchRemoved;
    case 'data': case 'exist': return EventType.DataWatchRemoved;
    default: return EventType.PersistentWatchRemoved;
  }
}

export class WatchRegistry {
  private readonly tables: Record<WatchKind, Map<string, Set<Watcher>>> = {
    data: new Map(), exist: new Map(), child: new Map(), persistent: new Map(), persistentRecursive: new Map(),
  };

  add(kind: WatchKind, path: string, watcher: Watcher): void {
    const table = this.tables[kind];
    let set = table.get(path);
    if (!set) table.set(path, (set = new Set()));
    set.add(watcher);
  }

  has(kind: WatchKind, path: string, watcher?: Watcher): boolean {
    const set = this.tables[kind].get(path);
    return set !== undefined && (watcher === undefined || set.has(watcher));
  }

  /** The watchers a server notification goes to; fired one-shot registrations are removed. */
  materialize(type: number, path: string): Set<Watcher> {
    const out = new Set<Watcher>();
    const take = (kind: WatchKind): void => {
      const set = this.tables[kind].get(path);
      if (!set) return;
      for (const w of set) out.add(w);
      this.tables[kind].delete(path);
    };
    switch (type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        take('data');
        take('exist');
        break;
      case EventType.NodeChildrenChanged:
        take('child');
        break;
      case EventType.NodeDeleted:
        take('data');
        take('exist');
        take('child');
        break;
      default:
        break;
    }
    for (const w of this.tables.persistent.get(path) ?? []) out.add(w);
    if (type !== EventType.NodeChildrenChanged) {
      for (let p: string | undefined = path; p !== undefined; p = ancestorOf(p)) {
        for (const w of this.tables.persistentRecursive.get(p) ?? []) out.add(w);
      }
    }
    return out;
  }

  /** Watchers removeWatches(path, type, watcher?) would remove, without removing them. */
  matching(path: string, type: number, watcher?: Watcher): RemovedWatch[] {
    const out: RemovedWatch[] = [];
    for (const kind of kindsForWatcherType(type)) {
      for (const w of this.tables[kind].get(path) ?? []) {
        if (watcher === undefined || w === watcher) out.push({ kind, watcher: w });
      }
    }
    return out;
  }

  /** Removes the given registrations; true when no watcher of those kinds remains on `path`. */
  remove(path: string, removed: readonly RemovedWatch[]): void {
    for (const { kind, watcher } of removed) {
      const set = this.tables[kind].get(path);
      if (!set) continue;
      set.delete(watcher);
      if (set.size === 0) this.tables[kind].delete(path);
    }
  }

  /** Whether any watcher of `kinds` is registered on `path`. */
  anyOf(path: string, kinds: readonly WatchKind[]): boolean {
    return kinds.some((k) => this.tables[k].has(path));
  }

  /** Paths per kind, for SetWatches after a reconnect. */
  paths(kind: WatchKind): string[] {
    return [...this.tables[kind].keys()];
  }

  get isEmpty(): boolean {
    return WATCH_KINDS.every((k) => this.tables[k].size === 0);
  }

  clear(): void {
    for (const k of WATCH_KINDS) this.tables[k].clear();
  }
}

function ancestorOf(path: string): string | undefined {
  if (path === '/') return undefined;
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}
