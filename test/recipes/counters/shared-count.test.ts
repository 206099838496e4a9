// SharedCount / SharedValue on zabkit's server and Apache ZooKeeper 3.8: Curator's 4-byte format,
// the seed only for a missing node, count$ following changes from anywhere (also across a session
// expiry and a delete + re-create), compare-and-set on the version (stale views refused, local
// view refreshed), concurrent CAS increments without a lost update, a lost write reply reported
// as unknown rather than guessed.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { firstValueFrom, take, toArray, filter } from 'rxjs';
import { ZooKeeperClient, type ZooKeeperFramework } from '../../../framework/index.js';
import { killSessionAndWait } from '../../../framework/testing/index.js';
import { SharedCount, SharedValue } from '../../../recipes/counters/index.js';
import { CorruptedValueError, IllegalTrySetVersionError, WriteOutcomeUnknownError } from '../../../recipes/errors.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, uniquePath } from '../../client/support/clients.js';
import { useFrameworks } from '../../framework/support/frameworks.js';
import { requestPath, startReplyDroppingProxy, type ReplyDroppingProxy } from '../../framework/support/reply-dropping-proxy.js';
import { dataWatchesUnder } from '../../support/curator/observe.js';

const SET_DATA = 5;

describe.each([ZABKIT, APACHE_STANDALONE])('SharedCount on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperClient;
  const open = useFrameworks();
  const closeAfter: Array<{ close(): Promise<void> }> = [];
  beforeAll(async () => {
    backend = await spec.start();
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterEach(async () => {
    await Promise.all(closeAfter.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await admin?.close();
    await backend?.stop();
  });
  const frameworks = new WeakMap<SharedCount, ZooKeeperFramework>();
  const started = async (path: string, seed: number): Promise<SharedCount> => {
    const fw = await open(backend.connectString);
    const count = new SharedCount(fw, path, seed);
    frameworks.set(count, fw);
    closeAfter.push(count);
    await count.start();
    return count;
  };

  it('start() creates the node with the seed as a 4-byte big-endian int (parents as containers); an existing node keeps its count', async () => {
    const root = uniquePath('count');
    const path = `${root}/a/n`;
    const first = await started(path, -2);
    expect(first.count).toBe(-2);
    const { data, stat } = await admin.getData(path);
    expect(data).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xfe]));
    expect(stat.ephemeralOwner).toBe(0n);
    expect(first.versionedValue).toEqual({ zxid: stat.mzxid, version: 0, value: -2 });
    const second = await started(path, 99);
    expect(second.count).toBe(-2);
    expect(() => new SharedCount(frameworks.get(first)!, path, 2 ** 31)).toThrow(RangeError);
    await expect(first.start()).rejects.toThrow(/more than once/);
  });

  it('count$ follows changes made by others, in order of the node versions; close() completes it and removes the watch', async () => {
    const path = `${uniquePath('count')}/n`;
    const watcher = await started(path, 0);
    const writer = await started(path, 0);
    const seen = firstValueFrom(watcher.count$.pipe(filter((n) => n === 3), take(1)));
    const all: number[] = [];
    watcher.count$.subscribe((n) => all.push(n));
    await writer.setCount(1);
    await eventually(() => watcher.count === 1, 15_000, 'watcher sees 1');
    await admin.setData(path, Buffer.from([0, 0, 0, 2]));
    await eventually(() => watcher.count === 2, 15_000, 'watcher sees 2');
    await writer.setCount(3);
    await seen;
    expect(all).toEqual([1, 2, 3]);
    expect(watcher.versionedValue.version).toBe(3);
    const ended = firstValueFrom(watcher.count$.pipe(toArray()));
    await watcher.close();
    expect(await ended).toEqual([]);
    const watches = await dataWatchesUnder(backend.servers[0]!.port, path);
    expect(watches.get(path) ?? []).not.toContain(frameworks.get(watcher)!.client.sessionId);
    await expect(watcher.setCount(4)).rejects.toThrow(/closed/);
  });

  it('trySetCount is a compare-and-set on the version: a stale view is refused and refreshed', async () => {
    const path = `${uniquePath('count')}/n`;
    const a = await started(path, 10);
    const b = await started(path, 10);
    const seenByA = a.versionedValue;
    expect(await b.trySetCount(b.versionedValue, 11)).toBe(true);
    expect(b.count).toBe(11);
    // a's previous is stale (version 0, node at 1): refused by the server, a's view refreshed.
    // (a may have learnt of 11 through its watch already; then it refuses locally.)
    expect(await a.trySetCount(seenByA, 12)).toBe(false);
    await eventually(() => a.count === 11, 15_000, 'a refreshed');
    expect(a.versionedValue.version).toBe(1);
    expect(await a.trySetCount(a.versionedValue, 12)).toBe(true);
    expect((await admin.getData(path)).data).toEqual(Buffer.from([0, 0, 0, 12]));
    // A VersionedValue that was never read from the node.
    const v = a.versionedValue;
    await expect(a.trySetCount({ ...v, version: -1 }, 13)).rejects.toBeInstanceOf(IllegalTrySetVersionError);
  });

  it('concurrent CAS increments from several clients lose no update', async () => {
    const path = `${uniquePath('count')}/n`;
    const counts = await Promise.all([0, 1, 2, 3].map(() => started(path, 0)));
    const perClient = 15;
    let attempts = 0;
    await Promise.all(
      counts.map(async (c) => {
        for (let done = 0; done < perClient; ) {
          attempts++;
          const v = c.versionedValue;
          if (await c.trySetCount(v, v.value + 1)) done++;
        }
      }),
    );
    expect((await admin.getData(path)).data?.readInt32BE(0)).toBe(counts.length * perClient);
    expect(attempts).toBeGreaterThanOrEqual(counts.length * perClient);
    for (const c of counts) await eventually(() => c.count === counts.length * perClient, 15_000, 'every view converges');
  });

  it('keeps following after a session expiry and after the node is deleted and created again', async () => {
    const path = `${uniquePath('count')}/n`;
    const count = await started(path, 1);
    const fw = frameworks.get(count)!;
    await killSessionAndWait(fw.client, backend.connectString);
    await admin.setData(path, Buffer.from([0, 0, 0, 5]));
    await eventually(() => count.count === 5, 20_000, 'the new session re-reads and watches again');
    await admin.setData(path, Buffer.from([0, 0, 0, 6]));
    await eventually(() => count.count === 6, 20_000, 'the watch works on the new session');
    await admin.delete(path);
    await admin.create(path, Buffer.from([0, 0, 0, 7]));
    await eventually(() => count.count === 7, 20_000, 'the re-created node is followed');
  });

  it('a node with other than 4 bytes is reported as corrupted', async () => {
    const path = `${uniquePath('count')}/n`;
    await admin.create(path.slice(0, path.lastIndexOf('/')));
    await admin.create(path, Buffer.from('hello'));
    const count = new SharedCount(await open(backend.connectString), path, 0);
    closeAfter.push(count);
    await count.start();
    expect(() => count.count).toThrow(CorruptedValueError);
  });

  describe('lost replies', () => {
    let proxy: ReplyDroppingProxy | undefined;
    afterEach(async () => {
      await proxy?.close();
    });

    it('a trySetValue whose reply is lost is reported unknown (written once), and the value is followed on', async () => {
      proxy = await startReplyDroppingProxy({ port: backend.servers[0]!.port });
      const path = `${uniquePath('value')}/n`;
      const value = new SharedValue(await open(proxy.connectString), path, Buffer.from('a'));
      closeAfter.push(value);
      await value.start();
      const dropped = proxy.dropReplyTo((r) => r.opCode === SET_DATA && requestPath(r.body) === path);
      const outcome = await value.trySetValue(value.versionedValue, Buffer.from('b')).catch((e: unknown) => e);
      await dropped;
      expect(outcome).toBeInstanceOf(WriteOutcomeUnknownError);
      const { data, stat } = await admin.getData(path);
      expect(data?.toString()).toBe('b');
      expect(stat.version).toBe(1);
      await eventually(() => value.value.toString() === 'b', 15_000, 'the watch brings the value');
      expect(await value.trySetValue(value.versionedValue, Buffer.from('c'))).toBe(true);
    });
  });
});
