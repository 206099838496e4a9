// What caches hold and report: a node's path, data and Stat (ChildData), the events a cache
// emits, and the Stat comparisons that tell a real change from a repeated or stale read —
// by zxids, not versions, so a node deleted and re-created with the same version is a change.
// Counterpart: Curator's ChildData, TreeCacheEvent / PathChildrenCacheEvent / CuratorCacheListener.

import type { Stat } from '../../protocol/index.js';

export interface ChildData {
  readonly path: string;
  /** The node's data; null when the node has none or the cache does not keep data. */
  readonly data: Buffer | null;
  readonly stat: Stat;
}

/** A node appeared in the cache (first load, creation, or found again after a reconnect). */
export interface NodeAdded extends ChildData {
  readonly type: 'added';
}

/** A cached node's data changed (its mzxid moved). */
export interface NodeUpdated extends ChildData {
  readonly type: 'updated';
  readonly previous: ChildData;
}

/** A node left the cache; data and stat are the last known. */
export interface NodeRemoved extends ChildData {
  readonly type: 'removed';
}

/** The first complete load is done: every node that existed then has been reported. */
export interface CacheInitialized {
  readonly type: 'initialized';
}

export type NodeChange = NodeAdded | NodeUpdated | NodeRemoved;
export type CacheEvent = NodeChange | CacheInitialized;

/** Two Stats of the same node incarnation (same creation)? */
export function sameIncarnation(a: Stat, b: Stat): boolean {
  return a.czxid === b.czxid;
}

/**
 * Whether a read of a node returning `read` is older than what is cached: an earlier
 * incarnation, or the same one before its last data change.
 */
export function isStaleRead(cached: Stat, read: Stat): boolean {
  if (read.czxid !== cached.czxid) return read.czxid < cached.czxid;
  return read.mzxid < cached.mzxid;
}

export function childData(path: string, data: Buffer | null, stat: Stat): ChildData {
  return { path, data, stat };
}
