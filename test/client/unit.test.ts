// Pure parts of the client, without a server: connect-string parsing, the host order and its
// injectable shuffle, chroot translation, SetWatches batching and the watch table's dispatch.
import { describe, expect, it } from 'vitest';
import { EventType, WatcherType, type WatchedEvent } from '../../framework/index.js';
import { parseConnectString, setWatchesBatches, SET_WATCHES_MAX_FRAME } from '../../framework/index.js';
import { Chroot } from '../../framework/client/chroot.js';
import { HostProvider } from '../../framework/client/host-provider.js';
import { WatchRegistry } from '../../framework/client/watch-registry.js';
import { encodeRequestFrame, OpCode, opSpec } from '../../protocol/index.js';

describe('connect string', () => {
  it('parses hosts, default ports, IPv6 and a chroot', () => {
    expect(parseConnectString('a:1,b,[::1]:3/app/x')).toEqual({
      hosts: [{ host: 'a', port: 1 }, { host: 'b', port: 2181 }, { host: '::1', port: 3 }],
      chroot: '/app/x',
    });
    expect(parseConnectString('h:2/').chroot).toBeUndefined();
  });
  it('rejects empty host lists, bad ports and bad chroots', () => {
    expect(() => parseConnectString('')).toThrow(TypeError);
    expect(() => parseConnectString('a:0')).toThrow(/bad port/);
    expect(() => parseConnectString('a:x')).toThrow(/bad port/);
    expect(() => parseConnectString('a:1/app/')).toThrow(/chroot/);
  });
});

describe('host provider', () => {
  const hosts = [1, 2, 3, 4].map((port) => ({ host: 'h', port }));
  it('shuffles with the injected random source and cycles', () => {
    const keep = new HostProvider(hosts, () => 0.999999);
    expect(keep.order().map((h) => h.port)).toEqual([1, 2, 3, 4]);
    const zero = new HostProvider(hosts, () => 0);
    expect(zero.order().map((h) => h.port)).toEqual([2, 3, 4, 1]);
    const seq = [zero.next(), zero.next(), zero.next(), zero.next(), zero.next()];
    expect(seq.map((s) => s.host.port)).toEqual([2, 3, 4, 1, 2]);
    expect(seq.map((s) => s.roundFailed)).toEqual([false, false, false, false, true]);
  });
  it('a success resets the failed round', () => {
    const p = new HostProvider(hosts, () => 0.999999);
    for (let i = 0; i < 3; i++) p.next();
    p.connected();
    expect([p.next(), p.next(), p.next(), p.next(), p.next()].map((s) => s.roundFailed)).toEqual([false, false, false, false, true]);
  });
});

describe('chroot', () => {
  it('prefixes outgoing paths and strips incoming ones', () => {
    const c = new Chroot('/app');
    expect(c.toServer('/')).toBe('/app');
    expect(c.toServer('/a/b')).toBe('/app/a/b');
    expect(c.toClient('/app')).toBe('/');
    expect(c.toClient('/app/a')).toBe('/a');
    expect(c.toClient('/apple')).toBe('/apple');
    expect(c.toClient('/zookeeper/config')).toBe('/zookeeper/config');
  });
});

describe('SetWatches batching', () => {
  it('keeps every frame under 128 KiB, loses and repeats nothing, and keeps the kind order', () => {
    const path = (k: string, i: number) => `/${k}/${'p'.repeat(200)}/${i}`;
    const lists = {
      data: Array.from({ length: 900 }, (_, i) => path('d', i)),
      exist: Array.from({ length: 300 }, (_, i) => path('e', i)),
      child: Array.from({ length: 700 }, (_, i) => path('c', i)),
      persistent: [path('p', 0)],
      persistentRecursive: [path('r', 0)],
    };
    const batches = setWatchesBatches(lists, 42n);
    expect(batches.length).toBeGreaterThanOrEqual(4);
    for (const b of batches) {
      const frame = encodeRequestFrame(7, b.opCode, opSpec(b.opCode)!.request, b.body);
      expect(frame.length).toBeLessThanOrEqual(SET_WATCHES_MAX_FRAME);
      expect(b.body.relativeZxid).toBe(42n);
    }
    expect(batches.flatMap((b) => b.body.dataWatches)).toEqual(lists.data);
    expect(batches.flatMap((b) => b.body.existWatches)).toEqual(lists.exist);
    expect(batches.flatMap((b) => b.body.childWatches)).toEqual(lists.child);
    // Only the last batch carries persistent watches, so only it needs SetWatches2.
    expect(batches.map((b) => b.opCode)).toEqual([...batches.slice(1).map(() => OpCode.setWatches), OpCode.setWatches2]);
    expect(setWatchesBatches({ data: [], exist: [], child: [], persistent: [], persistentRecursive: [] }, 0n)).toEqual([]);
  });
});

describe('watch registry', () => {
  const w = () => (_: WatchedEvent) => undefined;
  it('dispatches like ZKWatchManager and removes fired one-shot watches', () => {
    const r = new WatchRegistry();
    const [data, exist, child, pers, rec] = [w(), w(), w(), w(), w()];
    r.add('data', '/a', data);
    r.add('exist', '/a', exist);
    r.add('child', '/a', child);
    r.add('persistent', '/a', pers);
    r.add('persistentRecursive', '/', rec);
    expect(r.materialize(EventType.NodeChildrenChanged, '/a')).toEqual(new Set([child, pers]));
    expect(r.materialize(EventType.NodeDataChanged, '/a')).toEqual(new Set([data, exist, pers, rec]));
    expect(r.materialize(EventType.NodeDataChanged, '/a')).toEqual(new Set([pers, rec]));
    r.add('child', '/a', child);
    expect(r.materialize(EventType.NodeDeleted, '/a')).toEqual(new Set([child, pers, rec]));
    expect(r.materialize(EventType.NodeCreated, '/a/b/c')).toEqual(new Set([rec]));
    expect(r.paths('persistent')).toEqual(['/a']);
    expect(r.matching('/a', WatcherType.Any).map((m) => m.kind)).toEqual(['persistent']);
    r.remove('/a', r.matching('/a', WatcherType.Persistent));
    r.remove('/', r.matching('/', WatcherType.PersistentRecursive));
    expect(r.isEmpty).toBe(true);
  });
});
