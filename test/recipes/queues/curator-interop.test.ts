// zabkit's DistributedQueue family and real Apache Curator 5.4 (the Java test agent) on the same
// queue, on zabkit's server and Apache ZooKeeper 3.8: items put in one language are consumed in
// the other, in order; Java and zabkit consumers sharing a lock-safe queue consume every item
// exactly once (no faults); priorities, due times and ids written by one side are honoured by the
// other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperClient } from '../../../framework/index.js';
import {
  DistributedDelayQueue, DistributedIdQueue, DistributedPriorityQueue, DistributedQueue, stringSerializer,
} from '../../../recipes/queues/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, sleep, uniquePath } from '../../client/support/clients.js';
import { useFrameworks } from '../../framework/support/frameworks.js';
import { startCuratorAgent, type CuratorAgent } from '../../support/curator-agent.js';
import { recordingConsumer } from './support.js';

interface QueueItemEvent {
  readonly event: 'queue-item';
  readonly id: string;
  readonly item: string;
}

describe.each([ZABKIT, APACHE_STANDALONE])('queues shared with Curator on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperClient;
  let agent: CuratorAgent;
  const open = useFrameworks();
  beforeAll(async () => {
    backend = await spec.start();
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
    agent = await startCuratorAgent(backend.connectString, { label: `curator-queues(${spec.name})` });
  }, 120_000);
  afterAll(async () => {
    await agent?.stop();
    await admin?.close();
    await backend?.stop();
  });

  /** Items the agent's consumer `id` received, in order. */
  const javaReceived = (id: string): string[] =>
    agent.events.flatMap((e) => {
      const q = e as unknown as QueueItemEvent;
      return q.event === 'queue-item' && q.id === id ? [q.item] : [];
    });

  it('items put by Curator are consumed by zabkit in order, and the other way round', async () => {
    const path = `${uniquePath('xq')}/queue`;
    await agent.call('queue.start', ['jp', 'plain', path, '-', 'false']);
    for (let i = 0; i < 10; i++) await agent.call('queue.put', ['jp', `java-${i}`]);
    const recorder = recordingConsumer<string>();
    const consumer = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer, consumer: recorder.consume });
    await consumer.start();
    await recorder.waitFor(10);
    expect(recorder.done).toEqual(Array.from({ length: 10 }, (_, i) => `java-${i}`));
    await consumer.close();
    await agent.call('queue.close', ['jp']);

    const path2 = `${uniquePath('xq')}/queue`;
    const producer = new DistributedQueue(await open(backend.connectString), path2, { serializer: stringSerializer });
    await producer.start();
    for (let i = 0; i < 10; i++) await producer.put(`zabkit-${i}`);
    await producer.putMulti(['multi-a', 'multi-b']);
    await agent.call('queue.start', ['jc', 'plain', path2, '-', 'true']);
    await eventually(() => javaReceived('jc').length === 12, 20_000, 'Curator consumed all');
    expect(javaReceived('jc')).toEqual([...Array.from({ length: 10 }, (_, i) => `zabkit-${i}`), 'multi-a', 'multi-b']);
    await agent.call('queue.close', ['jc']);
    await producer.close();
  });

  it('Java and zabkit consumers sharing a lock-safe queue consume every item exactly once', async () => {
    const root = uniquePath('xq');
    const path = `${root}/queue`;
    const lockPath = `${root}/locks`;
    await agent.call('queue.start', ['jl', 'plain', path, lockPath, 'true']);
    const recorder = recordingConsumer<string>();
    const consumer = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer, consumer: recorder.consume, lockPath });
    await consumer.start();
    const producer = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer });
    await producer.start();
    const total = 60;
    for (let i = 0; i < total; i++) await producer.put(`item-${i}`);
    await eventually(() => recorder.done.length + javaReceived('jl').length >= total, 30_000, 'all consumed');
    await eventually(async () => (await admin.getChildren(path)).children.length === 0, 20_000, 'the queue empties');
    await sleep(300);
    const all = [...recorder.done, ...javaReceived('jl')].sort();
    expect(all).toEqual(Array.from({ length: total }, (_, i) => `item-${i}`).sort());
    expect((await admin.getChildren(lockPath)).children).toEqual([]);
    await Promise.all([consumer.close(), producer.close(), agent.call('queue.close', ['jl'])]);
  });

  it("priorities, due times and ids written by one language are honoured by the other", async () => {
    // Curator's priorities, consumed by zabkit.
    const pPath = `${uniquePath('xq')}/priority`;
    await agent.call('queue.start', ['pp', 'priority', pPath, '-', 'false']);
    for (const [item, priority] of [['five', 5], ['minus-two', -2], ['zero', 0], ['five-again', 5]] as const) {
      await agent.call('queue.put', ['pp', item, priority]);
    }
    const recorder = recordingConsumer<string>();
    const pConsumer = new DistributedPriorityQueue(await open(backend.connectString), pPath, { serializer: stringSerializer, consumer: recorder.consume });
    await pConsumer.start();
    await recorder.waitFor(4);
    expect(recorder.done).toEqual(['minus-two', 'zero', 'five', 'five-again']);
    await pConsumer.close();
    await agent.call('queue.close', ['pp']);

    // zabkit's due times, consumed by Curator: only the item that is due.
    const dPath = `${uniquePath('xq')}/delay`;
    const dProducer = new DistributedDelayQueue(await open(backend.connectString), dPath, { serializer: stringSerializer });
    await dProducer.start();
    await dProducer.put('next-year', Date.now() + 365 * 24 * 3600 * 1000);
    await dProducer.put('due', Date.now() - 1000);
    await agent.call('queue.start', ['dc', 'delay', dPath, '-', 'true']);
    await eventually(() => javaReceived('dc').length === 1, 20_000, 'Curator took the due item');
    await sleep(500);
    expect(javaReceived('dc')).toEqual(['due']);
    expect((await admin.getChildren(dPath)).children).toHaveLength(1);
    await agent.call('queue.close', ['dc']);
    await dProducer.close();

    // Ids: Curator puts, zabkit removes by id; zabkit puts, Curator removes by id.
    const iPath = `${uniquePath('xq')}/ids`;
    await agent.call('queue.start', ['ip', 'id', iPath, '-', 'false']);
    await agent.call('queue.put', ['ip', 'a', 'job-1']);
    await agent.call('queue.put', ['ip', 'b', 'job-2']);
    const ids = new DistributedIdQueue(await open(backend.connectString), iPath, { serializer: stringSerializer });
    await ids.start();
    expect(await ids.remove('job-1')).toBe(1);
    await ids.put('c', 'job-3');
    expect((await agent.call('queue.remove', ['ip', 'job-3'])).removed).toBe(1);
    expect((await admin.getChildren(iPath)).children.map((n) => n.replace(/\d{10}$/, ''))).toEqual(['queue-|job-2|']);
    await ids.close();
    await agent.call('queue.close', ['ip']);
  });
});
