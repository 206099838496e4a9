// canBeReadOnly against Apache ZooKeeper 3.8 with readonlymode.enabled: a member cut off from
// its quorum serves reads only. Apache-only: zabkit's server has no read-only mode (it is
// standalone), but it does answer "isro" with "rw", which the client's read-write probe uses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionLossError, KeeperState, NotReadOnlyError, ZooKeeperClient, type SessionStateEvent } from '../../framework/index.js';
import { fourLetterWord } from '../support/apache-zookeeper.js';
import { apacheEnsembleSpec, ZABKIT, type Backend } from './support/backends.js';
import { eventually, FAST, useClients } from './support/clients.js';
import { inOrder } from './support/faults.js';

describe('read-only mode (Apache ZooKeeper 3.8 ensemble, readonlymode.enabled)', () => {
  let ensemble: Backend;
  let zabkit: Backend;
  beforeAll(async () => {
    [ensemble, zabkit] = await Promise.all([apacheEnsembleSpec({
      jvmFlags: ['-Dreadonlymode.enabled=true'],
      // A read-only server can only open local sessions (a global createSession is a write: -119).
      extraConfig: { forceSync: 'no', localSessionsEnabled: true },
    }).start(), ZABKIT.start()]);
    // Written through the member that survives, so it has surely applied the create.
    const writer = await ZooKeeperClient.connect(ensemble.servers[2]!.connectString, FAST, 20_000);
    await writer.create('/ro-data', 'written before the partition');
    await writer.close();
    await Promise.all([ensemble.servers[0]!.kill(), ensemble.servers[1]!.kill()]);
    const survivor = ensemble.servers[2]!;
    await eventually(async () => (await fourLetterWord(survivor.port, 'isro').catch(() => '')).startsWith('ro'), 40_000, 'read-only mode');
  });
  afterAll(async () => {
    await Promise.all([ensemble?.stop(), zabkit?.stop()]);
  });
  const open = useClients();

  it('a canBeReadOnly client connects read-only: reads work, writes are NotReadOnly', async () => {
    const zk = new ZooKeeperClient(ensemble.servers[2]!.connectString, { ...FAST, canBeReadOnly: true });
    try {
      const states: number[] = [];
      zk.state$.subscribe((e) => states.push(e.state));
      await zk.waitForConnected(20_000);
      expect(zk.phase).toBe('connectedReadOnly');
      expect(states).toEqual([KeeperState.ConnectedReadOnly]);
      expect((await zk.getData('/ro-data')).data?.toString()).toBe('written before the partition');
      await expect(zk.create('/ro-new')).rejects.toBeInstanceOf(NotReadOnlyError);
    } finally {
      await zk.close();
    }
  });

  it('a client that does not accept read-only servers is refused', async () => {
    const zk = new ZooKeeperClient(ensemble.servers[2]!.connectString, { ...FAST, canBeReadOnly: false });
    try {
      await expect(zk.waitForConnected(3000)).rejects.toBeInstanceOf(ConnectionLossError);
      expect(zk.isConnected).toBe(false);
    } finally {
      await zk.close();
    }
  });

  it('while read-only, the client probes the other hosts and moves to a read-write one', async () => {
    const seen: SessionStateEvent[] = [];
    const zk = await open(`${ensemble.servers[2]!.connectString},${zabkit.connectString}`, { canBeReadOnly: true, random: inOrder });
    zk.state$.subscribe((e) => seen.push(e));
    await eventually(() => zk.phase === 'connected', 20_000, 'read-write connection');
    expect(zk.connectedServer).toBe(zabkit.connectString);
    expect(seen.map((e) => e.state)).toEqual([KeeperState.ConnectedReadOnly, KeeperState.Disconnected, KeeperState.SyncConnected]);
    await zk.create('/rw-now', 'ok');
  });
});
