// InterProcessReadWriteLock on zabkit's server and Apache ZooKeeper 3.8: Curator's __READ__ /
// __WRIT__ layout, readers sharing, writers excluding in node order, later readers queueing
// behind the first writer (and watching it, not their predecessor), re-entrancy, the downgrade a
// write owner may make (granted at once, and still excluding a queued writer after the write
// lock goes — CURATOR-621), and the upgrade a reader may not make.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperClient } from '../../../framework/index.js';
import {
  InterProcessReadWriteLock, LockTimeoutError, LockUpgradeError, READ_LOCK_NAME, WRITE_LOCK_NAME,
} from '../../../recipes/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { FAST, uniquePath } from '../../client/support/clients.js';
import { childrenOf, expectDataWatches, Holders, sleep, track, useFrameworks, waitChildren } from './support.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

describe.each([ZABKIT, APACHE_STANDALONE])('InterProcessReadWriteLock on $name', (spec) => {
  let backend: Backend;
  let zk: ZooKeeperClient;
  const open = useFrameworks();
  beforeAll(async () => {
    backend = await spec.start();
    zk = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterAll(async () => {
    await zk?.close();
    await backend?.stop();
  });
  const port = (): number => backend.servers[0]!.port;

  it('readers share, a writer waits for them, later readers queue behind the first writer; node names and watches as Curator', async () => {
    const path = uniquePath('rw-queue');
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => open(backend.connectString)));
    const rwA = new InterProcessReadWriteLock(a!, path);
    const rwB = new InterProcessReadWriteLock(b!, path);
    const rwC = new InterProcessReadWriteLock(c!, path);
    const r1 = await rwA.readLock.acquire();
    const r2 = await rwB.readLock.acquire();
    const w1 = track(rwC.writeLock.acquire());
    await waitChildren(zk, path, 3);
    const w2 = track(rwB.writeLock.acquire());
    await waitChildren(zk, path, 4);
    const lateReader = track(rwA.readLock.acquire());
    await waitChildren(zk, path, 5);

    const nodes = await rwA.participantNodes();
    const names = nodes.map((n) => n.slice(path.length + 1));
    const kinds = [READ_LOCK_NAME, READ_LOCK_NAME, WRITE_LOCK_NAME, WRITE_LOCK_NAME, READ_LOCK_NAME];
    names.forEach((name, i) => expect(name).toMatch(new RegExp(`^_c_${UUID}-${kinds[i]}${String(i).padStart(10, '0')}$`)));
    expect(await rwA.writeLock.participantNodes()).toEqual([nodes[2], nodes[3]]);
    expect(await rwA.readLock.participantNodes()).toEqual([nodes[0], nodes[1], nodes[4]]);
    // A writer watches the node just before it; a blocked reader watches the FIRST writer.
    await expectDataWatches(port(), path, new Map([
      [nodes[1]!, [c!.client.sessionId]],
      [nodes[2]!, [a!.client.sessionId, b!.client.sessionId].sort((x, y) => (x < y ? -1 : 1))],
    ]));

    await r1.release();
    await sleep(100);
    expect(w1.settled()).toBe(false); // r2 still reads
    await r2.release();
    const w1Lease = await w1.promise;
    expect(w2.settled() || lateReader.settled()).toBe(false);
    await expect(rwB.readLock.acquire({ timeoutMs: 200 })).rejects.toBeInstanceOf(LockTimeoutError);
    expect(await childrenOf(zk, path)).toHaveLength(3);
    await w1Lease.release();
    const w2Lease = await w2.promise;
    expect(lateReader.settled()).toBe(false);
    await w2Lease.release();
    await (await lateReader.promise).release();
    expect(await childrenOf(zk, path)).toEqual([]);
  });

  it('both sides are re-entrant per context', async () => {
    const fw = await open(backend.connectString);
    const path = uniquePath('rw-reentrant');
    const rw = new InterProcessReadWriteLock(fw, path);
    await rw.writeLock.withLock(async (outer) => {
      const inner = await rw.writeLock.acquire();
      expect(inner.nodePath).toBe(outer.nodePath);
      await inner.release();
    });
    await rw.readLock.withLock(async (outer) => {
      const inner = await rw.readLock.acquire();
      expect(inner.nodePath).toBe(outer.nodePath);
      await inner.release();
    });
    expect(await childrenOf(zk, path)).toEqual([]);
  });

  it('a write owner may take the read lock (downgrade): granted at once, and a queued writer still waits for that reader', async () => {
    const path = uniquePath('rw-downgrade');
    const [a, b] = await Promise.all([0, 1].map(() => open(backend.connectString)));
    const rw = new InterProcessReadWriteLock(a!, path);
    const write = await rw.writeLock.acquire();
    const queuedWriter = track(new InterProcessReadWriteLock(b!, path).writeLock.acquire());
    await waitChildren(zk, path, 2);
    const read = await write.run(() => rw.readLock.acquire({ timeoutMs: 5000 }));
    // The read node carries the write node's sequence (created EPHEMERAL, not sequential).
    const writeSeq = write.nodePath.slice(-10);
    expect(read.nodePath).toMatch(new RegExp(`/_c_${UUID}-${READ_LOCK_NAME}${writeSeq}$`));
    expect((await zk.exists(read.nodePath))?.ephemeralOwner).toBe(a!.client.sessionId);
    await write.release(); // downgraded: only the read lock is held now
    await sleep(300);
    expect(queuedWriter.settled()).toBe(false);
    await read.release();
    await (await queuedWriter.promise).release();
    expect(await childrenOf(zk, path)).toEqual([]);
  });

  it('withLock nesting downgrades too; a reader asking for the write lock is refused (it would wait for itself)', async () => {
    const fw = await open(backend.connectString);
    const path = uniquePath('rw-upgrade');
    const rw = new InterProcessReadWriteLock(fw, path);
    await rw.writeLock.withLock(async () => {
      await rw.readLock.withLock(async (read) => {
        expect(read.isHeld).toBe(true);
        expect(await childrenOf(zk, path)).toHaveLength(2);
      });
    });
    await rw.readLock.withLock(async () => {
      await expect(rw.writeLock.acquire({ timeoutMs: 10_000 })).rejects.toBeInstanceOf(LockUpgradeError);
      await expect(rw.writeLock.withLock(() => 'never')).rejects.toBeInstanceOf(LockUpgradeError);
      expect(await childrenOf(zk, path)).toHaveLength(1); // no write node was created
    });
    // Outside the read owner's scope the same object may of course ask for the write lock.
    await (await rw.writeLock.acquire()).release();
    expect(await childrenOf(zk, path)).toEqual([]);
  });

  it('many rounds over three sessions: writers alone, readers together', async () => {
    const path = uniquePath('rw-rounds');
    const frameworks = await Promise.all([0, 1, 2].map(() => open(backend.connectString)));
    const writers = new Holders();
    const readers = new Holders();
    let overlap = 0;
    await Promise.all(
      frameworks.map(async (fw, i) => {
        const rw = new InterProcessReadWriteLock(fw, path);
        for (let round = 0; round < 6; round++) {
          const write = (round + i) % 3 === 0;
          const side = write ? rw.writeLock : rw.readLock;
          await side.withLock(async () => {
            const mine = write ? writers : readers;
            mine.enter();
            if (writers.current > 0 && readers.current > 0) overlap++;
            await zk.sync(path);
            mine.leave();
          });
        }
      }),
    );
    expect(writers.maxSeen).toBe(1);
    expect(overlap).toBe(0);
    expect(writers.entries + readers.entries).toBe(18);
  });
});
