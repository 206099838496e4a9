// TreeCache against zabkit's server and Apache ZooKeeper 3.8, with one persistent-recursive
// watch and with one-shot watches: the initial snapshot, live events in order, delete+re-create
// seen as a different node, maxDepth / selector / cacheData / compressed data, a missing root,
// late subscribers, and watches gone from the server after the last unsubscribe.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATOR_ALL_ACL, NoAuthError, Op, UnimplementedError, type Stat } from '../../../framework/index.js';
import { clientCacheSource, TreeCache, type CacheEvent, type CacheSource } from '../../../framework/cache/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { uniquePath, useClients } from '../../client/support/clients.js';
import { eventually, record, watchCount } from './support.js';

const STRATEGIES = [
  { strategy: 'recursive', recursiveWatch: true },
  { strategy: 'oneShot', recursiveWatch: false },
] as const;

describe.each([ZABKIT, APACHE_STANDALONE])('TreeCache on $name', (spec) => {
  let backend: Backend;
  const open = useClients();
  beforeAll(async () => {
    backend = await spec.start();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  describe.each(STRATEGIES)('with $strategy watches', ({ strategy, recursiveWatch }) => {
    it('reports the existing tree, parents first, then initialized', async () => {
      const c = await open(backend.connectString);
      const root = uniquePath('tree');
      for (const p of ['', '/a', '/a/x', '/a/y', '/b']) await c.create(root + p, `v${p}`);
      const cache = new TreeCache(c, root, { recursiveWatch });
      const rec = record(cache.events$);
      await rec.next('initialized');
      rec.unsubscribe();
      const added = rec.events.slice(0, -1);
      expect(added.every((e) => e.type === 'added')).toBe(true);
      const order = added.map((e) => (e as { path: string }).path);
      expect([...order].sort()).toEqual([root, `${root}/a`, `${root}/a/x`, `${root}/a/y`, `${root}/b`]);
      for (const p of order) if (p !== root) expect(order.indexOf(p.slice(0, p.lastIndexOf('/')))).toBeLessThan(order.indexOf(p));
      expect(cache.current(root)).toBeUndefined();
    });

    it('keeps current data and Stats that match the server', async () => {
      const c = await open(backend.connectString);
      const root = uniquePath('tree');
      await c.create(root, 'r');
      await c.create(`${root}/a`, 'A');
      const cache = new TreeCache(c, root, { recursiveWatch });
      const rec = record(cache.events$);
      await rec.next('initialized');
      expect(cache.isInitialized).toBe(true);
      expect(cache.watchStrategy).toBe(strategy);
      const server = await c.getData(`${root}/a`);
      expect(cache.current(`${root}/a`)).toEqual({ path: `${root}/a`, data: server.data, stat: server.stat });
      expect([...cache.currentChildren(root)!.keys()]).toEqual(['a']);
      expect([...cache.currentTree().keys()]).toEqual([root, `${root}/a`]);
      rec.unsubscribe();
    });

    it('reports creations, data changes and deletions in order', async () => {
      const c = await open(backend.connectString);
      const root = uniquePath('tree');
      await c.create(root);
      const cache = new TreeCache(c, root, { recursiveWatch });
      const rec = record(cache.events$);
      await rec.next('initialized');
      await c.create(`${root}/a`, '1');
      await rec.next(`added ${root}/a=1`);
      await c.create(`${root}/a/b`, 'x');
      await rec.next(`added ${root}/a/b=x`);
      await c.setData(`${root}/a`, '2');
      await rec.next(`updated ${root}/a=2`);
      await c.delete(`${root}/a/b`);
      await rec.next(`removed ${root}/a/b`);
      await c.delete(`${root}/a`);
      await rec.next(`removed ${root}/a`);
      rec.unsubscribe();
      expect(rec.described()).toEqual([
        `added ${root}`, 'initialized', `added ${root}/a=1`, `added ${root}/a/b=x`, `updated ${root}/a=2`,
        `removed ${root}/a/b`, `removed ${root}/a`,
      ]);
      const updated = rec.events[4] as Extract<CacheEvent, { type: 'updated' }>;
      expect(updated.previous.data?.toString()).toBe('1');
      expect(updated.stat.version).toBe(1);
    });

    it('sees a node deleted and created again (same version, same data) as removed + added', async () => {
      const c = await open(backend.connectString);
      const root = uniquePath('tree');
      await c.create(root);
      await c.create(`${root}/n`, 'same');
      const cache = new TreeCache(c, root, { recursiveWatch });
      const rec = record(cache.events$);
      await rec.next('initialized');
      const before = cache.current(`${root}/n`)!.stat;
      await c.multi([Op.delete(`${root}/n`), Op.create(`${root}/n`, 'same')]);
      await rec.next(`added ${root}/n=same`);
      await c.create(`${root}/marker`);
      await rec.next(`added ${root}/marker`);
      rec.unsubscribe();
      expect(rec.described().slice(3)).toEqual([`removed ${root}/n`, `added ${root}/n=same`, `added ${root}/marker`]);
      const after = (rec.events[4] as { stat: Stat }).stat;
      expect(after.version).toBe(before.version);
      expect(after.czxid).toBeGreaterThan(before.czxid);
    });

    it('removes a deleted subtree children first and waits for the root to come back', async () => {
      const c = await open(backend.connectString);
      const root = uniquePath('tree');
      const cache = new TreeCache(c, root, { recursiveWatch });
      const rec = record(cache.events$);
      await rec.next('initialized');
      expect(rec.described()).toEqual(['initialized']);
      await c.create(root, 'r');
      await rec.next(`added ${root}=r`);
      await c.create(`${root}/a`, 'a');
      await rec.next(`added ${root}/a=a`);
      await c.multi([Op.delete(`${root}/a`), Op.delete(root)]);
      await rec.next(`removed ${root}`);
      await c.create(root, 'again');
      await rec.next(`added ${root}=again`);
      rec.unsubscribe();
      expect(rec.described().slice(3)).toEqual([`removed ${root}/a`, `removed ${root}`, `added ${root}=again`]);
    });

    it('caches maxDepth levels only', async () => {
      const c = await open(backend.connectString);
      const root = uniquePath('tree');
      for (const p of ['', '/a', '/a/deep']) await c.create(root + p);
      const cache = new TreeCache(c, root, { recursiveWatch, maxDepth: 1 });
      const rec = record(cache.events$);
      await rec.next('initialized');
      await c.create(`${root}/a/deeper`);
      await c.create(`${root}/b`);
      await rec.next(`added ${root}/b`);
      rec.unsubscribe();
      expect(rec.described()).toEqual([`added ${root}`, `added ${root}/a`, 'initialized', `added ${root}/b`]);
    });

    it('follows the selector: skipped nodes and untraversed children stay out', async () => {
      const c = await open(backend.connectString);
      const root = uniquePath('tree');
      for (const p of ['', '/keep', '/keep/x', '/skip-me', '/flat', '/flat/hidden']) await c.create(root + p);
      const cache = new TreeCache(c, root, {
        recursiveWatch,
        selector: { acceptChild: (p) => !p.includes('/skip-'), traverseChildren: (p) => !p.endsWith('/flat') },
      });
      const rec = record(cache.events$);
      await rec.next('initialized');
      await c.create(`${root}/skip-too`);
      await c.create(`${root}/flat/hidden2`);
      await c.create(`${root}/keep/y`);
      await rec.next(`added ${root}/keep/y`);
      rec.unsubscribe();
      expect(rec.described().filter((d) => d !== 'initialized').sort()).toEqual(
        [`added ${root}`, `added ${root}/flat`, `added ${root}/keep`, `added ${root}/keep/x`, `added ${root}/keep/y`].sort(),
      );
    });

    it('with cacheData false keeps Stats only and still sees data changes', async () => {
      const c = await open(backend.connectString);
      const root = uniquePath('tree');
      await c.create(root, 'secret');
      const cache = new TreeCache(c, root, { recursiveWatch, cacheData: false });
      const rec = record(cache.events$);
      await rec.next('initialized');
      expect(cache.current(root)?.data).toBeNull();
      expect(cache.current(root)?.stat.dataLength).toBe(6);
      await c.setData(root, 'changed!');
      await rec.next(`updated ${root}`);
      expect(cache.current(root)?.stat.dataLength).toBe(8);
      rec.unsubscribe();
    });

    it('decompresses gzip data; undecodable data is reported and cached as null', async () => {
      const c = await open(backend.connectString);
      const root = uniquePath('tree');
      await c.create(root, gzipSync('hello'));
      const errors: Array<{ error: unknown; path: string }> = [];
      const cache = new TreeCache(c, root, { recursiveWatch, dataIsCompressed: true, onError: (error, path) => errors.push({ error, path }) });
      const rec = record(cache.events$);
      await rec.next(`added ${root}=hello`);
      await c.setData(root, 'not gzip');
      await rec.next(`updated ${root}`);
      expect(cache.current(root)?.data).toBeNull();
      expect(errors.map((e) => e.path)).toEqual([root]);
      rec.unsubscribe();
    });

    it('reports a node it may not read (NoAuth) and still initializes', async () => {
      const c = await open(backend.connectString);
      const owner = await open(backend.connectString, { auth: [{ scheme: 'digest', auth: 'owner:pw' }] });
      const root = uniquePath('tree');
      await c.create(root);
      await owner.create(`${root}/private`, 'x', { acl: CREATOR_ALL_ACL });
      await c.create(`${root}/public`, 'y');
      const errors: unknown[] = [];
      const cache = new TreeCache(c, root, { recursiveWatch, onError: (e) => errors.push(e) });
      const rec = record(cache.events$);
      await rec.next('initialized');
      rec.unsubscribe();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(NoAuthError);
      expect(rec.described().filter((d) => d.startsWith('added')).sort()).toEqual([`added ${root}`, `added ${root}/public=y`]);
    });

    it('replays the cache to a late subscriber and shares one run', async () => {
      const c = await open(backend.connectString);
      const root = uniquePath('tree');
      await c.create(root, 'r');
      await c.create(`${root}/a`, 'a');
      const cache = new TreeCache(c, root, { recursiveWatch });
      const first = record(cache.events$);
      await first.next('initialized');
      const second = record(cache.events$);
      expect(second.described()).toEqual([`added ${root}=r`, `added ${root}/a=a`, 'initialized']);
      await c.setData(`${root}/a`, 'b');
      await first.next(`updated ${root}/a=b`);
      await second.next(`updated ${root}/a=b`);
      first.unsubscribe();
      await c.setData(`${root}/a`, 'c');
      await second.next(`updated ${root}/a=c`);
      second.unsubscribe();
      expect(first.described().filter((d) => d.startsWith('updated'))).toEqual([`updated ${root}/a=b`]);
    });

    it('removes its watches from the server when the last subscriber leaves; re-subscribing starts again', async () => {
      const c = await open(backend.connectString);
      const port = backend.servers[0]!.port;
      const root = uniquePath('tree');
      for (const p of ['', '/a', '/a/x', '/b']) await c.create(root + p);
      const baseline = await watchCount(port);
      const cache = new TreeCache(c, root, { recursiveWatch });
      const one = record(cache.events$);
      const two = record(cache.events$);
      await one.next('initialized');
      const watching = await watchCount(port);
      expect(watching).toBeGreaterThan(baseline);
      one.unsubscribe();
      await cache.whenStopped();
      expect(await watchCount(port)).toBe(watching);
      two.unsubscribe();
      await cache.whenStopped();
      await eventually(async () => (await watchCount(port)) === baseline, 'watch count back to baseline');
      expect(cache.current(root)).toBeUndefined();
      expect(cache.isInitialized).toBe(false);

      await c.delete(`${root}/b`);
      await c.setData(`${root}/a`, 'new');
      const again = record(cache.events$);
      await again.next('initialized');
      expect(again.described()).toEqual([`added ${root}`, `added ${root}/a=new`, `added ${root}/a/x`, 'initialized']);
      again.unsubscribe();
      await cache.whenStopped();
      await eventually(async () => (await watchCount(port)) === baseline, 'watch count back to baseline');
    });
  });

  it.each(STRATEGIES)('leaves no watch behind when unsubscribed before the first answer ($strategy)', async ({ recursiveWatch }) => {
    const c = await open(backend.connectString);
    const port = backend.servers[0]!.port;
    const root = uniquePath('tree');
    for (const p of ['', '/a', '/b']) await c.create(root + p);
    const baseline = await watchCount(port);
    const cache = new TreeCache(c, root, { recursiveWatch });
    const rec = record(cache.events$);
    rec.unsubscribe();
    expect(rec.events).toEqual([]);
    await cache.whenStopped();
    expect(await watchCount(port)).toBe(baseline);
  });

  it('falls back to one-shot watches when the server has no addWatch (UNIMPLEMENTED)', async () => {
    const c = await open(backend.connectString);
    const root = uniquePath('tree');
    await c.create(root);
    const base = clientCacheSource(c);
    let addWatchCalls = 0;
    const oldServer: CacheSource = {
      ...base,
      addWatch: () => {
        addWatchCalls++;
        return Promise.reject(new UnimplementedError(root));
      },
    };
    const cache = new TreeCache(oldServer, root);
    const rec = record(cache.events$);
    await rec.next('initialized');
    expect(cache.watchStrategy).toBe('oneShot');
    await c.create(`${root}/a`, 'x');
    await rec.next(`added ${root}/a=x`);
    await c.create(`${root}/a/b`, 'y');
    await rec.next(`added ${root}/a/b=y`);
    rec.unsubscribe();
    expect(addWatchCalls).toBe(1);
  });
});
