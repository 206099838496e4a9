// The priority, delay and id variants of DistributedQueue on zabkit's server and Apache
// ZooKeeper 3.8: Curator's node names (priority text, "|hex epoch|", "|id|"), consumption order,
// re-sorting when urgent items arrive, items that become visible at their due time on an
// injected clock, and removal by id (lock-safe with a lockPath).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperClient } from '../../../framework/index.js';
import {
  DistributedDelayQueue, DistributedIdQueue, DistributedPriorityQueue, epochToString, priorityToString, stringSerializer,
} from '../../../recipes/queues/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, sleep, uniquePath } from '../../client/support/clients.js';
import { useFrameworks } from '../../framework/support/frameworks.js';
import { VirtualClock } from '../../framework/support/virtual-clock.js';
import { recordingConsumer } from './support.js';

describe('name parts', () => {
  it("match Curator's priorityToString and epochToString", () => {
    expect(priorityToString(0)).toBe('100000000');
    expect(priorityToString(5)).toBe('100000005');
    expect(priorityToString(-1)).toBe('0FFFFFFFF');
    expect(priorityToString(-2147483648)).toBe('080000000');
    expect(priorityToString(2147483647)).toBe('17FFFFFFF');
    expect(() => priorityToString(2 ** 31)).toThrow(RangeError);
    const ordered = [-2147483648, -5, -1, 0, 1, 10, 2147483647].map(priorityToString);
    expect([...ordered].sort()).toEqual(ordered);
    expect(epochToString(1)).toBe('|00000001|');
    expect(epochToString(1_700_000_000_000)).toBe('|18BCFE56800|');
    expect(() => epochToString(0)).toThrow(RangeError);
  });
});

describe.each([ZABKIT, APACHE_STANDALONE])('queue variants on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperClient;
  const open = useFrameworks();
  beforeAll(async () => {
    backend = await spec.start();
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterAll(async () => {
    await admin?.close();
    await backend?.stop();
  });

  it('DistributedPriorityQueue: lower priorities first, FIFO among equals, names carry the priority', async () => {
    const path = `${uniquePath('pq')}/queue`;
    const producer = new DistributedPriorityQueue(await open(backend.connectString), path, { serializer: stringSerializer });
    await producer.start();
    await producer.put('e', 5);
    await producer.put('a', -1);
    await producer.put('c', 3);
    await producer.put('d', 3);
    await producer.put('b', 0);
    expect((await admin.getChildren(path)).children.sort()).toEqual([
      'queue-0FFFFFFFF0000000001', 'queue-1000000000000000004', 'queue-1000000030000000002', 'queue-1000000030000000003',
      'queue-1000000050000000000',
    ]);
    const recorder = recordingConsumer<string>();
    const consumer = new DistributedPriorityQueue(await open(backend.connectString), path, { serializer: stringSerializer, consumer: recorder.consume });
    await consumer.start();
    await recorder.waitFor(5);
    expect(recorder.done).toEqual(['a', 'b', 'c', 'd', 'e']);
    await Promise.all([consumer.close(), producer.close()]);
  });

  it('DistributedPriorityQueue re-sorts when the children change: an urgent item overtakes the queued ones', async () => {
    const path = `${uniquePath('pq')}/queue`;
    const producer = new DistributedPriorityQueue(await open(backend.connectString), path, { serializer: stringSerializer });
    await producer.start();
    for (const name of ['low-1', 'low-2', 'low-3']) await producer.put(name, 10);
    const recorder = recordingConsumer<string>();
    const held = recorder.hold();
    const consumer = new DistributedPriorityQueue(await open(backend.connectString), path, { serializer: stringSerializer, consumer: recorder.consume });
    await consumer.start();
    expect((await held).item).toBe('low-1');
    // Without a lockPath low-1 was deleted before it was handed over; wait until the consumer's view shows that.
    await eventually(() => consumer.lastMessageCount === 2, 15_000, 'the consumer saw low-1 go');
    await producer.put('urgent', 0);
    // Once the consumer has seen the new child (its watch fired), it re-sorts before the next item.
    await eventually(() => consumer.lastMessageCount === 3, 15_000, 'the consumer saw urgent');
    recorder.release();
    await recorder.waitFor(4);
    expect(recorder.done).toEqual(['low-1', 'urgent', 'low-2', 'low-3']);
    await Promise.all([consumer.close(), producer.close()]);
  });

  it('DistributedDelayQueue: items become visible at their due time (injected clock), earliest first', async () => {
    const path = `${uniquePath('delay')}/queue`;
    const clock = new VirtualClock();
    await clock.advance(1_000_000);
    const t0 = clock.now();
    const producer = new DistributedDelayQueue(await open(backend.connectString), path, { serializer: stringSerializer, clock });
    await producer.start();
    await producer.put('later', t0 + 5000);
    await producer.put('sooner', t0 + 1000);
    await producer.put('due', t0);
    expect((await admin.getChildren(path)).children.sort()).toEqual([
      `queue-${epochToString(t0)}0000000002`, `queue-${epochToString(t0 + 1000)}0000000001`, `queue-${epochToString(t0 + 5000)}0000000000`,
    ].sort());
    const recorder = recordingConsumer<string>();
    const consumer = new DistributedDelayQueue(await open(backend.connectString), path, { serializer: stringSerializer, consumer: recorder.consume, clock });
    await consumer.start();
    await recorder.waitFor(1);
    expect(recorder.done).toEqual(['due']);
    // The consumer now sleeps on the clock until 'sooner' is due.
    await eventually(() => clock.pending > 0, 15_000, 'the consumer waits on the clock');
    await sleep(200);
    expect(recorder.done).toEqual(['due']);
    await clock.advance(999);
    await sleep(200);
    expect(recorder.done).toEqual(['due']);
    await clock.advance(1);
    await recorder.waitFor(2);
    expect(recorder.done).toEqual(['due', 'sooner']);
    await eventually(() => clock.pending > 0, 15_000, 'waiting for the last one');
    await clock.advance(4000);
    await recorder.waitFor(3);
    expect(recorder.done).toEqual(['due', 'sooner', 'later']);
    await Promise.all([consumer.close(), producer.close()]);
  });

  it('DistributedIdQueue: ids in the names, FIFO whatever the ids, remove(id) takes every item with it', async () => {
    const path = `${uniquePath('idq')}/queue`;
    const producer = new DistributedIdQueue(await open(backend.connectString), path, { serializer: stringSerializer });
    await producer.start();
    await producer.put('x', 'job-1');
    await producer.put('y', 'a/b|c');
    await producer.put('z', 'job-1');
    await producer.put('w', 'job-2');
    expect((await admin.getChildren(path)).children.sort()).toEqual([
      'queue-|a_b_c|0000000001', 'queue-|job-1|0000000000', 'queue-|job-1|0000000002', 'queue-|job-2|0000000003',
    ]);
    expect(await producer.isQueued('job-1')).toBe(true);
    expect(await producer.isQueued('a/b|c')).toBe(true);
    expect(await producer.remove('job-1')).toBe(2);
    expect(await producer.remove('job-1')).toBe(0);
    expect(await producer.isQueued('job-1')).toBe(false);
    await expect(producer.put('v', '')).rejects.toThrow(RangeError);
    const recorder = recordingConsumer<string>();
    const consumer = new DistributedIdQueue(await open(backend.connectString), path, { serializer: stringSerializer, consumer: recorder.consume });
    await consumer.start();
    await recorder.waitFor(2);
    expect(recorder.done).toEqual(['y', 'w']);
    await Promise.all([consumer.close(), producer.close()]);
  });

  it('DistributedIdQueue with lockPath: remove(id) leaves an item a consumer holds', async () => {
    const root = uniquePath('idq');
    const path = `${root}/queue`;
    const lockPath = `${root}/locks`;
    const recorder = recordingConsumer<string>();
    const held = recorder.hold();
    const consumer = new DistributedIdQueue(await open(backend.connectString), path, { serializer: stringSerializer, consumer: recorder.consume, lockPath });
    await consumer.start();
    const producer = new DistributedIdQueue(await open(backend.connectString), path, { serializer: stringSerializer, lockPath });
    await producer.start();
    await producer.put('busy', 'job');
    await held;
    await producer.put('idle', 'job');
    await sleep(200);
    expect(await producer.remove('job')).toBe(1); // the held one is locked
    recorder.release();
    await recorder.waitFor(1);
    await eventually(async () => (await admin.getChildren(path)).children.length === 0, 15_000, 'empty');
    expect(recorder.done).toEqual(['busy']);
    await Promise.all([consumer.close(), producer.close()]);
  });
});
