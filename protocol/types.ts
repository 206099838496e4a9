// Closed sets of the protocol as const objects: create modes, permissions, watch event types,
// keeper states, watcher types and addWatch modes.
// Counterpart: CreateMode, ZooDefs.Perms/Ids, Watcher.Event.{EventType,KeeperState}, WatcherType, AddWatchMode.

import type { ACL } from './records.js';

export const CreateMode = {
  PERSISTENT: 0,
  EPHEMERAL: 1,
  PERSISTENT_SEQUENTIAL: 2,
  EPHEMERAL_SEQUENTIAL: 3,
  CONTAINER: 4,
  PERSISTENT_WITH_TTL: 5,
  PERSISTENT_SEQUENTIAL_WITH_TTL: 6,
} as const;
export type CreateMode = (typeof CreateMode)[keyof typeof CreateMode];

export interface CreateModeInfo {
  readonly ephemeral: boolean;
  readonly sequential: boolean;
  readonly container: boolean;
  readonly ttl: boolean;
}

const MODE_INFO: Record<number, CreateModeInfo> = {
  0: { ephemeral: false, sequential: false, container: false, ttl: false },
  1: { ephemeral: true, sequential: false, container: false, ttl: false },
  2: { ephemeral: false, sequential: true, container: false, ttl: false },
  3: { ephemeral: true, sequential: true, container: false, ttl: false },
  4: { ephemeral: false, sequential: false, container: true, ttl: false },
  5: { ephemeral: false, sequential: false, container: false, ttl: true },
  6: { ephemeral: false, sequential: true, container: false, ttl: true },
};

/** CreateMode.fromFlag: undefined for an unknown flag (the server answers BadArguments). */
export function createModeInfo(flags: number): CreateModeInfo | undefined {
  return MODE_INFO[flags];
}

export const Perms = {
  READ: 1,
  WRITE: 2,
  CREATE: 4,
  DELETE: 8,
  ADMIN: 16,
  ALL: 31,
} as const;

export const Ids = {
  ANYONE_ID_UNSAFE: { scheme: 'world', id: 'anyone' },
  AUTH_IDS: { scheme: 'auth', id: '' },
} as const;

export const OPEN_ACL_UNSAFE: readonly ACL[] = [{ perms: Perms.ALL, id: Ids.ANYONE_ID_UNSAFE }];
export const CREATOR_ALL_ACL: readonly ACL[] = [{ perms: Perms.ALL, id: Ids.AUTH_IDS }];
export const READ_ACL_UNSAFE: readonly ACL[] = [{ perms: Perms.READ, id: Ids.ANYONE_ID_UNSAFE }];

export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export const KeeperState = {
  Unknown: -1,
  Disconnected: 0,
  NoSyncConnected: 1,
  SyncConnected: 3,
  AuthFailed: 4,
  ConnectedReadOnly: 5,
  SaslAuthenticated: 6,
  Closed: 7,
  Expired: -112,
} as const;
export type KeeperState = (typeof KeeperState)[keyof typeof KeeperState];

/** The `type` of checkWatches / removeWatches. */
export const WatcherType = {
  Children: 1,
  Data: 2,
  Any: 3,
  Persistent: 4,
  PersistentRecursive: 5,
} as const;
export type WatcherType = (typeof WatcherType)[keyof typeof WatcherType];

/** The `mode` of addWatch. */
export const AddWatchMode = {
  PERSISTENT: 0,
  PERSISTENT_RECURSIVE: 1,
} as const;
export type AddWatchMode = (typeof AddWatchMode)[keyof typeof AddWatchMode];
