// PathChildrenCache against zabkit's server and Apache ZooKeeper 3.8: children (not the parent,
// not grandchildren) with data and Stats, a missing parent waited for without polling, a parent
// deleted and re-created, and the watches gone after the last unsubscribe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Op } from '../../../framework/index.js';
import { PathChildrenCache, type ChildData } from '../../../framework/cache/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { uniquePath, useClients } from '../../client/support/clients.js';
import { startTcpProxy } from '../../support/tcp-proxy.js';
import { eventually, record, sleep, watchCount } from './support.js';

describe.each([ZABKIT, APACHE_STANDALONE])('PathChildrenCache on $name', (spec) => {
  let backend: Backend;
  const open = useClients();
  beforeAll(async () => {
    backend = await spec.start();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  it('reports the children, then their changes; the parent and grandchildren are not reported', async () => {
    const c = await open(backend.connectString);
    const parent = uniquePath('pcc');
    await c.create(parent, 'p');
    await c.create(`${parent}/a`, '1');
    await c.create(`${parent}/b`, '2');
    const cache = new PathChildrenCache(c, parent);
    const rec = record(cache.events$);
    await rec.next('initialized');
    expect(rec.described().slice(0, 2).sort()).toEqual([`added ${parent}/a=1`, `added ${parent}/b=2`]);
    await c.setData(parent, 'p2');
    await c.create(`${parent}/a/grandchild`);
    await c.create(`${parent}/c`, '3');
    await rec.next(`added ${parent}/c=3`);
    await c.setData(`${parent}/a`, '1b');
    await rec.next(`updated ${parent}/a=1b`);
    await c.delete(`${parent}/b`);
    await rec.next(`removed ${parent}/b`);
    rec.unsubscribe();
    expect(rec.described().slice(2)).toEqual(['initialized', `added ${parent}/c=3`, `updated ${parent}/a=1b`, `removed ${parent}/b`]);
  });

  it('exposes the current children sorted, and as children$', async () => {
    const c = await open(backend.connectString);
    const parent = uniquePath('pcc');
    await c.create(parent);
    for (const n of ['z', 'm', 'a']) await c.create(`${parent}/${n}`, n);
    const cache = new PathChildrenCache(c, parent);
    const lists: string[][] = [];
    const sub = cache.children$.subscribe((children: ChildData[]) => lists.push(children.map((d) => d.path.slice(parent.length + 1))));
    await eventually(() => lists.length === 1, 'first list');
    expect(cache.currentData().map((d) => d.data?.toString())).toEqual(['a', 'm', 'z']);
    expect(cache.current(`${parent}/m`)?.stat.version).toBe(0);
    expect(cache.current(parent)).toBeUndefined();
    await c.delete(`${parent}/m`);
    await eventually(() => lists.length === 2, 'second list');
    sub.unsubscribe();
    expect(lists).toEqual([['a', 'm', 'z'], ['a', 'z']]);
  });

  it('waits for a missing parent with one watch and no polling', async () => {
    const c0 = await open(backend.connectString);
    const port = backend.servers[0]!.port;
    const proxy = await startTcpProxy({ port });
    try {
      const c = await open(proxy.connectString);
      const parent = uniquePath('pcc');
      const baseline = await watchCount(port);
      const cache = new PathChildrenCache(c, parent);
      const rec = record(cache.events$);
      await rec.next('initialized');
      expect(rec.described()).toEqual(['initialized']);
      expect(await watchCount(port)).toBe(baseline + 1);
      const requests = (): number => proxy.clientFrames.filter((f) => f.payload.readInt32BE(0) !== -2).length;
      const before = requests();
      await sleep(600);
      expect(requests()).toBe(before);
      await c0.multi([Op.create(parent), Op.create(`${parent}/first`, 'f')]);
      await rec.next(`added ${parent}/first=f`);
      rec.unsubscribe();
      await cache.whenStopped();
      await eventually(async () => (await watchCount(port)) === baseline, 'watches removed');
    } finally {
      await proxy.close();
    }
  });

  it('removes the children when the parent goes and finds the new ones when it comes back', async () => {
    const c = await open(backend.connectString);
    const parent = uniquePath('pcc');
    await c.create(parent);
    await c.create(`${parent}/old`, 'o');
    const cache = new PathChildrenCache(c, parent);
    const rec = record(cache.events$);
    await rec.next('initialized');
    await c.multi([Op.delete(`${parent}/old`), Op.delete(parent)]);
    await rec.next(`removed ${parent}/old`);
    await c.multi([Op.create(parent), Op.create(`${parent}/new`, 'n')]);
    await rec.next(`added ${parent}/new=n`);
    rec.unsubscribe();
    expect(rec.described()).toEqual([`added ${parent}/old=o`, 'initialized', `removed ${parent}/old`, `added ${parent}/new=n`]);
  });
});
