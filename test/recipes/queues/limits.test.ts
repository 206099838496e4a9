// The queue length a listing within jute.maxbuffer allows, on zabkit's server and Apache
// ZooKeeper 3.8: the formula, exactly at the boundary (a client with a small maxBufferBytes: the
// last allowed length works, one more item makes the listing fail cleanly), and a large
// queue under the real 1 MiB default (50 000 items, about 95% of the limit) that still works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateMode, Op, ZooKeeperClient } from '../../../framework/index.js';
import {
  DistributedQueue, maxQueueLength, QUEUE_NAME_LENGTH, SIMPLE_QUEUE_NAME_LENGTH, PRIORITY_QUEUE_NAME_LENGTH,
  DELAY_QUEUE_NAME_LENGTH, serializeItems, stringSerializer,
} from '../../../recipes/queues/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, uniquePath } from '../../client/support/clients.js';
import { useFrameworks } from '../../framework/support/frameworks.js';
import { errorSink, recordingConsumer } from './support.js';

describe('maxQueueLength', () => {
  it('is how many names fit in a getChildren reply of at most jute.maxbuffer bytes', () => {
    expect(maxQueueLength(QUEUE_NAME_LENGTH)).toBe(52_424);
    expect(maxQueueLength(SIMPLE_QUEUE_NAME_LENGTH)).toBe(61_675);
    expect(maxQueueLength(PRIORITY_QUEUE_NAME_LENGTH)).toBe(36_154);
    expect(maxQueueLength(DELAY_QUEUE_NAME_LENGTH)).toBe(31_772);
    expect(maxQueueLength(16, 8192)).toBe(405);
    // the reply for that many is within the buffer, one more is not
    const reply = (n: number): number => 16 + 68 + 4 + n * (4 + 16);
    expect(reply(405)).toBeLessThanOrEqual(8192);
    expect(reply(406)).toBeGreaterThan(8192);
    expect(() => maxQueueLength(0)).toThrow(RangeError);
  });
});

describe.each([ZABKIT, APACHE_STANDALONE])('queue length limits on $name', (spec) => {
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

  /** `count` queue items created directly (many per multi), in Curator bytes. */
  const fill = async (path: string, count: number, batch = 500): Promise<void> => {
    const bytes = serializeItems(['x'], stringSerializer);
    const multis: Promise<unknown>[] = [];
    for (let done = 0; done < count; done += batch) {
      const n = Math.min(batch, count - done);
      multis.push(admin.multi(Array.from({ length: n }, () => Op.create(`${path}/queue-`, bytes, { mode: CreateMode.PERSISTENT_SEQUENTIAL }))));
    }
    await Promise.all(multis);
  };

  it('at the boundary: the longest queue a listing allows works, one more item makes start() fail cleanly', async () => {
    const maxBufferBytes = 8192;
    const limit = maxQueueLength(QUEUE_NAME_LENGTH, maxBufferBytes);
    const path = `${uniquePath('limit')}/queue`;
    await admin.create(path.slice(0, path.lastIndexOf('/')));
    await admin.create(path);
    await fill(path, limit + 1);
    const sink = errorSink();
    const recorder = recordingConsumer<string>();
    const fw = await open(backend.connectString, { client: { maxBufferBytes, reconnectDelayMs: 50, spinDelayMs: 200 } });
    const consumer = new DistributedQueue(fw, path, { serializer: stringSerializer, consumer: recorder.consume, onError: sink.onError });
    // One item too many: the listing cannot be read, start() fails and nothing is consumed.
    await expect(consumer.start()).rejects.toThrow();
    expect(recorder.done).toEqual([]);
    await consumer.close();
    // Exactly at the limit it works.
    await admin.delete(`${path}/queue-${String(limit).padStart(10, '0')}`);
    const fw2 = await open(backend.connectString, { client: { maxBufferBytes, reconnectDelayMs: 50, spinDelayMs: 200 } });
    const working = new DistributedQueue(fw2, path, { serializer: stringSerializer, consumer: recorder.consume, onError: sink.onError });
    await working.start();
    await eventually(() => recorder.done.length >= 10, 20_000, 'consuming from a full-length queue');
    await working.close();
  });

  it('50 000 items (95% of the 1 MiB listing) still work: the consumer lists them and takes them in order', async () => {
    const count = 50_000;
    expect(count).toBeLessThan(maxQueueLength(QUEUE_NAME_LENGTH));
    const path = `${uniquePath('big')}/queue`;
    await admin.create(path.slice(0, path.lastIndexOf('/')));
    await admin.create(path);
    await fill(path, count, 1000);
    const seen: string[] = [];
    const recorder = recordingConsumer<string>();
    const consumer = new DistributedQueue(await open(backend.connectString), path, {
      serializer: stringSerializer,
      consumer: async (item, context) => {
        seen.push(context.itemNode);
        await recorder.consume(item, context);
      },
    });
    await consumer.start();
    expect(consumer.lastMessageCount).toBe(count);
    await recorder.waitFor(20, 60_000);
    await consumer.close();
    expect(seen.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `queue-${String(i).padStart(10, '0')}`));
  }, 180_000);
});
