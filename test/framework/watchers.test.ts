// Persistent and persistent-recursive watches as Observables on zabkit and Apache ZooKeeper 3.8:
// events keep coming (namespace-free paths), unsubscribing removes the watch from the server
// (checked with the wchp four-letter word), and the watch survives a dropped connection and a
// session expiry (added again on the new session).
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionState, EventType, ZooKeeperClient, type WatchedEvent } from '../../framework/index.js';
import { fourLetterWord } from '../support/apache-zookeeper.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../client/support/backends.js';
import { eventually, FAST, uniquePath } from '../client/support/clients.js';
import { expireSession } from '../client/support/faults.js';
import { nextConnectionState, useFrameworks } from './support/frameworks.js';

const describeEvent = (e: WatchedEvent): string => `${e.type} ${e.path}`;

describe.each([ZABKIT, APACHE_STANDALONE])('persistent watches on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperClient;
  const proxies: TcpProxy[] = [];
  beforeAll(async () => {
    backend = await spec.start();
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterAll(async () => {
    await admin?.close();
    await backend?.stop();
  });
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });
  const open = useFrameworks();
  const watchedPaths = async (): Promise<string> => fourLetterWord(backend.servers[0]!.port, 'wchp');

  /**
   * Subscribes and resolves once the watch is on the server (wchp) and the client has the addWatch
   * reply: a sync on the same connection is answered after it. Without that round trip a dropped
   * connection can lose the reply, and the framework rightly adds the watch again after a retry
   * backoff, missing changes made in between (seen under load on Apache: no SetWatches, a second
   * addWatch after the test's own sync).
   */
  async function recordEvents(zk: Awaited<ReturnType<typeof open>>, ns: string, path: string) {
    const events: WatchedEvent[] = [];
    const sub = zk.watch(path).subscribe((e) => events.push(e));
    await eventually(async () => (await watchedPaths()).includes(`/${ns}${path}`), 10_000, 'watch on the server');
    await zk.sync('/');
    return { events, sub };
  }

  it('a persistent watch reports every change of the node and its children until unsubscribed', async () => {
    const ns = uniquePath('pw').slice(1);
    const zk = await open(backend.connectString, { namespace: ns });
    await zk.create('/node', 'v0');
    const { events, sub } = await recordEvents(zk, ns, '/node');
    await admin.setData(`/${ns}/node`, 'v1');
    await admin.setData(`/${ns}/node`, 'v2');
    await admin.create(`/${ns}/node/child`);
    await eventually(() => events.length >= 3, 10_000, 'three events');
    expect(events.map(describeEvent)).toEqual([
      `${EventType.NodeDataChanged} /node`,
      `${EventType.NodeDataChanged} /node`,
      `${EventType.NodeChildrenChanged} /node`,
    ]);
    sub.unsubscribe();
    await eventually(async () => !(await watchedPaths()).includes(`/${ns}/node`), 10_000, 'watch removed from the server');
    await admin.setData(`/${ns}/node`, 'v3');
    await zk.sync('/');
    expect(events).toHaveLength(3);
  });

  it('a recursive watch reports the whole subtree (no NodeChildrenChanged)', async () => {
    const ns = uniquePath('pw').slice(1);
    const zk = await open(backend.connectString, { namespace: ns });
    await zk.create('/tree');
    const seen = firstValueFrom(zk.watch('/tree', { recursive: true }).pipe(take(3), toArray()));
    await eventually(async () => (await watchedPaths()).includes(`/${ns}/tree`), 10_000, 'watch on the server');
    await admin.create(`/${ns}/tree/a`);
    await admin.create(`/${ns}/tree/a/b`, 'x');
    await admin.delete(`/${ns}/tree/a/b`);
    expect((await seen).map(describeEvent)).toEqual([
      `${EventType.NodeCreated} /tree/a`,
      `${EventType.NodeCreated} /tree/a/b`,
      `${EventType.NodeDeleted} /tree/a/b`,
    ]);
    // take(3) unsubscribed: the watch is gone from the server.
    await eventually(async () => !(await watchedPaths()).includes(`/${ns}/tree`), 10_000, 'watch removed');
  });

  it('the watch survives a dropped connection and a session expiry', async () => {
    const px = await startTcpProxy({ port: backend.servers[0]!.port });
    proxies.push(px);
    const ns = uniquePath('pw').slice(1);
    const zk = await open(px.connectString, { namespace: ns, sessionTimeoutMs: 6000, simulatedSessionExpirationPercent: 0 });
    await zk.create('/node', 'v0');
    const { events, sub } = await recordEvents(zk, ns, '/node');

    px.dropConnections();
    await nextConnectionState(zk, ConnectionState.RECONNECTED, 20_000);
    // SetWatches re-arms the watch on the new connection; a sync behind it proves it was processed
    // (ZooKeeper does not replay missed changes to persistent watches).
    await zk.sync('/');
    await admin.setData(`/${ns}/node`, 'after-reconnect');
    await eventually(() => events.length === 1, 10_000, `event after reconnect (${JSON.stringify(events, (_k, v) => (typeof v === 'bigint' ? String(v) : v))})`);

    const lost = nextConnectionState(zk, ConnectionState.LOST);
    await expireSession(zk.client, px, backend.connectString);
    await lost;
    await nextConnectionState(zk, ConnectionState.RECONNECTED, 30_000, true);
    await eventually(async () => (await watchedPaths()).includes(`/${ns}/node`), 10_000, 'watch re-added on the new session');
    await admin.setData(`/${ns}/node`, 'after-expiry');
    await eventually(() => events.length === 2, 10_000, 'event on the new session');
    expect(events.map(describeEvent)).toEqual([`${EventType.NodeDataChanged} /node`, `${EventType.NodeDataChanged} /node`]);
    sub.unsubscribe();
  });

  it('closing the framework completes the watch Observable and leaves no watch on the server', async () => {
    const ns = uniquePath('pw').slice(1);
    const zk = await open(backend.connectString, { namespace: ns });
    await zk.create('/node');
    const { sub } = await recordEvents(zk, ns, '/node');
    await zk.close();
    expect(sub.closed).toBe(true);
    await eventually(async () => !(await watchedPaths()).includes(`/${ns}/node`), 10_000, 'session closed, watch gone');
  });
});
