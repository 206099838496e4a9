// The framework on a 3-member Apache ZooKeeper 3.8 ensemble: when the member it is connected to
// dies, the state goes SUSPENDED -> RECONNECTED on the same session (another member), operations
// issued meanwhile complete through the retry loop, the session's ephemerals stay, and a
// persistent watch keeps reporting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionState, CreateMode, EventType, ZooKeeperClient, type WatchedEvent } from '../../framework/index.js';
import { APACHE_ENSEMBLE, type Backend } from '../client/support/backends.js';
import { eventually, FAST, uniquePath } from '../client/support/clients.js';
import { useFrameworks } from './support/frameworks.js';

describe('framework on an Apache ZooKeeper 3.8 ensemble', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await APACHE_ENSEMBLE.start();
  }, 120_000);
  afterAll(async () => {
    await backend?.stop();
  });
  const open = useFrameworks();

  it('survives the loss of its member: same session, ops complete, ephemerals and watches stay', async () => {
    const zk = await open(backend.connectString, { sessionTimeoutMs: 15_000, connectionTimeoutMs: 15_000 });
    const seen: string[] = [];
    zk.connectionState$.subscribe((s) => seen.push(s));
    const p = uniquePath('ens');
    const lockPath = await zk.create(`${p}/lock-`, 'me', {
      mode: CreateMode.EPHEMERAL_SEQUENTIAL, withProtection: true, creatingParentContainersIfNeeded: true,
    });
    const events: WatchedEvent[] = [];
    const sub = zk.watch(p, { recursive: true }).subscribe((e) => events.push(e));
    await zk.sync('/');
    const session = zk.client.sessionId;
    const connectedPort = Number(zk.client.connectedServer!.split(':')[1]);
    const victim = backend.servers.find((s) => s.port === connectedPort)!;
    const others = backend.servers.filter((s) => s !== victim);

    const killed = victim.kill();
    await eventually(() => seen.includes(ConnectionState.SUSPENDED), 20_000, 'SUSPENDED');
    const write = zk.create(`${p}/during-failover`, 'x');
    await killed;
    await eventually(() => seen.includes(ConnectionState.RECONNECTED), 60_000, 'RECONNECTED');
    expect(await write).toBe(`${p}/during-failover`);
    expect(zk.client.sessionId).toBe(session);
    expect(Number(zk.client.connectedServer!.split(':')[1])).not.toBe(connectedPort);
    expect(seen).toEqual([ConnectionState.CONNECTED, ConnectionState.SUSPENDED, ConnectionState.RECONNECTED]);

    const observer = await ZooKeeperClient.connect(others.map((s) => s.connectString).join(','), FAST);
    try {
      expect((await observer.exists(lockPath))?.ephemeralOwner).toBe(session);
      await zk.sync('/');
      await observer.create(`${p}/after`, 'y');
      await eventually(() => events.some((e) => e.path === `${p}/after`), 15_000, 'watch event after failover');
      expect(events.filter((e) => e.type === EventType.NodeCreated).map((e) => e.path)).toContain(`${p}/during-failover`);
    } finally {
      sub.unsubscribe();
      await observer.close();
    }
  }, 120_000);
});
