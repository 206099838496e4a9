// The server's watch tables: a data table (getData/exists/persistent/recursive) and a child
// table (getChildren/persistent), each path → watcher → modes, with 3.9 semantics: modes
// combine on one path and firing removes only the one-shot (standard) mode.
// Counterpart: org.apache.zookeeper.server.watch.WatchManager, WatcherModeManager, WatchesSummary.

import type { ACL } from '../../protocol/records.js';
import { parentOf } from '../../protocol/paths.js';

/** Someone to notify: a client connection. `canRead` implements the READ check on delivery. */
export interface Watcher {
  notify(type: number, path: string, zxid: bigint): void;
  canRead(acl: readonly ACL[]): boolean;
}

export const WatchMode = {
  STANDARD: 1,
  PERSISTENT: 2,
  PERSISTENT_RECURSIVE: 4,
} as const;
export type WatchMode = (typeof WatchMode)[keyof typeof WatchMode];

/** What a change nobody watches fires: shared, never changed (most writes have no watchers). */
const NO_WATCHERS: ReadonlySet<Watcher> = new Set();

/** One table: path → watcher → mode bits, plus the reverse index for fast removal. */
class WatchTable {
  readonly byPath = new Map<string, Map<Watcher, number>>();
  readonly byWatcher = new Map<Watcher, Set<string>>();
  recursiveCount = 0;

  add(path: string, watcher: Watcher, mode: WatchMode): void {
    let watchers = this.byPath.get(path);
    if (!watchers) this.byPath.set(path, (watchers = new Map()));
    const before = watchers.get(watcher) ?? 0;
    if (mode === WatchMode.PERSISTENT_RECURSIVE && (before & mode) === 0) this.recursiveCount++;
    watchers.set(watcher, before | mode);
    let paths = this.byWatcher.get(watcher);
    if (!paths) this.byWatcher.set(watcher, (paths = new Set()));
    paths.add(path);
  }

  modes(path: string, watcher: Watcher): number {
    return this.byPath.get(path)?.get(watcher) ?? 0;
  }

  /** Clears `mask` from (path, watcher); returns the bits actually cleared. */
  clear(path: string, watcher: Watcher, mask: number): number {
    const watchers = this.byPath.get(path);
    const before = watchers?.get(watcher) ?? 0;
    const cleared = before & mask;
    if (cleared === 0) return 0;
    if (cleared & WatchMode.PERSISTENT_RECURSIVE) this.recursiveCount--;
    const after = before & ~mask;
    if (after !== 0) {
      watchers!.set(watcher, after);
    } else {
      watchers!.delete(watcher);
      if (watchers!.size === 0) this.byPath.delete(path);
      const paths = this.byWatcher.get(watcher)!;
      paths.delete(path);
      if (paths.size === 0) this.byWatcher.delete(watcher);
    }
    return cleared;
  }

  removeWatcher(watcher: Watcher): void {
    const paths = this.byWatcher.get(watcher);
    if (!paths) return;
    for (const path of [...paths]) this.clear(path, watcher, ~0);
  }

  /** Watchers to notify for a change at `path`; one-shot registrations are consumed. */
  collect(path: string): ReadonlySet<Watcher> {
    const exact = this.byPath.get(path);
    const recursive = this.recursiveCount > 0 && path !== '/';
    if (exact === undefined && !recursive) return NO_WATCHERS;
    const out = new Set<Watcher>();
    if (exact) {
      // clearing the current entry while iterating a Map is safe: the walk goes on with the next
      for (const [watcher, modes] of exact) {
        out.add(watcher);
        if (modes & WatchMode.STANDARD) this.clear(path, watcher, WatchMode.STANDARD);
      }
    }
    if (recursive) {
      let p = path;
      do {
        p = parentOf(p);
        const watchers = this.byPath.get(p);
        if (!watchers) continue;
        for (const [watcher, modes] of watchers) if (modes & WatchMode.PERSISTENT_RECURSIVE) out.add(watcher);
      } while (p !== '/');
    }
    return out;
  }

  get watchCount(): number {
    let n = 0;
    for (const watchers of this.byPath.values()) n += watchers.size;
    return n;
  }
}

export class WatchManager {
  private readonly data = new WatchTable();
  private readonly child = new WatchTable();

  addDataWatch(path: string, watcher: Watcher): void {
    this.data.add(path, watcher, WatchMode.STANDARD);
  }

  addChildWatch(path: string, watcher: Watcher): void {
    this.child.add(path, watcher, WatchMode.STANDARD);
  }

  /** addWatch: PERSISTENT goes in both tables, PERSISTENT_RECURSIVE in the data table only. */
  addPersistentWatch(path: string, watcher: Watcher, recursive: boolean): void {
    if (recursive) {
      this.data.add(path, watcher, WatchMode.PERSISTENT_RECURSIVE);
    } else {
      this.data.add(path, watcher, WatchMode.PERSISTENT);
      this.child.add(path, watcher, WatchMode.PERSISTENT);
    }
  }

  /**
   * Fires a data-table event (NodeCreated, NodeDeleted, NodeDataChanged) at `path`, recursive
   * watchers on ancestors included. Returns who was addressed (even if the ACL hid the event).
   */
  triggerData(path: string, type: number, zxid: bigint, acl: readonly ACL[]): ReadonlySet<Watcher> {
    const watchers = this.data.collect(path);
    for (const w of watchers) if (w.canRead(acl)) w.notify(type, path, zxid);
    return watchers;
  }

  /** Fires a child-table event; watchers in `skip` (already told by the data table) get nothing. */
  triggerChild(path: string, type: number, zxid: bigint, acl: readonly ACL[], skip?: ReadonlySet<Watcher>): void {
    for (const w of this.child.collect(path)) if (skip?.has(w) !== true && w.canRead(acl)) w.notify(type, path, zxid);
  }

  /** checkWatches / removeWatches. `type` is a WatcherType; returns whether anything matched. */
  matches(path: string, watcher: Watcher, type: number, remove: boolean): boolean {
    const masks = WATCHER_TYPE_MASKS[type];
    if (!masks) return false;
    const [childMask, dataMask] = masks;
    const inChild = this.child.modes(path, watcher) & childMask;
    const inData = this.data.modes(path, watcher) & dataMask;
    if (remove) {
      this.child.clear(path, watcher, childMask);
      this.data.clear(path, watcher, dataMask);
    }
    return (inChild | inData) !== 0;
  }

  removeWatcher(watcher: Watcher): void {
    this.data.removeWatcher(watcher);
    this.child.removeWatcher(watcher);
  }

  /** wchs: ZooKeeper summarises the data table only. */
  summary(): { connections: number; paths: number; watches: number } {
    return { connections: this.data.byWatcher.size, paths: this.data.byPath.size, watches: this.data.watchCount };
  }

  /** Data-table watches: path → watchers (for wchp / wchc / dump). */
  dataWatchesByPath(): ReadonlyMap<string, ReadonlyMap<Watcher, number>> {
    return this.data.byPath;
  }

  dataWatchesByWatcher(): ReadonlyMap<Watcher, ReadonlySet<string>> {
    return this.data.byWatcher;
  }

  get totalWatchCount(): number {
    return this.data.watchCount + this.child.watchCount;
  }
}

const ANY = WatchMode.STANDARD | WatchMode.PERSISTENT | WatchMode.PERSISTENT_RECURSIVE;
/** WatcherType → [child-table mask, data-table mask]. */
const WATCHER_TYPE_MASKS: Record<number, [number, number]> = {
  1: [WatchMode.STANDARD, 0],
  2: [0, WatchMode.STANDARD],
  3: [ANY, ANY],
  4: [WatchMode.PERSISTENT, WatchMode.PERSISTENT],
  5: [0, WatchMode.PERSISTENT_RECURSIVE],
};
