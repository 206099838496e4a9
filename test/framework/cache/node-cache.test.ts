// NodeCache against zabkit's server and Apache ZooKeeper 3.8: the node's data as an observable,
// a missing node waited for with exactly one exists watch (no leak, no polling), children
// ignored, and its watches gone from the server after the last unsubscribe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeCache, type ChildData } from '../../../framework/cache/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { uniquePath, useClients } from '../../client/support/clients.js';
import { startTcpProxy } from '../../support/tcp-proxy.js';
import { eventually, record, sleep, watchCount } from './support.js';

describe.each([ZABKIT, APACHE_STANDALONE])('NodeCache on $name', (spec) => {
  let backend: Backend;
  const open = useClients();
  beforeAll(async () => {
    backend = await spec.start();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  it('streams the node: data$ after the first read and after each change', async () => {
    const c = await open(backend.connectString);
    const path = uniquePath('node');
    await c.create(path, 'one');
    const cache = new NodeCache(c, path);
    const seen: Array<string | null> = [];
    const sub = cache.data$.subscribe((d: ChildData | null) => seen.push(d === null ? null : d.data!.toString()));
    await eventually(() => seen.length === 1, 'first value');
    expect(cache.current?.stat.version).toBe(0);
    await c.setData(path, 'two');
    await eventually(() => seen.length === 2, 'update');
    await c.delete(path);
    await eventually(() => seen.length === 3, 'delete');
    expect(cache.current).toBeUndefined();
    await c.create(path, 'three');
    await eventually(() => seen.length === 4, 're-create');
    sub.unsubscribe();
    expect(seen).toEqual(['one', 'two', null, 'three']);
  });

  it('reports added / updated / removed with Stats, ignoring the children', async () => {
    const c = await open(backend.connectString);
    const path = uniquePath('node');
    await c.create(path, 'a');
    const cache = new NodeCache(c, path);
    const rec = record(cache.events$);
    await rec.next('initialized');
    await c.create(`${path}/child`);
    await c.setData(path, 'b');
    await rec.next(`updated ${path}=b`);
    await c.delete(`${path}/child`);
    await c.delete(path);
    await rec.next(`removed ${path}`);
    rec.unsubscribe();
    expect(rec.described()).toEqual([`added ${path}=a`, 'initialized', `updated ${path}=b`, `removed ${path}`]);
    expect((rec.events[3] as ChildData).stat.version).toBe(1);
  });

  it('waits for a missing node with one exists watch and no polling', async () => {
    const c0 = await open(backend.connectString);
    const port = backend.servers[0]!.port;
    const proxy = await startTcpProxy({ port });
    try {
      const c = await open(proxy.connectString);
      const path = uniquePath('node');
      const baseline = await watchCount(port);
      const cache = new NodeCache(c, path);
      const rec = record(cache.events$);
      await rec.next('initialized');
      expect(cache.current).toBeUndefined();
      expect(await watchCount(port)).toBe(baseline + 1);
      const requests = (): number => proxy.clientFrames.filter((f) => f.payload.readInt32BE(0) !== -2).length;
      const before = requests();
      await sleep(600);
      expect(requests()).toBe(before);
      await c0.create(path, 'here');
      await rec.next(`added ${path}=here`);
      // The exists watch became the node's data watch: still one.
      expect(await watchCount(port)).toBe(baseline + 1);
      await c0.delete(path);
      await rec.next(`removed ${path}`);
      // Waiting again: the exists watch is re-armed by a read that may still be in flight.
      await eventually(async () => (await watchCount(port)) === baseline + 1, 'one exists watch again');
      rec.unsubscribe();
      await cache.whenStopped();
      await eventually(async () => (await watchCount(port)) === baseline, 'watch removed');
    } finally {
      await proxy.close();
    }
  });

  it('a late subscriber receives the node and initialized first', async () => {
    const c = await open(backend.connectString);
    const path = uniquePath('node');
    await c.create(path, 'x');
    const cache = new NodeCache(c, path);
    const first = record(cache.events$);
    await first.next('initialized');
    const second = record(cache.events$);
    expect(second.described()).toEqual([`added ${path}=x`, 'initialized']);
    first.unsubscribe();
    second.unsubscribe();
  });
});
