// Caches on a ZooKeeperFramework converge after the session is lost, on zabkit's server and
// Apache ZooKeeper 3.8: the framework's session is killed while it is cut off, another client
// changes the tree meanwhile, the framework comes back on a NEW session (LOST, then RECONNECTED)
// and each cache re-registers its watches there, re-reads, and emits exactly the differences —
// the old session's ephemeral node removed among them. Paths are under the framework's namespace.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { filter, firstValueFrom } from 'rxjs';
import { CreateMode, Op, ZooKeeperFramework, type ConnectionState } from '../../../framework/index.js';
import { NodeCache, PathChildrenCache, TreeCache } from '../../../framework/cache/index.js';
import { killSession } from '../../../framework/testing/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { uniquePath, useClients } from '../../client/support/clients.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { changeSet, eventually, imageOf, record, sameImage, serverImage, watchCount, type TreeImage } from './support.js';

describe.each([ZABKIT, APACHE_STANDALONE])('cache convergence after session loss on $name', (spec) => {
  let backend: Backend;
  let proxy: TcpProxy;
  const open = useClients();
  const frameworks: ZooKeeperFramework[] = [];
  beforeAll(async () => {
    backend = await spec.start();
    proxy = await startTcpProxy({ port: backend.servers[0]!.port });
  });
  afterEach(async () => {
    proxy.refuse(false);
    await Promise.all(frameworks.splice(0).map((f) => f.close()));
  });
  afterAll(async () => {
    await proxy?.close();
    await backend?.stop();
  });

  async function startFramework(namespace: string): Promise<ZooKeeperFramework> {
    const framework = ZooKeeperFramework.start({
      connectString: proxy.connectString,
      namespace,
      sessionTimeoutMs: 6000,
      client: { reconnectDelayMs: 50, spinDelayMs: 200 },
    });
    frameworks.push(framework);
    expect(await framework.blockUntilConnected(20_000)).toBe(true);
    return framework;
  }

  const stateIs = (framework: ZooKeeperFramework, state: ConnectionState): Promise<unknown> =>
    firstValueFrom(framework.connectionState$.pipe(filter((s) => s === state)));

  /** Cuts the framework off, kills its session, runs `change`, lets it back in on a new session. */
  async function loseSession(framework: ZooKeeperFramework, change: () => Promise<void>): Promise<void> {
    const old = framework.client;
    const oldSession = old.sessionId;
    const suspended = stateIs(framework, 'SUSPENDED');
    proxy.refuse(true);
    proxy.dropConnections();
    await suspended;
    await killSession(old, backend.connectString);
    await change();
    const lost = stateIs(framework, 'LOST');
    proxy.refuse(false);
    await lost;
    await stateIs(framework, 'RECONNECTED');
    expect(framework.client.sessionId).not.toBe(oldSession);
  }

  /** Paths of a server image relative to the namespace. */
  const withoutNamespace = (image: TreeImage, ns: string): TreeImage =>
    Object.fromEntries(Object.entries(image).map(([p, v]) => [p.slice(ns.length + 1), v]));

  it.each([true, false])('TreeCache (recursive watch: %s) follows the framework onto its new session', async (recursiveWatch) => {
    const admin = await open(backend.connectString);
    const ns = uniquePath('ns').slice(1);
    const framework = await startFramework(ns);
    const root = '/tree';
    await framework.create(root, 'r');
    for (const n of ['a', 'b', 'c']) await framework.create(`${root}/${n}`, n);
    await framework.create(`${root}/mine`, 'e', { mode: CreateMode.EPHEMERAL });
    const cache = new TreeCache(framework, root, { recursiveWatch });
    const rec = record(cache.events$);
    await rec.next('initialized');
    const from = rec.events.length;
    const abs = `/${ns}${root}`;
    await loseSession(framework, async () => {
      await admin.setData(`${abs}/a`, 'a2');
      await admin.delete(`${abs}/b`);
      await admin.multi([Op.delete(`${abs}/c`), Op.create(`${abs}/c`, 'c')]);
      await admin.create(`${abs}/d`, 'd');
    });
    const want = withoutNamespace(await serverImage(admin, abs), ns);
    await eventually(() => sameImage(imageOf(cache.currentTree().values()), want), 'cache equal to the server');
    // Watches live on the new session: a change made now is seen.
    await admin.create(`${abs}/fence`, 'f');
    await rec.next(`added ${root}/fence=f`);
    expect(changeSet(rec.events.slice(from, -1))).toEqual([
      `added ${root}/c=c`, `added ${root}/d=d`, `removed ${root}/b`, `removed ${root}/c`, `removed ${root}/mine`, `updated ${root}/a=a2`,
    ]);
    // And they are removed from the new session's server side on unsubscribe.
    const port = backend.servers[0]!.port;
    rec.unsubscribe();
    await cache.whenStopped();
    await eventually(async () => (await watchCount(port)) === 0, 'no watches left');
  });

  it('PathChildrenCache and NodeCache follow the framework onto its new session', async () => {
    const admin = await open(backend.connectString);
    const ns = uniquePath('ns').slice(1);
    const framework = await startFramework(ns);
    await framework.create('/group', null);
    await framework.create('/group/member-1', 'one', { mode: CreateMode.EPHEMERAL });
    await framework.create('/group/stays', 's');
    await framework.create('/config', 'v1');
    const members = new PathChildrenCache(framework, '/group');
    const config = new NodeCache(framework, '/config');
    const memberEvents = record(members.events$);
    const configEvents = record(config.events$);
    await memberEvents.next('initialized');
    await configEvents.next('initialized');
    await loseSession(framework, async () => {
      await admin.create(`/${ns}/group/member-2`, 'two');
      await admin.setData(`/${ns}/config`, 'v2');
    });
    const from = memberEvents.events.length;
    await memberEvents.until((all) => all.length === from + 2, 'two membership changes');
    await configEvents.next('updated /config=v2');
    // The watches are on the new session: later changes arrive too.
    await admin.setData(`/${ns}/config`, 'v3');
    await configEvents.next('updated /config=v3');
    await admin.create(`/${ns}/group/member-3`, 'three');
    await memberEvents.next('added /group/member-3=three');
    expect(members.currentData().map((d) => d.path)).toEqual(['/group/member-2', '/group/member-3', '/group/stays']);
    memberEvents.unsubscribe();
    configEvents.unsubscribe();
    expect(changeSet(memberEvents.events.slice(from, from + 2))).toEqual(['added /group/member-2=two', 'removed /group/member-1']);
    expect(members.currentData()).toEqual([]);
    expect(configEvents.described()).toEqual(['added /config=v1', 'initialized', 'updated /config=v2', 'updated /config=v3']);
  });
});
