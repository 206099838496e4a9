// Watches against each backend: one-shot data / exist / child watches to the default watcher
// (watchEvents$) and to Watcher callbacks, persistent and persistent-recursive watches,
// removeWatches, and re-arming everything with SetWatches / SetWatches2 after a reconnect
// (including the split of large watch sets into frames under 128 KiB).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AddWatchMode, EventType, NoWatcherError, SET_WATCHES_MAX_FRAME, WatcherType, type WatchedEvent,
} from '../../framework/index.js';
import { JuteReader, KeeperState, OpCode, RequestHeader, SetWatches2, SetWatches } from '../../protocol/index.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { BACKENDS, type Backend } from './support/backends.js';
import { eventually, nextState, recorder, sleep, uniquePath, useClients } from './support/clients.js';

const ev = (type: number, path: string) => expect.objectContaining({ type, path });

describe.each(BACKENDS)('watches on $name', (spec) => {
  let backend: Backend;
  let proxy: TcpProxy | undefined;
  beforeAll(async () => {
    backend = await spec.start();
  });
  afterAll(async () => {
    await backend?.stop();
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  const open = useClients();

  it('one-shot watches go to watchEvents$ once: data, exist, child, deleted', async () => {
    const zk = await open(backend.connectString);
    const writer = await open(backend.connectString);
    const p = uniquePath();
    const events: WatchedEvent[] = [];
    const sub = zk.watchEvents$.subscribe((e) => events.push(e));
    try {
      expect(await zk.exists(p, { watch: true })).toBeNull();
      await writer.create(p, 'a');
      await eventually(() => events.length === 1, 10_000, 'NodeCreated');
      await zk.getData(p, { watch: true });
      await zk.getChildren(p, { watch: true });
      await writer.setData(p, 'b');
      await writer.setData(p, 'c');
      await writer.create(`${p}/kid`);
      await writer.create(`${p}/kid2`);
      await eventually(() => events.length === 3, 10_000, 'data + child events');
      await zk.getData(p, { watch: true });
      await zk.getChildren(p, { watch: true });
      await writer.delete(`${p}/kid`);
      await writer.delete(`${p}/kid2`);
      await eventually(() => events.length === 4, 10_000, 'child event');
      await writer.delete(p);
      await eventually(() => events.length === 5, 10_000, 'deleted');
      await sleep(200);
      expect(events).toEqual([
        ev(EventType.NodeCreated, p), ev(EventType.NodeDataChanged, p), ev(EventType.NodeChildrenChanged, p),
        ev(EventType.NodeChildrenChanged, p), ev(EventType.NodeDeleted, p),
      ]);
      expect(events.every((e) => e.state === KeeperState.SyncConnected)).toBe(true);
    } finally {
      sub.unsubscribe();
    }
  });

  it('Watcher callbacks: each distinct watcher once per event, the same watcher once', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath();
    await zk.create(p, 'x');
    const a = recorder();
    const b = recorder();
    await zk.getData(p, { watch: a });
    await zk.exists(p, { watch: a });
    await zk.getData(p, { watch: b });
    await zk.setData(p, 'y');
    expect(await a.next()).toMatchObject({ type: EventType.NodeDataChanged, path: p });
    expect(await b.next()).toMatchObject({ type: EventType.NodeDataChanged, path: p });
    await sleep(200);
    expect(a.events).toHaveLength(1);
  });

  it('persistent and persistent-recursive watches keep firing', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath();
    await zk.create(p);
    const persistent = recorder();
    const recursive = recorder();
    await zk.addWatch(p, AddWatchMode.PERSISTENT, persistent);
    const r = uniquePath();
    await zk.create(r);
    await zk.addWatch(r, AddWatchMode.PERSISTENT_RECURSIVE, recursive);
    await zk.setData(p, '1');
    await zk.setData(p, '2');
    await zk.create(`${p}/c`);
    expect(await persistent.next()).toMatchObject({ type: EventType.NodeDataChanged, path: p });
    expect(await persistent.next()).toMatchObject({ type: EventType.NodeDataChanged, path: p });
    expect(await persistent.next()).toMatchObject({ type: EventType.NodeChildrenChanged, path: p });
    await zk.create(`${r}/a`);
    await zk.create(`${r}/a/b`);
    await zk.setData(`${r}/a/b`, 'x');
    await zk.delete(`${r}/a/b`);
    const got = [await recursive.next(), await recursive.next(), await recursive.next(), await recursive.next()];
    expect(got).toEqual([
      ev(EventType.NodeCreated, `${r}/a`), ev(EventType.NodeCreated, `${r}/a/b`),
      ev(EventType.NodeDataChanged, `${r}/a/b`), ev(EventType.NodeDeleted, `${r}/a/b`),
    ]);
  });

  it('removeWatches removes one watcher or all, tells each removed watcher, and NoWatcher when none', async () => {
    const zk = await open(backend.connectString);
    const writer = await open(backend.connectString);
    const p = uniquePath();
    await zk.create(p);
    const a = recorder();
    const b = recorder();
    await zk.getData(p, { watch: a });
    await zk.getData(p, { watch: b });
    await zk.removeWatches(p, WatcherType.Data, { watcher: a });
    expect(await a.next()).toMatchObject({ type: EventType.DataWatchRemoved, path: p });
    await writer.sync(p);
    await writer.setData(p, 'x');
    expect(await b.next()).toMatchObject({ type: EventType.NodeDataChanged, path: p });
    expect(a.events).toHaveLength(1);
    await expect(zk.removeWatches(p, WatcherType.Data)).rejects.toBeInstanceOf(NoWatcherError);
    const c = recorder();
    await zk.getChildren(p, { watch: c });
    await zk.addWatch(p, AddWatchMode.PERSISTENT, c);
    await zk.removeWatches(p, WatcherType.Any);
    const removed = [await c.next(), await c.next()].map((e) => e.type).sort();
    expect(removed).toEqual([EventType.ChildWatchRemoved, EventType.PersistentWatchRemoved]);
    await writer.create(`${p}/kid`);
    await writer.setData(p, 'y');
    await sleep(300);
    expect(c.events).toHaveLength(2);
  });

  it('after a reconnect, SetWatches2 re-arms watches and reports what changed meanwhile', async () => {
    const target = backend.servers[0]!;
    proxy = await startTcpProxy({ port: target.port });
    const zk = await open(proxy.connectString);
    const writer = await open(target.connectString);
    const base = uniquePath();
    await zk.create(base);
    await zk.create(`${base}/data`, '0');
    await zk.create(`${base}/kids`);
    await zk.create(`${base}/pers`);
    const w = recorder();
    const pw = recorder();
    await zk.getData(`${base}/data`, { watch: w });
    await zk.exists(`${base}/born`, { watch: w });
    await zk.getChildren(`${base}/kids`, { watch: w });
    await zk.addWatch(`${base}/pers`, AddWatchMode.PERSISTENT, pw);
    const sessionId = zk.sessionId;

    const disconnected = nextState(zk, KeeperState.Disconnected);
    proxy.refuse(true);
    proxy.dropConnections();
    await disconnected;
    await writer.setData(`${base}/data`, '1');
    await writer.create(`${base}/born`);
    await writer.create(`${base}/kids/k`);
    await writer.setData(`${base}/pers`, 'missed');
    const reconnected = nextState(zk, KeeperState.SyncConnected);
    const framesBefore = proxy.clientFrames.length;
    proxy.refuse(false);
    await reconnected;
    expect(zk.sessionId).toBe(sessionId);
    const got = [await w.next(), await w.next(), await w.next()].map((e) => `${e.type}:${e.path}`).sort();
    expect(got).toEqual([
      `${EventType.NodeCreated}:${base}/born`, `${EventType.NodeDataChanged}:${base}/data`,
      `${EventType.NodeChildrenChanged}:${base}/kids`,
    ].sort());
    await writer.setData(`${base}/pers`, 'seen');
    expect(await pw.next()).toMatchObject({ type: EventType.NodeDataChanged, path: `${base}/pers` });

    const frames = proxy.clientFrames.slice(framesBefore);
    const connect = frames[0]!.payload;
    expect(connect.readBigInt64BE(16)).toBe(sessionId);
    const sw = frames.slice(1).map((f) => ({ f, h: RequestHeader.decode(new JuteReader(f.payload)) })).filter(({ h }) => h.type === OpCode.setWatches2);
    expect(sw).toHaveLength(1);
    const r = new JuteReader(sw[0]!.f.payload);
    RequestHeader.decode(r);
    const body = SetWatches2.decode(r);
    expect(body.dataWatches).toEqual([`${base}/data`]);
    expect(body.existWatches).toEqual([`${base}/born`]);
    expect(body.childWatches).toEqual([`${base}/kids`]);
    expect(body.persistentWatches).toEqual([`${base}/pers`]);
    expect(body.relativeZxid).toBeGreaterThan(0n);
  });

  it('a large watch set is re-armed in SetWatches frames under 128 KiB, and every watch works', async () => {
    const target = backend.servers[0]!;
    proxy = await startTcpProxy({ port: target.port });
    const zk = await open(proxy.connectString);
    const writer = await open(target.connectString);
    const base = uniquePath('many');
    const pad = 'x'.repeat(80);
    const paths = Array.from({ length: 4000 }, (_, i) => `${base}/${pad}-${i}`);
    const w = recorder();
    await Promise.all(paths.map((p) => zk.exists(p, { watch: w })));
    const reconnected = nextState(zk, KeeperState.SyncConnected);
    const framesBefore = proxy.clientFrames.length;
    proxy.dropConnections();
    await reconnected;
    await writer.create(base);
    await writer.create(paths[3999]!);
    await writer.create(paths[0]!);
    const got = [await w.next(), await w.next()].map((e) => e.path).sort();
    expect(got).toEqual([paths[0], paths[3999]].sort());

    const batches = proxy.clientFrames.slice(framesBefore + 1)
      .filter((f) => RequestHeader.decode(new JuteReader(f.payload)).type === OpCode.setWatches);
    expect(batches.length).toBeGreaterThanOrEqual(3);
    const armed: string[] = [];
    for (const b of batches) {
      expect(b.payload.length + 4).toBeLessThanOrEqual(SET_WATCHES_MAX_FRAME);
      const r = new JuteReader(b.payload);
      RequestHeader.decode(r);
      armed.push(...SetWatches.decode(r).existWatches);
    }
    expect(armed.sort()).toEqual([...paths].sort());
  });
});
