// Queues through a server restart (zabkit's TestingServer, durable: sessions and data survive):
// a transactional consumer keeps consuming while items are put before, during and after the
// restart; every item's effect is committed exactly once and the queue ends empty. A waiting
// SimpleDistributedQueue taker is still waiting afterwards and gets the next item.
import { describe, expect, it } from 'vitest';
import { CreateMode, TransactionOp } from '../../../framework/index.js';
import { DistributedQueue, SimpleDistributedQueue, stringSerializer } from '../../../recipes/queues/index.js';
import { eventually, sleep, uniquePath } from '../../client/support/clients.js';
import { useRestartedServer } from '../restarted-server.js';
import { track } from '../../support/curator/observe.js';

describe('queues across a server restart', () => {
  const server = useRestartedServer();

  it('a transactional consumer commits every item exactly once through the restart', async () => {
    const root = uniquePath('restart');
    const path = `${root}/queue`;
    const effects = `${root}/effects`;
    const admin = await server.openPatient();
    await admin.create(effects, null, { creatingParentsIfNeeded: true });
    // All items are queued before the restart: no put is in flight then (a put whose reply is
    // lost is retried and may enqueue twice — producers are at least once).
    const producer = new DistributedQueue(admin, path, { serializer: stringSerializer });
    await producer.start();
    const items = Array.from({ length: 200 }, (_, i) => `item-${i}`);
    await Promise.all(items.map((item) => producer.put(item)));
    const consumers = await Promise.all([0, 1].map(async () => {
      const q = new DistributedQueue(await server.openPatient(), path, {
        serializer: stringSerializer,
        onError: () => undefined,
        transactionalConsumer: (item) => [TransactionOp.create(`${effects}/e-`, item, { mode: CreateMode.PERSISTENT_SEQUENTIAL })],
      });
      await q.start();
      return q;
    }));
    await eventually(async () => (await admin.getChildren(effects)).length >= 20, 60_000, 'consumption under way');
    expect((await admin.getChildren(path)).length).toBeGreaterThan(0); // the restart comes mid-consumption
    await server.restart();
    await eventually(async () => (await admin.getChildren(path)).length === 0, 60_000, 'the queue empties');
    const counts = new Map<string, number>();
    for (const name of await admin.getChildren(effects)) {
      const item = (await admin.getData(`${effects}/${name}`)).data!.toString();
      counts.set(item, (counts.get(item) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([...items].sort());
    for (const item of items) expect(counts.get(item), item).toBe(1);
    await Promise.all([...consumers, producer].map((q) => q.close()));
  });

  it('a waiting take is still waiting after the restart and gets the next item', async () => {
    const path = `${uniquePath('restart')}/simple`;
    const queue = new SimpleDistributedQueue(await server.openPatient(), path);
    const taking = track(queue.take());
    await sleep(200);
    await server.restart();
    await sleep(300);
    expect(taking.settled()).toBe(false);
    await new SimpleDistributedQueue(await server.openPatient(), path).offer('after');
    expect((await taking.promise).toString()).toBe('after');
  });
});
