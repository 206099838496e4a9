// DistributedQueue on zabkit's server and Apache ZooKeeper 3.8: Curator's node names and item
// bytes, FIFO consumption (putMulti items together, in order), consumers sharing the work without
// doubles, the lock-safe mode's lock nodes and the requeue / delete error modes, bounded puts,
// close, and corrupted or foreign nodes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateMode, ZooKeeperClient } from '../../../framework/index.js';
import {
  DistributedQueue, deserializeItems, serializeItems, stringSerializer, jsonSerializer,
} from '../../../recipes/queues/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, sleep, uniquePath } from '../../client/support/clients.js';
import { useFrameworks } from '../../framework/support/frameworks.js';
import { track } from '../../support/curator/observe.js';
import { errorSink, recordingConsumer } from './support.js';

/** Curator's ItemSerializer bytes for one UTF-8 item. */
function curatorBytes(...items: string[]): Buffer {
  const parts = [Buffer.from([0x00, 0x01, 0x00, 0x01])];
  for (const item of items) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(Buffer.byteLength(item));
    parts.push(Buffer.from([0x01]), len, Buffer.from(item));
  }
  parts.push(Buffer.from([0x02]));
  return Buffer.concat(parts);
}

describe('item bytes', () => {
  it("are Curator's ItemSerializer format, both ways; anything else is refused", () => {
    expect(serializeItems(['hello'], stringSerializer)).toEqual(curatorBytes('hello'));
    expect(serializeItems(['a', '', 'ü'], stringSerializer)).toEqual(curatorBytes('a', '', 'ü'));
    expect(deserializeItems(curatorBytes('x', 'yz'), stringSerializer)).toEqual(['x', 'yz']);
    expect(deserializeItems(Buffer.concat([curatorBytes('x'), Buffer.from('trailing')]), stringSerializer)).toEqual(['x']);
    expect(deserializeItems(serializeItems([{ a: 1 }], jsonSerializer()), jsonSerializer())).toEqual([{ a: 1 }]);
    expect(() => serializeItems([], stringSerializer)).toThrow(RangeError);
    expect(() => deserializeItems(Buffer.from('hello'), stringSerializer)).toThrow(/version/);
    expect(() => deserializeItems(curatorBytes('abc').subarray(0, 10), stringSerializer)).toThrow(/truncated/);
    const badOpcode = curatorBytes('a');
    badOpcode[4] = 7;
    expect(() => deserializeItems(badOpcode, stringSerializer)).toThrow(/opcode/);
  });
});

describe.each([ZABKIT, APACHE_STANDALONE])('DistributedQueue on $name', (spec) => {
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

  it('puts each item into a persistent sequential queue-<seq> node in Curator bytes; a producer-only queue consumes nothing', async () => {
    const path = `${uniquePath('dq')}/queue`;
    const producer = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer });
    await expect(producer.put('too early')).rejects.toThrow(/not started/);
    await producer.start();
    expect(await producer.put('hello')).toBe(true);
    expect(await producer.putMulti(['a', 'b'])).toBe(true);
    const { children } = await admin.getChildren(path);
    expect(children.sort()).toEqual(['queue-0000000000', 'queue-0000000001']);
    const first = await admin.getData(`${path}/queue-0000000000`);
    expect(first.data).toEqual(curatorBytes('hello'));
    expect(first.stat.ephemeralOwner).toBe(0n);
    expect((await admin.getData(`${path}/queue-0000000001`)).data).toEqual(curatorBytes('a', 'b'));
    expect(await producer.itemNodes()).toEqual(['queue-0000000000', 'queue-0000000001']);
    await sleep(200);
    expect((await admin.getChildren(path)).children).toHaveLength(2);
    await producer.close();
    await expect(producer.put('too late')).rejects.toThrow(/closed/);
  });

  it('a consumer takes items FIFO (putMulti items together, in order), also those put before it started', async () => {
    const path = `${uniquePath('dq')}/queue`;
    const producer = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer });
    await producer.start();
    await producer.put('early-1');
    await producer.put('early-2');
    const recorder = recordingConsumer<string>();
    const sink = errorSink();
    const consumer = new DistributedQueue(await open(backend.connectString), path, {
      serializer: stringSerializer, consumer: recorder.consume, onError: sink.onError,
    });
    await consumer.start();
    await producer.putMulti(['m-1', 'm-2', 'm-3']);
    for (let i = 0; i < 5; i++) await producer.put(`late-${i}`);
    await recorder.waitFor(10);
    expect(recorder.done).toEqual(['early-1', 'early-2', 'm-1', 'm-2', 'm-3', 'late-0', 'late-1', 'late-2', 'late-3', 'late-4']);
    await eventually(async () => (await admin.getChildren(path)).children.length === 0, 15_000, 'the queue empties');
    expect(sink.errors).toEqual([]);
    await consumer.close();
    await producer.close();
  });

  it('consumers on several sessions share the work; without faults no item is consumed twice', async () => {
    const path = `${uniquePath('dq')}/queue`;
    const recorders = [recordingConsumer<string>(), recordingConsumer<string>(), recordingConsumer<string>()];
    const consumers = await Promise.all(recorders.map(async (r) => {
      const q = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer, consumer: r.consume });
      await q.start();
      return q;
    }));
    const producer = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer });
    await producer.start();
    const total = 60;
    for (let i = 0; i < total; i++) await producer.put(`item-${i}`);
    await eventually(() => recorders.reduce((n, r) => n + r.done.length, 0) >= total, 20_000, 'all consumed');
    await sleep(300);
    const all = recorders.flatMap((r) => r.done).sort();
    expect(all).toEqual(Array.from({ length: total }, (_, i) => `item-${i}`).sort());
    // Each consumer took its share in queue order.
    for (const r of recorders) {
      const order = r.done.map((s) => Number(s.slice(5)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    await Promise.all([...consumers, producer].map((q) => q.close()));
  });

  it('lockPath: while consumed the item stays, locked by an ephemeral node of the consumer; both are gone afterwards', async () => {
    const root = uniquePath('dq');
    const path = `${root}/queue`;
    const lockPath = `${root}/locks`;
    const recorder = recordingConsumer<string>();
    const fw = await open(backend.connectString);
    const consumer = new DistributedQueue(fw, path, { serializer: stringSerializer, consumer: recorder.consume, lockPath });
    await consumer.start();
    expect((await admin.exists(lockPath))?.ephemeralOwner).toBe(0n);
    const held = recorder.hold();
    const producer = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer });
    await producer.start();
    await producer.put('locked');
    const { item } = await held;
    expect(item).toBe('locked');
    expect((await admin.getChildren(path)).children).toEqual(['queue-0000000000']);
    const lock = await admin.exists(`${lockPath}/queue-0000000000`);
    expect(lock?.ephemeralOwner).toBe(fw.client.sessionId);
    recorder.release();
    await recorder.waitFor(1);
    await eventually(async () => (await admin.getChildren(path)).children.length === 0, 15_000, 'the item deleted');
    await eventually(async () => (await admin.getChildren(lockPath)).children.length === 0, 15_000, 'the lock deleted');
    await Promise.all([consumer.close(), producer.close()]);
  });

  it('errorMode requeue puts a failed item at the back; delete drops it; both report the failure', async () => {
    for (const errorMode of ['requeue', 'delete'] as const) {
      const root = uniquePath('dq');
      const path = `${root}/queue`;
      const seen: string[] = [];
      let failures = 0;
      const sink = errorSink();
      const consumer = new DistributedQueue(await open(backend.connectString), path, {
        serializer: stringSerializer,
        lockPath: `${root}/locks`,
        errorMode,
        onError: sink.onError,
        consumer: (item) => {
          seen.push(item);
          if (item === 'bad' && failures++ === 0) throw new Error('first try fails');
        },
      });
      const producer = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer });
      await producer.start();
      await producer.put('bad');
      await producer.put('good');
      await consumer.start();
      if (errorMode === 'requeue') {
        await eventually(() => seen.length === 3, 15_000, 'the requeued item consumed again');
        expect(seen).toEqual(['bad', 'good', 'bad']);
      } else {
        await eventually(() => seen.length === 2, 15_000, 'both consumed once');
        await sleep(300);
        expect(seen).toEqual(['bad', 'good']);
      }
      await eventually(async () => (await admin.getChildren(path)).children.length === 0, 15_000, 'the queue empties');
      expect(sink.errors.map((e) => (e.error as Error).message)).toEqual(['first try fails']);
      await Promise.all([consumer.close(), producer.close()]);
    }
  });

  it('maxItems: a put waits for room (false after its timeout) and goes through once a consumer makes room', async () => {
    const path = `${uniquePath('dq')}/queue`;
    const producer = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer, maxItems: 2 });
    await producer.start();
    await producer.put('1');
    await producer.put('2');
    expect(await producer.put('3', { timeoutMs: 300 })).toBe(false);
    expect((await admin.getChildren(path)).children).toHaveLength(2);
    const waiting = track(producer.put('3'));
    await sleep(200);
    expect(waiting.settled()).toBe(false);
    const controller = new AbortController();
    const aborted = producer.put('never', { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort(new Error('stop waiting'));
    expect(((await aborted) as Error).message).toBe('stop waiting');
    const recorder = recordingConsumer<string>();
    const consumer = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer, consumer: recorder.consume });
    await consumer.start();
    expect(await waiting.promise).toBe(true);
    await recorder.waitFor(3);
    expect(recorder.done).toEqual(['1', '2', '3']);
    await Promise.all([consumer.close(), producer.close()]);
  });

  it("close() aborts the consumer's signal and waits for the item in hand; closing the framework closes the queue", async () => {
    const root = uniquePath('dq');
    const path = `${root}/queue`;
    const recorder = recordingConsumer<string>();
    const fw = await open(backend.connectString);
    const consumer = new DistributedQueue(fw, path, { serializer: stringSerializer, consumer: recorder.consume, lockPath: `${root}/locks` });
    await consumer.start();
    const held = recorder.hold();
    const producer = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer });
    await producer.start();
    await producer.put('in hand');
    await producer.put('not yet');
    const { context } = await held;
    const closing = track(consumer.close());
    await eventually(() => context.signal.aborted, 5000, 'signal aborted');
    await sleep(100);
    expect(closing.settled()).toBe(false);
    recorder.release();
    await closing.promise;
    expect(recorder.done).toEqual(['in hand']);
    expect((await admin.getChildren(path)).children).toHaveLength(1); // 'not yet' stays
    // A second consumer whose framework closes stops by itself.
    const fw2 = await open(backend.connectString);
    const recorder2 = recordingConsumer<string>();
    const second = new DistributedQueue(fw2, path, { serializer: stringSerializer, consumer: recorder2.consume });
    await second.start();
    await recorder2.waitFor(1);
    await fw2.close();
    await second.close();
    await producer.close();
  });

  it('corrupted items are reported and dropped, foreign nodes reported once and left alone', async () => {
    const path = `${uniquePath('dq')}/queue`;
    await admin.create(path.slice(0, path.lastIndexOf('/')));
    await admin.create(path);
    await admin.create(`${path}/queue-`, Buffer.from('not curator bytes'), { mode: CreateMode.PERSISTENT_SEQUENTIAL });
    await admin.create(`${path}/queue-`, curatorBytes('fine'), { mode: CreateMode.PERSISTENT_SEQUENTIAL });
    await admin.create(`${path}/stranger`);
    const recorder = recordingConsumer<string>();
    const sink = errorSink();
    const consumer = new DistributedQueue(await open(backend.connectString), path, {
      serializer: stringSerializer, consumer: recorder.consume, onError: sink.onError,
    });
    await consumer.start();
    await recorder.waitFor(1);
    expect(recorder.done).toEqual(['fine']);
    await eventually(async () => (await admin.getChildren(path)).children.length === 1, 15_000, 'the corrupted item dropped');
    expect((await admin.getChildren(path)).children).toEqual(['stranger']);
    expect(sink.errors.map((e) => e.what).sort()).toEqual([`corrupted queue item queue-0000000000`, `reading ${path}`]);
    await consumer.close();
  });
});
