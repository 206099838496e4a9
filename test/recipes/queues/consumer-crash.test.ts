// What each DistributedQueue mode promises when a consumer dies in the middle of an item, on
// zabkit's server and Apache ZooKeeper 3.8. The consumer is held inside the item, then its client
// is closed (the process "crashed") or its session is killed from outside:
// - no lockPath: the item was deleted before the consumer got it — lost, and never delivered
//   twice (at most once);
// - lockPath: the item goes to another consumer — nothing lost (at least once); a consumer whose
//   session died does not delete an item it no longer owns;
// - transactional consumer: every item's effects are committed exactly once, whoever crashes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateMode, TransactionOp, ZooKeeperClient } from '../../../framework/index.js';
import { killSessionAndWait } from '../../../framework/testing/index.js';
import { DistributedQueue, stringSerializer, type TransactionalQueueConsumer } from '../../../recipes/queues/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, sleep, uniquePath } from '../../client/support/clients.js';
import { useFrameworks } from '../../framework/support/frameworks.js';
import { LockLostError } from '../../../recipes/errors.js';
import { startTcpProxy } from '../../support/tcp-proxy.js';
import { errorSink, recordingConsumer } from './support.js';

const ITEMS = Array.from({ length: 12 }, (_, i) => `item-${String(i).padStart(2, '0')}`);

/** A transactional consumer that records each item's effect as a sequential node under `effects`, and can be held inside an item. */
function effectConsumer(effects: string): { consume: TransactionalQueueConsumer<string>; hold(): Promise<string>; release(): void; handed: string[] } {
  let gate: { reached: (item: string) => void; released: Promise<void> } | undefined;
  let open: (() => void) | undefined;
  const handed: string[] = [];
  return {
    handed,
    consume: async (item) => {
      handed.push(item);
      const g = gate;
      if (g) {
        gate = undefined;
        g.reached(item);
        await g.released;
      }
      return [TransactionOp.create(`${effects}/e-`, item, { mode: CreateMode.PERSISTENT_SEQUENTIAL })];
    },
    hold() {
      let reached!: (item: string) => void;
      const p = new Promise<string>((r) => (reached = r));
      const released = new Promise<void>((r) => (open = r));
      gate = { reached, released };
      return p;
    },
    release() {
      open?.();
    },
  };
}

describe.each([ZABKIT, APACHE_STANDALONE])('a consumer crashing mid-item on $name', (spec) => {
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

  const produce = async (path: string): Promise<DistributedQueue<string>> => {
    const producer = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer });
    await producer.start();
    for (const item of ITEMS) await producer.put(item);
    return producer;
  };

  /** Effect nodes per item: exactly-once means every item exactly once. */
  const effectCounts = async (effects: string): Promise<Map<string, number>> => {
    const counts = new Map<string, number>();
    for (const name of (await admin.getChildren(effects)).children) {
      const item = (await admin.getData(`${effects}/${name}`)).data!.toString();
      counts.set(item, (counts.get(item) ?? 0) + 1);
    }
    return counts;
  };

  it('without lockPath (at most once): the held item dies with its consumer and is never delivered again', async () => {
    const path = `${uniquePath('crash')}/queue`;
    const fwA = await open(backend.connectString);
    const a = recordingConsumer<string>();
    const held = a.hold();
    const qa = new DistributedQueue(fwA, path, { serializer: stringSerializer, consumer: a.consume, onError: () => undefined });
    await qa.start();
    const producer = await produce(path);
    const { item } = await held;
    expect(item).toBe(ITEMS[0]);
    await fwA.close(); // the consumer's process dies with the item in hand
    const b = recordingConsumer<string>();
    const qb = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer, consumer: b.consume });
    await qb.start();
    await b.waitFor(ITEMS.length - 1);
    await sleep(300);
    expect(b.done).toEqual(ITEMS.slice(1));
    expect((await admin.getChildren(path)).children).toEqual([]);
    a.release();
    await Promise.all([qa.close(), qb.close(), producer.close()]);
  });

  it('with lockPath (at least once): the item in hand goes to another consumer once the crashed client is gone', async () => {
    const root = uniquePath('crash');
    const path = `${root}/queue`;
    const lockPath = `${root}/locks`;
    const fwA = await open(backend.connectString);
    const a = recordingConsumer<string>();
    const held = a.hold();
    const qa = new DistributedQueue(fwA, path, { serializer: stringSerializer, consumer: a.consume, lockPath, onError: () => undefined });
    await qa.start();
    const producer = await produce(path);
    expect((await held).item).toBe(ITEMS[0]);
    const b = recordingConsumer<string>();
    const qb = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer, consumer: b.consume, lockPath });
    await qb.start();
    // b takes everything but the locked item, and waits on that item's lock.
    await b.waitFor(ITEMS.length - 1);
    expect(b.done).toEqual(ITEMS.slice(1));
    await eventually(async () => (await admin.getChildren(path)).children.length === 1, 15_000, 'b deleted its items');
    expect((await admin.getChildren(path)).children).toEqual(['queue-0000000000']);
    await fwA.close(); // crash: the lock node goes with the session
    await b.waitFor(ITEMS.length);
    expect([...b.done].sort()).toEqual(ITEMS);
    await eventually(async () => (await admin.getChildren(path)).children.length === 0, 15_000, 'the queue empties');
    await eventually(async () => (await admin.getChildren(lockPath)).children.length === 0, 15_000, 'no lock left');
    a.release();
    await Promise.all([qa.close(), qb.close(), producer.close()]);
  });

  it('with lockPath, a consumer whose session was killed mid-item leaves the item to its new owner', async () => {
    const root = uniquePath('crash');
    const path = `${root}/queue`;
    const lockPath = `${root}/locks`;
    const fwA = await open(backend.connectString);
    const a = recordingConsumer<string>();
    const heldA = a.hold();
    const qa = new DistributedQueue(fwA, path, { serializer: stringSerializer, consumer: a.consume, lockPath, onError: () => undefined });
    await qa.start();
    const producer = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer });
    await producer.start();
    await producer.put('contested');
    await heldA;
    const b = recordingConsumer<string>();
    const heldB = b.hold();
    const qb = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer, consumer: b.consume, lockPath });
    await qb.start();
    await killSessionAndWait(fwA.client, backend.connectString); // a's lock node is gone; a lives on, on a new session
    await heldB; // b locked the item and is consuming it
    const lockB = await admin.exists(`${lockPath}/queue-0000000000`);
    expect(lockB?.ephemeralOwner).not.toBe(0n);
    a.release(); // a finishes: it must not delete the item b now owns
    await a.waitFor(1);
    await sleep(300);
    expect((await admin.getChildren(path)).children).toEqual(['queue-0000000000']);
    expect((await admin.exists(`${lockPath}/queue-0000000000`))?.ephemeralOwner).toBe(lockB?.ephemeralOwner);
    b.release();
    await b.waitFor(1);
    await eventually(async () => (await admin.getChildren(path)).children.length === 0, 15_000, 'b deletes it');
    await Promise.all([qa.close(), qb.close(), producer.close()]);
  });

  it("with lockPath, a lost lock aborts the consumer's signal (LockLostError) before another consumer is handed the item; the fencing token grows", async () => {
    const root = uniquePath('crash');
    const path = `${root}/queue`;
    const lockPath = `${root}/locks`;
    const fwA = await open(backend.connectString);
    const a = recordingConsumer<string>();
    const heldA = a.hold();
    const qa = new DistributedQueue(fwA, path, { serializer: stringSerializer, consumer: a.consume, lockPath, onError: () => undefined });
    await qa.start();
    const producer = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer });
    await producer.start();
    await producer.put('fenced');
    const { context: contextA } = await heldA;
    expect(contextA.fencingToken).toBe((await admin.exists(`${lockPath}/queue-0000000000`))?.czxid);
    expect(contextA.signal.aborted).toBe(false);
    let aLostFirst: boolean | undefined;
    let tokenB: bigint | undefined;
    const qb = new DistributedQueue(await open(backend.connectString), path, {
      serializer: stringSerializer,
      lockPath,
      consumer: (_item, context) => {
        aLostFirst = contextA.signal.aborted;
        tokenB = context.fencingToken;
      },
    });
    await qb.start();
    await killSessionAndWait(fwA.client, backend.connectString);
    await eventually(() => tokenB !== undefined, 20_000, 'b got the item');
    expect(aLostFirst).toBe(true);
    expect(contextA.signal.reason).toBeInstanceOf(LockLostError);
    expect(tokenB! > contextA.fencingToken!).toBe(true);
    a.release();
    await Promise.all([qa.close(), qb.close(), producer.close()]);
  });

  it('with lockPath, a suspended connection aborts the signal (standard error policy) but the item stays locked to its consumer', async () => {
    const root = uniquePath('crash');
    const path = `${root}/queue`;
    const lockPath = `${root}/locks`;
    const proxy = await startTcpProxy({ port: backend.servers[0]!.port });
    const fwA = await open(proxy.connectString);
    const a = recordingConsumer<string>();
    const heldA = a.hold();
    const qa = new DistributedQueue(fwA, path, { serializer: stringSerializer, consumer: a.consume, lockPath, onError: () => undefined });
    await qa.start();
    const producer = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer });
    await producer.start();
    await producer.put('kept');
    const { context } = await heldA;
    const b = recordingConsumer<string>();
    const qb = new DistributedQueue(await open(backend.connectString), path, { serializer: stringSerializer, consumer: b.consume, lockPath });
    await qb.start();
    proxy.refuse(true);
    proxy.dropConnections();
    await eventually(() => context.signal.aborted, 15_000, 'the signal aborts on SUSPENDED');
    expect((context.signal.reason as LockLostError).reason).toBe('connection-suspended');
    proxy.refuse(false); // back on the same session: the lock node never went away
    await eventually(() => fwA.isConnected, 15_000, 'reconnected');
    a.release();
    await a.waitFor(1);
    await eventually(async () => (await admin.getChildren(path)).children.length === 0, 15_000, 'a deletes its item');
    expect(b.started).toEqual([]);
    await Promise.all([qa.close(), qb.close(), producer.close()]);
    await proxy.close();
  });

  for (const mode of ['no lock', 'lockPath'] as const) {
    for (const crash of ['client closed', 'session killed'] as const) {
      it(`transactional consumer (${mode}, ${crash}): every item's effects committed exactly once`, async () => {
        const root = uniquePath('crash');
        const path = `${root}/queue`;
        const effects = `${root}/effects`;
        await admin.create(root);
        await admin.create(effects);
        const lockPath = mode === 'lockPath' ? `${root}/locks` : undefined;
        const fwA = await open(backend.connectString);
        const a = effectConsumer(effects);
        const heldA = a.hold();
        const sinkA = errorSink();
        const qa = new DistributedQueue(fwA, path, {
          serializer: stringSerializer, transactionalConsumer: a.consume, onError: sinkA.onError, ...(lockPath ? { lockPath } : {}),
        });
        await qa.start();
        const producer = await produce(path);
        expect(await heldA).toBe(ITEMS[0]);
        const b = effectConsumer(effects);
        const qb = new DistributedQueue(await open(backend.connectString), path, {
          serializer: stringSerializer, transactionalConsumer: b.consume, ...(lockPath ? { lockPath } : {}),
        });
        await qb.start();
        if (crash === 'client closed') await fwA.close();
        else await killSessionAndWait(fwA.client, backend.connectString);
        // b consumes everything, the item a holds included (without a lock b may take it even before the crash).
        await eventually(async () => (await admin.getChildren(path)).children.length === 0, 20_000, 'the queue empties');
        a.release(); // a's transaction for the item comes too late: the item is gone, so are its effects
        await sleep(500);
        const counts = await effectCounts(effects);
        expect([...counts.keys()].sort()).toEqual(ITEMS);
        for (const item of ITEMS) expect(counts.get(item), item).toBe(1);
        expect(b.handed).toContain(ITEMS[0]);
        await Promise.all([qa.close(), qb.close(), producer.close()]);
      });
    }
  }
});
