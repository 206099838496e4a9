// Closed sets of the protocol: create modes (§3), permissions and predefined ACLs (§10.1),
// watch event types, keeper states, watcher types and addWatch modes (§6.1, §4.2).

import { describe, expect, it } from 'vitest';
import {
  AddWatchMode, CREATOR_ALL_ACL, CreateMode, EventType, Ids, KeeperState, OPEN_ACL_UNSAFE, Perms, READ_ACL_UNSAFE,
  WatcherType, createModeInfo,
} from '../../../protocol/types.js';

describe('CreateMode', () => {
  it('flags per §3', () => {
    expect(CreateMode).toEqual({
      PERSISTENT: 0, EPHEMERAL: 1, PERSISTENT_SEQUENTIAL: 2, EPHEMERAL_SEQUENTIAL: 3, CONTAINER: 4,
      PERSISTENT_WITH_TTL: 5, PERSISTENT_SEQUENTIAL_WITH_TTL: 6,
    });
  });

  it.each([
    [0, false, false, false, false],
    [1, true, false, false, false],
    [2, false, true, false, false],
    [3, true, true, false, false],
    [4, false, false, true, false],
    [5, false, false, false, true],
    [6, false, true, false, true],
  ])('flag %i: ephemeral %s, sequential %s, container %s, ttl %s', (flag, ephemeral, sequential, container, ttl) => {
    expect(createModeInfo(flag)).toEqual({ ephemeral, sequential, container, ttl });
  });

  it.each([-1, 7, 8, 100, 0x7fffffff])('flag %i is unknown', (flag) => {
    expect(createModeInfo(flag)).toBeUndefined();
  });
});

describe('permissions and predefined ACLs (§10.1)', () => {
  it('bits', () => {
    expect(Perms).toEqual({ READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 });
    expect(Perms.READ | Perms.WRITE | Perms.CREATE | Perms.DELETE | Perms.ADMIN).toBe(Perms.ALL);
  });

  it('lists', () => {
    expect(OPEN_ACL_UNSAFE).toEqual([{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]);
    expect(CREATOR_ALL_ACL).toEqual([{ perms: 31, id: { scheme: 'auth', id: '' } }]);
    expect(READ_ACL_UNSAFE).toEqual([{ perms: 1, id: { scheme: 'world', id: 'anyone' } }]);
    expect(Ids.ANYONE_ID_UNSAFE).toEqual({ scheme: 'world', id: 'anyone' });
  });
});

describe('watch codes (§6.1)', () => {
  it('EventType', () => {
    expect(EventType).toEqual({
      None: -1, NodeCreated: 1, NodeDeleted: 2, NodeDataChanged: 3, NodeChildrenChanged: 4,
      DataWatchRemoved: 5, ChildWatchRemoved: 6, PersistentWatchRemoved: 7,
    });
  });

  it('KeeperState', () => {
    expect(KeeperState).toEqual({
      Unknown: -1, Disconnected: 0, NoSyncConnected: 1, SyncConnected: 3, AuthFailed: 4,
      ConnectedReadOnly: 5, SaslAuthenticated: 6, Closed: 7, Expired: -112,
    });
  });

  it('WatcherType and AddWatchMode', () => {
    expect(WatcherType).toEqual({ Children: 1, Data: 2, Any: 3, Persistent: 4, PersistentRecursive: 5 });
    expect(AddWatchMode).toEqual({ PERSISTENT: 0, PERSISTENT_RECURSIVE: 1 });
  });
});
