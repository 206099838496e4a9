// Caches across a failover: a TreeCache on a ZooKeeperFramework connected to an ensemble (a
// 3-member Apache ZooKeeper 3.8 ensemble, and zabkit's own via TestingCluster); the member it is
// connected to dies while another client, on another member, changes the tree. The framework
// moves to another member with the same session, and the cache ends equal to the ensemble's
// tree having emitted exactly the differences.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Op, ZooKeeperClient, ZooKeeperFramework } from '../../../framework/index.js';
import { TreeCache } from '../../../framework/cache/index.js';
import { TestingCluster } from '../../../framework/testing/index.js';
import { APACHE_ENSEMBLE, type Backend } from '../../client/support/backends.js';
import { FAST, uniquePath } from '../../client/support/clients.js';
import { changeSet, eventually, imageOf, record, sameImage, serverImage } from './support.js';
import { fourLetterWord } from '../../support/apache-zookeeper.js';
import { parseMode } from '../../../bench/four-letter-words.js';

interface Ensemble {
  readonly connectString: string;
  readonly members: ReadonlyArray<{ connectString: string; kill(): Promise<void> }>;
  /** Resolves once the running members serve under one leader. */
  waitForLeader(): Promise<void>;
  stop(): Promise<void>;
}

async function apacheEnsemble(): Promise<Ensemble> {
  const backend: Backend = await APACHE_ENSEMBLE.start();
  return {
    connectString: backend.connectString,
    members: backend.servers.map((s) => ({ connectString: s.connectString, kill: () => s.kill() })),
    waitForLeader: async () => {
      await eventually(async () => {
        const modes = await Promise.all(backend.servers.map((s) => fourLetterWord(s.port, 'srvr').then(parseMode, () => 'down')));
        return modes.filter((m) => m === 'leader').length === 1 && modes.every((m) => m === 'leader' || m === 'follower' || m === 'down');
      }, 'an Apache leader', 60_000);
    },
    stop: () => backend.stop(),
  };
}

async function zabkitEnsemble(): Promise<Ensemble> {
  const cluster = await TestingCluster.start({ size: 3, tickTimeMs: 1000 });
  return {
    connectString: cluster.connectString,
    members: cluster.members.map((m) => ({ connectString: m.connectString, kill: () => cluster.killServer(m.index) })),
    waitForLeader: async () => void (await cluster.findLeader()),
    stop: () => cluster.close(),
  };
}

describe.each([
  { name: 'apache-3.8-ensemble', start: apacheEnsemble },
  { name: 'zabkit TestingCluster', start: zabkitEnsemble },
])('TreeCache across a failover on $name', { timeout: 180_000 }, ({ start }) => {
  let ensemble: Ensemble | undefined;
  // A fresh ensemble per test: each one kills a member.
  beforeEach(async () => {
    ensemble = await start();
  }, 180_000);
  afterEach(async () => {
    await ensemble?.stop();
    ensemble = undefined;
  });

  it.each([true, false])('(recursive watch: %s) converges with exactly the differences', async (recursiveWatch) => {
    const running = ensemble!;
    const framework = ZooKeeperFramework.start({
      connectString: running.connectString,
      sessionTimeoutMs: 10_000,
      client: { reconnectDelayMs: 50, spinDelayMs: 200 },
    });
    let admin: ZooKeeperClient | undefined;
    try {
      const root = uniquePath('ens');
      await framework.create(root, 'r');
      for (const n of ['a', 'b', 'c']) await framework.create(`${root}/${n}`, n);
      const cache = new TreeCache(framework, root, { recursiveWatch });
      const rec = record(cache.events$);
      await rec.next('initialized');
      const from = rec.events.length;
      const session = framework.client.sessionId;

      const victim = running.members.findIndex((m) => m.connectString === framework.client.connectedServer);
      expect(victim).toBeGreaterThanOrEqual(0);
      const survivor = running.members[(victim + 1) % running.members.length]!;
      await running.members[victim]!.kill();
      // Changes made through a member that serves (if the victim led, the others elect first).
      await running.waitForLeader();
      admin = await ZooKeeperClient.connect(survivor.connectString, FAST, 30_000);
      await admin.setData(`${root}/a`, 'a2');
      await admin.delete(`${root}/b`);
      await admin.multi([Op.delete(`${root}/c`), Op.create(`${root}/c`, 'c')]);
      await admin.create(`${root}/d`, 'd');

      await admin.sync(root);
      const want = await serverImage(admin, root);
      await eventually(() => sameImage(imageOf(cache.currentTree().values()), want), 'cache equal to the ensemble', 60_000);
      await admin.create(`${root}/fence`, 'f');
      await rec.next(`added ${root}/fence=f`, 30_000);
      rec.unsubscribe();
      expect(framework.client.sessionId).toBe(session);
      expect(changeSet(rec.events.slice(from, -1))).toEqual([
        `added ${root}/c=c`, `added ${root}/d=d`, `removed ${root}/b`, `removed ${root}/c`, `updated ${root}/a=a2`,
      ]);
    } finally {
      await admin?.close();
      await framework.close();
    }
  });
});
