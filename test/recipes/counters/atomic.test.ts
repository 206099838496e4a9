// DistributedAtomicLong / DistributedAtomicInteger / DistributedAtomicValue on zabkit's server and
// Apache ZooKeeper 3.8: Curator's byte formats, every operation's pre/post values, concurrent
// increments from several clients with no lost update (each increment sees a distinct value),
// give-ups that wrote nothing, promotion to an InterProcessMutex, and lost write replies reported
// as WriteOutcomeUnknownError instead of being applied again (Curator would count them twice).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RetryNTimes, ZooKeeperClient } from '../../../framework/index.js';
import { DistributedAtomicInteger, DistributedAtomicLong, DistributedAtomicValue } from '../../../recipes/counters/index.js';
import { CorruptedValueError, WriteOutcomeUnknownError } from '../../../recipes/errors.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, uniquePath } from '../../client/support/clients.js';
import { useFrameworks } from '../../framework/support/frameworks.js';
import { CREATE_OPS, requestPath, startReplyDroppingProxy, type ReplyDroppingProxy } from '../../framework/support/reply-dropping-proxy.js';

const SET_DATA = 5;
const PATIENT = new RetryNTimes({ n: 1000, sleepMsBetweenRetries: 1 });

describe.each([ZABKIT, APACHE_STANDALONE])('atomic counters on $name', (spec) => {
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

  it('DistributedAtomicLong: 8-byte big-endian longs, a missing node counts as 0; every operation reports pre and post values', async () => {
    const fw = await open(backend.connectString);
    const path = `${uniquePath('atomic')}/a/n`;
    const counter = new DistributedAtomicLong(fw, path, PATIENT);
    expect(await counter.get()).toMatchObject({ succeeded: true, preValue: 0n, postValue: 0n });
    const first = await counter.increment();
    expect(first).toMatchObject({ succeeded: true, preValue: 0n, postValue: 1n });
    expect(first.stats.optimisticTries).toBe(1);
    expect((await admin.getData(path)).data).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]));
    expect((await admin.exists(`${uniquePath('never')}`))).toBeNull();
    expect(await counter.add(41n)).toMatchObject({ succeeded: true, preValue: 1n, postValue: 42n });
    expect(await counter.subtract(2n)).toMatchObject({ preValue: 42n, postValue: 40n });
    expect(await counter.decrement()).toMatchObject({ preValue: 40n, postValue: 39n });
    expect(await counter.compareAndSet(39n, 100n)).toMatchObject({ succeeded: true, preValue: 39n, postValue: 100n });
    expect(await counter.compareAndSet(39n, 7n)).toMatchObject({ succeeded: false, preValue: 100n, postValue: 0n });
    expect(await counter.trySet(-5n)).toMatchObject({ succeeded: true, preValue: 100n, postValue: -5n });
    expect((await admin.getData(path)).data).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfb]));
    await counter.forceSet(2n ** 63n - 1n);
    expect(await counter.increment()).toMatchObject({ preValue: 2n ** 63n - 1n, postValue: -(2n ** 63n) }); // wraps like Java's long
    expect(await counter.initialize(5n)).toBe(false);
    const other = new DistributedAtomicLong(fw, `${uniquePath('atomic')}/n`, PATIENT);
    expect(await other.initialize(5n)).toBe(true);
    expect((await other.get()).preValue).toBe(5n);
    await other.forceSet(6n);
    expect((await other.get()).preValue).toBe(6n);
    const fresh = new DistributedAtomicLong(fw, `${uniquePath('atomic')}/n`, PATIENT);
    await fresh.forceSet(9n); // creates the node
    expect((await fresh.get()).postValue).toBe(9n);
  });

  it('DistributedAtomicInteger uses 4 bytes; DistributedAtomicValue is raw bytes; bad data is CorruptedValueError', async () => {
    const fw = await open(backend.connectString);
    const intPath = `${uniquePath('atomic')}/n`;
    const int = new DistributedAtomicInteger(fw, intPath, PATIENT);
    expect(await int.add(7)).toMatchObject({ succeeded: true, preValue: 0, postValue: 7 });
    expect((await admin.getData(intPath)).data).toEqual(Buffer.from([0, 0, 0, 7]));
    await int.forceSet(2 ** 31 - 1);
    expect((await int.increment()).postValue).toBe(-(2 ** 31));

    const bytesPath = `${uniquePath('atomic')}/n`;
    const value = new DistributedAtomicValue(fw, bytesPath, PATIENT);
    expect((await value.get()).preValue).toBeNull();
    expect(await value.trySet(Buffer.from('x'))).toMatchObject({ succeeded: true, preValue: null, postValue: Buffer.from('x') });
    expect(await value.compareAndSet(Buffer.from('x'), Buffer.from('y'))).toMatchObject({ succeeded: true, postValue: Buffer.from('y') });
    expect((await admin.getData(bytesPath)).data?.toString()).toBe('y');

    const long = new DistributedAtomicLong(fw, bytesPath, PATIENT);
    await expect(long.increment()).rejects.toBeInstanceOf(CorruptedValueError);
    expect((await admin.getData(bytesPath)).data?.toString()).toBe('y'); // nothing written
  });

  it('concurrent increments from several clients lose no update: every increment sees a distinct value', async () => {
    const path = `${uniquePath('atomic')}/n`;
    const clients = 4;
    const perClient = 15;
    const counters = await Promise.all(
      Array.from({ length: clients }, async () => new DistributedAtomicLong(await open(backend.connectString), path, PATIENT)),
    );
    const results = (await Promise.all(counters.map(async (c) => {
      const mine = [];
      for (let i = 0; i < perClient; i++) mine.push(await c.increment());
      return mine;
    }))).flat();
    expect(results.every((r) => r.succeeded)).toBe(true);
    const posts = results.map((r) => r.postValue).sort((a, b) => (a < b ? -1 : 1));
    expect(posts).toEqual(Array.from({ length: clients * perClient }, (_, i) => BigInt(i + 1)));
    for (const r of results) expect(r.postValue - r.preValue).toBe(1n);
    expect((await counters[0]!.get()).preValue).toBe(BigInt(clients * perClient));
    // Contention showed: some increments needed more than one round.
    expect(results.reduce((n, r) => n + r.stats.optimisticTries, 0)).toBeGreaterThanOrEqual(clients * perClient);
  });

  it('an increment the retry policy gives up on wrote nothing: the final value counts exactly the successes', async () => {
    const path = `${uniquePath('atomic')}/n`;
    const once = new RetryNTimes({ n: 0, sleepMsBetweenRetries: 0 });
    const counters = await Promise.all(
      Array.from({ length: 4 }, async () => new DistributedAtomicLong(await open(backend.connectString), path, once)),
    );
    await counters[0]!.initialize(0n);
    const results = (await Promise.all(counters.map(async (c) => {
      const mine = [];
      for (let i = 0; i < 15; i++) mine.push(await c.increment());
      return mine;
    }))).flat();
    const succeeded = results.filter((r) => r.succeeded).length;
    for (const r of results.filter((x) => !x.succeeded)) {
      expect(r.postValue).toBe(0n);
      expect(r.stats.optimisticTries).toBe(1);
    }
    expect((await counters[0]!.get()).preValue).toBe(BigInt(succeeded));
  });

  it('promotion: when the optimistic round gives up, the update is retried under an InterProcessMutex (Curator lock layout)', async () => {
    const root = uniquePath('atomic');
    const path = `${root}/n`;
    const lockPath = `${root}/lock`;
    const once = new RetryNTimes({ n: 0, sleepMsBetweenRetries: 0 });
    const counters = await Promise.all(
      Array.from({ length: 4 }, async () =>
        new DistributedAtomicLong(await open(backend.connectString), path, once, { lockPath, retryPolicy: PATIENT }),
      ),
    );
    await counters[0]!.initialize(0n);
    const results = (await Promise.all(counters.map(async (c) => {
      const mine = [];
      for (let i = 0; i < 10; i++) mine.push(await c.increment());
      return mine;
    }))).flat();
    expect(results.every((r) => r.succeeded)).toBe(true);
    expect((await counters[0]!.get()).preValue).toBe(40n);
    const promoted = results.filter((r) => r.stats.promotedLockTries > 0);
    expect(promoted.length).toBeGreaterThan(0);
    for (const r of promoted) expect(r.stats.optimisticTries).toBe(1);
    // Each promoted update held the lock through a Curator-style node, released afterwards.
    await eventually(async () => ((await admin.getChildren(lockPath).catch(() => ({ children: ['gone'] }))).children.filter((c) => c !== 'gone').length === 0), 15_000, 'lock nodes released');
  });

  describe('lost replies', () => {
    let proxy: ReplyDroppingProxy | undefined;
    afterEach(async () => {
      await proxy?.close();
    });

    it('an increment whose setData reply is lost is reported unknown, never applied a second time (Curator would)', async () => {
      proxy = await startReplyDroppingProxy({ port: backend.servers[0]!.port });
      const path = `${uniquePath('atomic')}/n`;
      const counter = new DistributedAtomicLong(await open(proxy.connectString), path, PATIENT);
      await counter.forceSet(10n); // creates the node: version 0
      const dropped = proxy.dropReplyTo((r) => r.opCode === SET_DATA && requestPath(r.body) === path);
      const outcome = await counter.increment().catch((e: unknown) => e);
      await dropped;
      // The node holds our bytes at version 1 — but another client incrementing from 10 would have written the same.
      expect(outcome).toBeInstanceOf(WriteOutcomeUnknownError);
      expect(outcome).toMatchObject({ path, expectedVersion: 0, foundVersion: 1 });
      const { data, stat } = await admin.getData(path);
      expect(data?.readBigInt64BE(0)).toBe(11n);
      expect(stat.version).toBe(1);
      expect((await counter.increment()).postValue).toBe(12n); // the counter goes on normally
    });

    it('a lost reply overtaken by other writes before the check is WriteOutcomeUnknownError, not a second increment', async () => {
      proxy = await startReplyDroppingProxy({ port: backend.servers[0]!.port });
      const path = `${uniquePath('atomic')}/n`;
      const fw = await open(proxy.connectString);
      const counter = new DistributedAtomicLong(fw, path, PATIENT);
      await counter.forceSet(10n); // version 0
      const dropped = proxy.dropReplyTo((r) => r.opCode === SET_DATA && requestPath(r.body) === path);
      proxy.refuse(true); // once the reply is dropped, the client stays away
      const incrementing = counter.increment().catch((e: unknown) => e);
      await dropped;
      const other = new DistributedAtomicLong(await open(backend.connectString), path, PATIENT);
      expect((await other.increment()).postValue).toBe(12n); // ours (11) was applied
      expect((await other.increment()).postValue).toBe(13n);
      proxy.refuse(false);
      const outcome = await incrementing;
      expect(outcome).toBeInstanceOf(WriteOutcomeUnknownError);
      expect((outcome as WriteOutcomeUnknownError).expectedVersion).toBe(0);
      expect((outcome as WriteOutcomeUnknownError).foundVersion).toBe(3);
      expect((await admin.getData(path)).data?.readBigInt64BE(0)).toBe(13n); // not applied a second time
    });

    it('an increment whose create reply is lost (node missing) is reported unknown, the node created once', async () => {
      proxy = await startReplyDroppingProxy({ port: backend.servers[0]!.port });
      const parent = uniquePath('atomic');
      const path = `${parent}/n`;
      await admin.create(parent);
      const counter = new DistributedAtomicLong(await open(proxy.connectString), path, PATIENT);
      const dropped = proxy.dropReplyTo((r) => CREATE_OPS.has(r.opCode) && requestPath(r.body) === path);
      const outcome = await counter.increment().catch((e: unknown) => e);
      await dropped;
      expect(outcome).toBeInstanceOf(WriteOutcomeUnknownError);
      expect(outcome).toMatchObject({ expectedVersion: -1, foundVersion: 0 });
      const { data, stat } = await admin.getData(path);
      expect(data?.readBigInt64BE(0)).toBe(1n);
      expect(stat.version).toBe(0);
    });
  });
});
