// zabkit's counters and real Apache Curator 5.4 (the Java test agent) on the same nodes, on
// zabkit's server and Apache ZooKeeper 3.8: a SharedCount seeded by one language is read by the
// other and follows its writes; compare-and-set increments from both languages at once lose no
// update; DistributedAtomicLong increments from Java threads and zabkit clients at once are all
// counted, each seeing a distinct value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetryNTimes, ZooKeeperClient } from '../../../framework/index.js';
import { DistributedAtomicLong, SharedCount } from '../../../recipes/counters/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, uniquePath } from '../../client/support/clients.js';
import { useFrameworks } from '../../framework/support/frameworks.js';
import { startCuratorAgent, type CuratorAgent } from '../../support/curator-agent.js';

describe.each([ZABKIT, APACHE_STANDALONE])('counters shared with Curator on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperClient;
  let agent: CuratorAgent;
  const open = useFrameworks();
  beforeAll(async () => {
    backend = await spec.start();
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
    agent = await startCuratorAgent(backend.connectString, { label: `curator-counters(${spec.name})` });
  }, 120_000);
  afterAll(async () => {
    await agent?.stop();
    await admin?.close();
    await backend?.stop();
  });

  it('SharedCount: one node, one count — each language reads what the other seeded and wrote', async () => {
    const path = `${uniquePath('xcount')}/n`;
    const started = await agent.call('count.start', ['c1', path, 5]);
    expect(started.count).toBe(5);
    const ours = new SharedCount(await open(backend.connectString), path, 99);
    await ours.start();
    expect(ours.count).toBe(5);
    await ours.setCount(7);
    await eventually(async () => (await agent.call('count.get', ['c1'])).count === 7, 20_000, 'Curator sees 7');
    const seen = new Promise<number>((resolve) => ours.count$.subscribe((n) => n === 9 && resolve(n)));
    await agent.call('count.set', ['c1', 9]);
    expect(await seen).toBe(9);
    await agent.call('count.close', ['c1']);
    await ours.close();
  });

  it('SharedCount: compare-and-set increments from Java and zabkit at the same time lose no update', async () => {
    const path = `${uniquePath('xcount')}/n`;
    await agent.call('count.start', ['c2', path, 0]);
    const ours = new SharedCount(await open(backend.connectString), path, 0);
    await ours.start();
    const times = 25;
    const javaSide = agent.call('count.increment', ['c2', times], 120_000);
    for (let done = 0; done < times; ) {
      const v = ours.versionedValue;
      if (await ours.trySetCount(v, v.value + 1)) done++;
    }
    await javaSide;
    expect((await admin.getData(path)).data?.readInt32BE(0)).toBe(2 * times);
    await eventually(() => ours.count === 2 * times, 20_000, 'zabkit converges');
    await agent.call('count.close', ['c2']);
    await ours.close();
  });

  it('DistributedAtomicLong: increments from two Java threads and two zabkit clients at once are all counted, each once', async () => {
    const path = `${uniquePath('xatomic')}/n`;
    const times = 20;
    const java = [agent.call('atomic.increment', [path, times], 120_000), agent.call('atomic.increment', [path, times], 120_000)];
    const retry = new RetryNTimes({ n: 1000, sleepMsBetweenRetries: 1 });
    const ours = await Promise.all([0, 1].map(async () => new DistributedAtomicLong(await open(backend.connectString), path, retry)));
    const zabkitPosts = (await Promise.all(ours.map(async (counter) => {
      const posts: bigint[] = [];
      for (let i = 0; i < times; i++) {
        const r = await counter.increment();
        expect(r.succeeded).toBe(true);
        posts.push(r.postValue);
      }
      return posts;
    }))).flat();
    const javaAnswers = await Promise.all(java);
    for (const a of javaAnswers) expect(a.failed).toBe(0);
    const javaPosts = javaAnswers.flatMap((a) => (a.postValues as number[]).map((v) => BigInt(v)));
    const all = [...zabkitPosts, ...javaPosts].sort((a, b) => (a < b ? -1 : 1));
    expect(all).toEqual(Array.from({ length: 4 * times }, (_, i) => BigInt(i + 1)));
    expect((await ours[0]!.get()).preValue).toBe(BigInt(4 * times));
    expect((await agent.call('atomic.get', [path])).value).toBe(4 * times);
  });
});
