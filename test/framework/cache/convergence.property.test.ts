// Property: whatever another client does to a subtree — creates, deletes, data changes, nodes
// deleted and re-created in one multi — and however often the cache's connection drops meanwhile,
// a TreeCache (recursive or one-shot watches, any maxDepth) ends up holding exactly what the
// server holds, and its events, folded from nothing, tell the same story (no `added` for a node
// already there, no `updated` / `removed` for one that is not). fast-check with a fixed seed
// generates the same op sequences every run; only the interleaving with the network varies, and
// the property must hold for every interleaving. Runs on zabkit's TestingServer and on Apache
// ZooKeeper 3.8.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Op, ZooKeeperClient } from '../../../framework/index.js';
import { TreeCache, type CacheEvent, type ChildData } from '../../../framework/cache/index.js';
import { TestingServer } from '../../../framework/testing/index.js';
import { APACHE_STANDALONE } from '../../client/support/backends.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { FAST, uniquePath } from '../../client/support/clients.js';
import { eventually, imageOf, record, sameImage, serverImage, type TreeImage } from './support.js';

type Step =
  | { op: 'create'; path: string; data: string }
  | { op: 'delete'; path: string }
  | { op: 'set'; path: string; data: string }
  | { op: 'recreate'; path: string; data: string }
  | { op: 'drop' };

const NAMES = ['a', 'b', 'c'];
const relPath = fc.array(fc.constantFrom(...NAMES), { minLength: 0, maxLength: 3 }).map((parts) => parts.map((p) => `/${p}`).join(''));
const data = fc.constantFrom('x', 'y', 'z');
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('create' as const), path: relPath, data }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), path: relPath }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('set' as const), path: relPath, data }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('recreate' as const), path: relPath, data }) },
  { weight: 1, arbitrary: fc.constant({ op: 'drop' as const }) },
);

const IGNORED = new Set(['NodeExistsError', 'NoNodeError', 'NotEmptyError']);

interface Server {
  readonly port: number;
  readonly connectString: string;
  stop(): Promise<void>;
}

const SERVERS = [
  {
    name: 'zabkit TestingServer',
    runs: 100,
    async start(): Promise<Server> {
      const s = await TestingServer.start({ inMemory: true, tickTimeMs: 1000 });
      return { port: s.port, connectString: s.connectString, stop: () => s.close() };
    },
  },
  {
    name: 'apache-3.8',
    runs: 100,
    async start(): Promise<Server> {
      const b = await APACHE_STANDALONE.start();
      return { port: b.servers[0]!.port, connectString: b.connectString, stop: () => b.stop() };
    },
  },
];

describe.each(SERVERS)('TreeCache convergence on $name (property, fixed seed)', ({ start, runs }) => {
  let server: Server;
  let proxy: TcpProxy;
  let writer: ZooKeeperClient;
  let reader: ZooKeeperClient;
  beforeAll(async () => {
    server = await start();
    proxy = await startTcpProxy({ port: server.port });
    writer = await ZooKeeperClient.connect(server.connectString, FAST);
    reader = await ZooKeeperClient.connect(proxy.connectString, FAST);
  });
  afterAll(async () => {
    await writer?.close();
    await reader?.close();
    await proxy?.close();
    await server?.stop();
  });

  async function apply(root: string, s: Step): Promise<void> {
    try {
      switch (s.op) {
        case 'create': return void (await writer.create(root + s.path, s.data));
        case 'delete': return void (await writer.delete(root + s.path));
        case 'set': return void (await writer.setData(root + s.path, s.data));
        case 'recreate': return void (await writer.multi([Op.delete(root + s.path), Op.create(root + s.path, s.data)]));
        case 'drop': return proxy.dropConnections();
      }
    } catch (e) {
      if (!IGNORED.has((e as Error).name)) throw e;
    }
  }

  /** Folds events into a tree, failing on an event that contradicts what came before. */
  function fold(events: readonly CacheEvent[]): TreeImage {
    const nodes = new Map<string, ChildData>();
    for (const e of events) {
      if (e.type === 'initialized') continue;
      const known = nodes.has(e.path);
      if (e.type === 'added' && known) throw new Error(`added ${e.path} twice`);
      if (e.type !== 'added' && !known) throw new Error(`${e.type} ${e.path} which is not cached`);
      if (e.type === 'removed') nodes.delete(e.path);
      else nodes.set(e.path, e);
    }
    return imageOf(nodes.values());
  }

  it('holds for random op sequences with connection drops', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 0, maxLength: 6 }),
        fc.array(step, { minLength: 1, maxLength: 25 }),
        fc.boolean(),
        fc.constantFrom(Number.POSITIVE_INFINITY, 1, 2),
        async (before, during, recursiveWatch, maxDepth) => {
          const root = uniquePath('prop');
          await writer.create(root, 'root');
          for (const s of before) await apply(root, s);
          const cache = new TreeCache(reader, root, { recursiveWatch, maxDepth });
          const rec = record(cache.events$);
          try {
            for (const s of during) await apply(root, s);
            await reader.waitForConnected(20_000);
            const want = await serverImage(writer, root, maxDepth);
            await eventually(() => sameImage(imageOf(cache.currentTree().values()), want), `cache equal to the server for ${JSON.stringify({ before, during, recursiveWatch, maxDepth })}`);
            await rec.until((all) => all.some((e) => e.type === 'initialized'), 'initialized');
            expect(fold(rec.events)).toEqual(want);
          } finally {
            rec.unsubscribe();
            await cache.whenStopped();
          }
        },
      ),
      { seed: 20_260_611, numRuns: runs, endOnFailure: true },
    );
  });
});
