// SimpleDistributedQueue on zabkit's server and Apache ZooKeeper 3.8: ZooKeeper's "qn-" layout
// (raw data, persistent sequential), FIFO, the empty cases of each call, waiting takers woken by
// a put from another client (also after a session expiry), timeouts and aborts that leave no
// watch, and competing takers that never get the same item.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientClosedError, ZooKeeperClient } from '../../../framework/index.js';
import { killSessionAndWait } from '../../../framework/testing/index.js';
import { SimpleDistributedQueue } from '../../../recipes/queues/index.js';
import { QueueEmptyError } from '../../../recipes/errors.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, sleep, uniquePath } from '../../client/support/clients.js';
import { useFrameworks } from '../../framework/support/frameworks.js';
import { track } from '../../support/curator/observe.js';

describe.each([ZABKIT, APACHE_STANDALONE])('SimpleDistributedQueue on $name', (spec) => {
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
  /** Whether anyone holds a child watch on `path` (zabkit and Apache both answer wchc per session; we count lines). */
  const childWatchedBy = async (fw: { client: ZooKeeperClient }, path: string): Promise<boolean> =>
    (fw.client as unknown as { registry: { has(kind: string, path: string): boolean } }).registry.has('child', path);

  it('offers qn- persistent sequential nodes with the raw bytes and hands them out FIFO; empty cases', async () => {
    const fw = await open(backend.connectString);
    const path = `${uniquePath('sq')}/q`;
    const queue = new SimpleDistributedQueue(fw, path);
    expect(await queue.peek()).toBeNull();
    expect(await queue.poll()).toBeNull();
    await expect(queue.element()).rejects.toBeInstanceOf(QueueEmptyError);
    await expect(queue.remove()).rejects.toBeInstanceOf(QueueEmptyError);
    expect(await queue.size()).toBe(0);
    const first = await queue.offer('one');
    await queue.offer(Buffer.from('two'));
    await queue.offer(null);
    expect(first).toBe(`${path}/qn-0000000000`);
    const { children } = await admin.getChildren(path);
    expect(children.sort()).toEqual(['qn-0000000000', 'qn-0000000001', 'qn-0000000002']);
    const node = await admin.getData(`${path}/qn-0000000000`);
    expect(node.data?.toString()).toBe('one');
    expect(node.stat.ephemeralOwner).toBe(0n);
    await admin.create(`${path}/foreign`); // not an item: skipped
    expect(await queue.size()).toBe(3);
    expect((await queue.peek())?.toString()).toBe('one');
    expect((await queue.element()).toString()).toBe('one');
    expect((await queue.remove()).toString()).toBe('one');
    expect((await queue.poll())?.toString()).toBe('two');
    expect((await queue.take()).length).toBe(0);
    expect(await queue.poll()).toBeNull();
    expect((await admin.getChildren(path)).children).toEqual(['foreign']);
  });

  it('a waiting take is woken by an offer from another client; poll with a timeout gives null and leaves no watch', async () => {
    const path = `${uniquePath('sq')}/q`;
    const fw = await open(backend.connectString);
    const consumer = new SimpleDistributedQueue(fw, path);
    const producer = new SimpleDistributedQueue(await open(backend.connectString), path);
    expect(await consumer.poll({ timeoutMs: 200 })).toBeNull();
    expect(await childWatchedBy(fw, path)).toBe(false);
    const taking = track(consumer.take());
    await eventually(() => childWatchedBy(fw, path), 15_000, 'the taker watches the children');
    await sleep(100);
    expect(taking.settled()).toBe(false);
    await producer.offer('hello');
    expect((await taking.promise).toString()).toBe('hello');
    expect(await childWatchedBy(fw, path)).toBe(false);
    // poll with a timeout returns an item that arrives in time
    const polling = consumer.poll({ timeoutMs: 20_000 });
    await producer.offer('later');
    expect((await polling)?.toString()).toBe('later');
  });

  it('abort rejects a take with the reason, close with ClientClosedError; the items stay', async () => {
    const path = `${uniquePath('sq')}/q`;
    const fw = await open(backend.connectString);
    const queue = new SimpleDistributedQueue(fw, path);
    const controller = new AbortController();
    const aborted = queue.take({ signal: controller.signal }).catch((e: unknown) => e);
    await eventually(() => childWatchedBy(fw, path), 15_000, 'watching');
    controller.abort(new Error('enough'));
    expect(((await aborted) as Error).message).toBe('enough');
    expect(await childWatchedBy(fw, path)).toBe(false);
    const closing = queue.take().catch((e: unknown) => e);
    await eventually(() => childWatchedBy(fw, path), 15_000, 'watching again');
    await fw.close();
    expect(await closing).toBeInstanceOf(ClientClosedError);
    const other = new SimpleDistributedQueue(await open(backend.connectString), path);
    await other.offer('kept');
    expect(await other.size()).toBe(1);
  });

  it('a waiting take outlives a session expiry', async () => {
    const path = `${uniquePath('sq')}/q`;
    const fw = await open(backend.connectString);
    const queue = new SimpleDistributedQueue(fw, path);
    const taking = track(queue.take());
    await eventually(() => childWatchedBy(fw, path), 15_000, 'watching');
    const before = fw.client.sessionId;
    await killSessionAndWait(fw.client, backend.connectString);
    await eventually(() => fw.client.sessionId !== before && fw.isConnected, 20_000, 'a new session');
    await eventually(() => childWatchedBy(fw, path), 20_000, 'watching on the new session');
    expect(taking.settled()).toBe(false);
    await new SimpleDistributedQueue(await open(backend.connectString), path).offer('after expiry');
    expect((await taking.promise).toString()).toBe('after expiry');
  });

  it('competing takers on several sessions never get the same item and together get them all', async () => {
    const path = `${uniquePath('sq')}/q`;
    const producer = new SimpleDistributedQueue(await open(backend.connectString), path);
    const total = 40;
    for (let i = 0; i < total; i++) await producer.offer(`item-${i}`);
    const takers = await Promise.all([0, 1, 2, 3].map(async () => new SimpleDistributedQueue(await open(backend.connectString), path)));
    const got = await Promise.all(takers.map(async (q) => {
      const mine: string[] = [];
      for (let item = await q.poll(); item !== null; item = await q.poll()) mine.push(item.toString());
      return mine;
    }));
    const all = got.flat().sort();
    expect(all).toEqual(Array.from({ length: total }, (_, i) => `item-${i}`).sort());
    // each taker saw its items in queue order
    for (const mine of got) {
      const order = mine.map((s) => Number(s.slice(5)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });
});
