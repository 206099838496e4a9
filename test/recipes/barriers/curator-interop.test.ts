// zabkit's barriers and real Apache Curator 5.4 (the Java test agent) on the same nodes, on
// zabkit's server and Apache ZooKeeper 3.8: a DistributedBarrier set by one language holds the
// other's waiters until removed, and a DistributedDoubleBarrier with Java and zabkit members
// lets nobody in before all have arrived, then everybody, and lets them leave together.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperClient } from '../../../framework/index.js';
import { DistributedBarrier, DistributedDoubleBarrier } from '../../../recipes/barriers/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, sleep, uniquePath } from '../../client/support/clients.js';
import { useFrameworks } from '../../framework/support/frameworks.js';
import { startCuratorAgent, type CuratorAgent } from '../../support/curator-agent.js';
import { dataWatchesUnder, track } from '../../support/curator/observe.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each([ZABKIT, APACHE_STANDALONE])('barriers shared with Curator on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperClient;
  let agent: CuratorAgent;
  const open = useFrameworks();
  beforeAll(async () => {
    backend = await spec.start();
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
    agent = await startCuratorAgent(backend.connectString, { label: `curator-barriers(${spec.name})` });
  }, 120_000);
  afterAll(async () => {
    await agent?.stop();
    await admin?.close();
    await backend?.stop();
  });
  const watchers = async (path: string): Promise<number> => ((await dataWatchesUnder(backend.servers[0]!.port, path)).get(path) ?? []).length;

  it('DistributedBarrier: each language releases the other\'s waiters by removing the barrier, and only then', async () => {
    const fw = await open(backend.connectString);
    const path = `${uniquePath('xbarrier')}/gate`;
    const ours = new DistributedBarrier(fw, path);
    await ours.setBarrier();
    const javaWaits = track(agent.call('barrier.wait', [path, 60_000], 90_000));
    await eventually(async () => (await watchers(path)) === 1, 20_000, 'Curator watches the barrier');
    await sleep(200);
    expect(javaWaits.settled()).toBe(false);
    await ours.removeBarrier();
    expect((await javaWaits.promise).released).toBe(true);

    await agent.call('barrier.set', [path]);
    expect(await ours.isSet()).toBe(true);
    const ourWait = track(ours.waitOnBarrier());
    await sleep(300);
    expect(ourWait.settled()).toBe(false);
    await agent.call('barrier.remove', [path]);
    await ourWait.promise;
  });

  it('DistributedDoubleBarrier: two Curator and two zabkit members enter only when all four are in, and leave together', async () => {
    const path = uniquePath('xdouble');
    const fws = await Promise.all([0, 1].map(() => open(backend.connectString)));
    const ours = fws.map((fw) => new DistributedDoubleBarrier(fw, path, 4));
    const first = track(ours[0]!.enter());
    const java = [track(agent.call('dbarrier.enter', ['j1', path, 4, 60_000], 90_000)), track(agent.call('dbarrier.enter', ['j2', path, 4, 60_000], 90_000))];
    await eventually(async () => (await admin.getChildren(path).catch(() => ({ children: [] }))).children.length === 3, 20_000, 'three members');
    await sleep(300);
    expect(first.settled() || java.some((j) => j.settled())).toBe(false);
    for (const name of (await admin.getChildren(path)).children) expect(name).toMatch(UUID);

    await ours[1]!.enter();
    await first.promise;
    for (const j of java) expect((await j.promise).entered).toBe(true);
    expect((await admin.getChildren(path)).children).toContain('ready');

    const ourLeave = track(ours[0]!.leave());
    const javaLeaves = [track(agent.call('dbarrier.leave', ['j1', 60_000], 90_000)), track(agent.call('dbarrier.leave', ['j2', 60_000], 90_000))];
    await sleep(500);
    expect(ourLeave.settled() || javaLeaves.some((l) => l.settled())).toBe(false); // one member (ours[1]) is still inside
    await ours[1]!.leave();
    await ourLeave.promise;
    for (const l of javaLeaves) expect((await l.promise).left).toBe(true);
    expect((await admin.getChildren(path)).children).toEqual([]);
  });
});
