// The config pipeline without a server: node reads (as a NodeCache reports them) pushed by hand
// into configValue / configSubtree, checking parse and validation, the last good value kept on a
// bad write (and the error reported), defaults, distinct values only, one decode per data
// version, async Standard Schema validators keeping write order, and option checks.
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ChildData, Stat } from '../../../framework/index.js';
import { ConfigError, type StandardSchemaLike } from '../../../app/index.js';
import { configValue } from '../../../app/config/config-value.js';
import { configSubtree } from '../../../app/config/config-subtree.js';
import { configDecoder } from '../../../app/config/config-decoding.js';

let zxid = 100n;
function stat(czxid: bigint, version: number): Stat {
  const mzxid = ++zxid;
  return {
    czxid, mzxid, ctime: 0n, mtime: 0n, version, cversion: 0, aversion: 0, ephemeralOwner: 0n,
    dataLength: 0, numChildren: 0, pzxid: mzxid,
  };
}

/** A node that is written again and again: each write gets a new mzxid and version. */
function node(path: string) {
  const czxid = ++zxid;
  let version = -1;
  return {
    write: (data: string | Buffer | null): ChildData => ({
      path,
      data: typeof data === 'string' ? Buffer.from(data) : data,
      stat: stat(czxid, ++version),
    }),
  };
}

function harness<T>(build: (input: Subject<ChildData | null>, report: (e: ConfigError) => void) => import('rxjs').Observable<T>) {
  const input = new Subject<ChildData | null>();
  const errors: ConfigError[] = [];
  const values: T[] = [];
  let completed = false;
  build(input, (e) => errors.push(e)).subscribe({ next: (v) => values.push(v), complete: () => (completed = true) });
  return { input, errors, values, isCompleted: () => completed };
}

describe('configValue', () => {
  it('parses JSON by default, emits changes only, and keeps the last good value when a bad one is written', () => {
    const n = node('/config/app');
    const h = harness((i, r) => configValue<{ port: number }>(i, '/config/app', {}, r));
    h.input.next(n.write('{"port":80}'));
    h.input.next(n.write('{ "port": 80 }')); // same value, other bytes: not emitted
    h.input.next(n.write('{"port":'));
    h.input.next(n.write('{"port":81}'));
    expect(h.values).toEqual([{ port: 80 }, { port: 81 }]);
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toBeInstanceOf(ConfigError);
    expect(h.errors[0]).toMatchObject({ path: '/config/app', reason: 'unparsable', version: 2 });
    expect(h.errors[0]!.message).toMatch(/^config \/config\/app \(version 2\): could not parse its value: /);
  });

  it('decodes each data version once: repeated reads of one version are neither decoded nor reported again', () => {
    const n = node('/c');
    let parses = 0;
    const h = harness((i, r) => configValue(i, '/c', { parse: (d) => (parses++, d.toString()) }, r));
    const first = n.write('a');
    h.input.next(first);
    h.input.next(first);
    h.input.next(first);
    const bad = n.write('x');
    const badHarness = harness((i, r) => configValue(i, '/c', { parse: () => { throw new Error('no'); } }, r));
    badHarness.input.next(bad);
    badHarness.input.next(bad);
    expect(parses).toBe(1);
    expect(h.values).toEqual(['a']);
    expect(badHarness.errors).toHaveLength(1);
  });

  it('a validator function may transform; what it throws is reported as invalid and the last good value stays', () => {
    const n = node('/limits');
    const validate = (v: unknown): number => {
      if (typeof v !== 'number' || v < 0) throw new RangeError(`not a limit: ${JSON.stringify(v)}`);
      return Math.floor(v);
    };
    const h = harness((i, r) => configValue(i, '/limits', { validate }, r));
    h.input.next(n.write('10.7'));
    h.input.next(n.write('-1'));
    h.input.next(n.write('10.2')); // validates to 10 again: no emission
    h.input.next(n.write('"x"'));
    expect(h.values).toEqual([10]);
    expect(h.errors.map((e) => [e.reason, e.version, (e.cause as Error).message])).toEqual([
      ['invalid', 1, 'not a limit: -1'],
      ['invalid', 3, 'not a limit: "x"'],
    ]);
  });

  it("parse 'string' and a custom parser", () => {
    const n = node('/s');
    const s = harness((i, r) => configValue(i, '/s', { parse: 'string' }, r));
    s.input.next(n.write('plain text, not JSON'));
    expect(s.values).toEqual(['plain text, not JSON']);
    const csv = harness((i, r) => configValue(i, '/s', { parse: (d) => d.toString().split(',') }, r));
    csv.input.next(n.write('a,b'));
    expect(csv.values).toEqual([['a', 'b']]);
  });

  it('a missing node is the default when there is one, else reported (once per disappearance) with nothing emitted', () => {
    const n = node('/flag');
    const withDefault = harness((i, r) => configValue(i, '/flag', { default: false }, r));
    withDefault.input.next(null);
    withDefault.input.next(n.write('true'));
    withDefault.input.next(null);
    withDefault.input.next(null);
    expect(withDefault.values).toEqual([false, true, false]);
    expect(withDefault.errors).toEqual([]);

    const without = harness((i, r) => configValue(i, '/flag', {}, r));
    without.input.next(null);
    without.input.next(null);
    without.input.next(n.write('true'));
    without.input.next(null);
    expect(without.values).toEqual([true]); // the last good value stays
    expect(without.errors.map((e) => e.reason)).toEqual(['missing', 'missing']);
  });

  it('a bad first value gives the default; a bad later value keeps the last good one', () => {
    const n = node('/x');
    const h = harness((i, r) => configValue(i, '/x', { default: { retries: 3 } }, r));
    h.input.next(n.write('oops'));
    h.input.next(n.write('{"retries":5}'));
    h.input.next(n.write('oops again'));
    expect(h.values).toEqual([{ retries: 3 }, { retries: 5 }]);
    expect(h.errors.map((e) => e.reason)).toEqual(['unparsable', 'unparsable']);
  });

  it('empty or null data is parsed as empty bytes', () => {
    const n = node('/e');
    const s = harness((i, r) => configValue(i, '/e', { parse: 'string' }, r));
    s.input.next(n.write(null));
    expect(s.values).toEqual(['']);
    const j = harness((i, r) => configValue(i, '/e', {}, r));
    j.input.next(n.write(Buffer.alloc(0)));
    expect(j.values).toEqual([]);
    expect(j.errors.map((e) => e.reason)).toEqual(['unparsable']);
  });

  it('a custom equals decides what counts as a change', () => {
    const n = node('/v');
    const h = harness((i, r) => configValue<{ v: number; at: number }>(i, '/v', { equals: (a, b) => a.v === b.v }, r));
    h.input.next(n.write('{"v":1,"at":1}'));
    h.input.next(n.write('{"v":1,"at":2}'));
    h.input.next(n.write('{"v":2,"at":3}'));
    expect(h.values.map((x) => x.at)).toEqual([1, 3]);
  });

  it('a Standard Schema validator: issues are reported with their paths; an async one keeps the order of writes', async () => {
    // A hand-written schema object with the Standard Schema v1 shape; it answers slowly for small ports.
    const portSchema: StandardSchemaLike<{ port: number }> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) => {
          const port = (value as { port?: unknown } | null)?.port;
          const result = typeof port === 'number' && port > 0 && port < 65536
            ? { value: { port } }
            : { issues: [{ message: 'must be a port number', path: [{ key: 'port' }] }] };
          return new Promise((resolve) => setTimeout(() => resolve(result), typeof port === 'number' && port < 100 ? 30 : 0));
        },
      },
    };
    const n = node('/net');
    const h = harness((i, r) => configValue(i, '/net', { validate: portSchema }, r));
    h.input.next(n.write('{"port":80}')); // slow
    h.input.next(n.write('{"port":0}'));
    h.input.next(n.write('{"port":8080}')); // fast
    await new Promise((r) => setTimeout(r, 200));
    expect(h.values).toEqual([{ port: 80 }, { port: 8080 }]);
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toMatchObject({ reason: 'invalid', version: 1, issues: [{ message: 'must be a port number' }] });
    expect(h.errors[0]!.message).toBe('config /net (version 1): its value was refused by the validator: port: must be a port number');
  });

  it('completes when the cache completes (the framework closed)', () => {
    const h = harness((i, r) => configValue(i, '/c', {}, r));
    h.input.complete();
    expect(h.isCompleted()).toBe(true);
  });

  it('refuses bad options at once', () => {
    expect(() => configDecoder({ parse: 'yaml' as never })).toThrow(TypeError);
    expect(() => configDecoder({ validate: { not: 'a schema' } as never })).toThrow(TypeError);
  });
});

describe('configSubtree', () => {
  it('maps the nodes with data by relative path, each keeping its last good value, structure nodes left out', () => {
    const root = node('/cfg');
    const db = node('/cfg/db');
    const replica = node('/cfg/db/replica');
    const cache = node('/cfg/cache');
    const input = new Subject<ReadonlyMap<string, ChildData>>();
    const errors: ConfigError[] = [];
    const maps: Array<Record<string, unknown>> = [];
    configSubtree<unknown>(input, '/cfg', {}, (e) => errors.push(e)).subscribe((m) => maps.push(Object.fromEntries(m)));
    const snapshot = (...nodes: ChildData[]) => new Map(nodes.map((n) => [n.path, n]));

    const r = root.write('{"ignored":"the root is not in the map"}');
    let d = db.write(null);
    let rep = replica.write('{"host":"r1"}');
    let c = cache.write('{"ttl":5}');
    input.next(snapshot(r, d, rep, c));
    input.next(snapshot(r, d, rep, c)); // nothing changed: not emitted
    c = cache.write('{"ttl":');
    input.next(snapshot(r, d, rep, c)); // bad: the cache keeps ttl 5, the map is unchanged
    rep = replica.write('{"host":"r2"}');
    input.next(snapshot(r, d, rep, c));
    d = db.write('{"pool":4}');
    input.next(snapshot(r, d, rep));
    expect(maps).toEqual([
      { cache: { ttl: 5 }, 'db/replica': { host: 'r1' } },
      { cache: { ttl: 5 }, 'db/replica': { host: 'r2' } },
      { db: { pool: 4 }, 'db/replica': { host: 'r2' } },
    ]);
    expect(errors.map((e) => [e.path, e.reason])).toEqual([['/cfg/cache', 'unparsable']]);
  });

  it('a node whose only values were bad is not in the map; under "/" keys have no leading slash', () => {
    const a = node('/a');
    const input = new Subject<ReadonlyMap<string, ChildData>>();
    const maps: Array<Record<string, unknown>> = [];
    const errors: ConfigError[] = [];
    configSubtree<unknown>(input, '/', { parse: 'string', validate: (v) => { if (v === 'bad') throw new Error('bad'); return v; } }, (e) => errors.push(e))
      .subscribe((m) => maps.push(Object.fromEntries(m)));
    input.next(new Map([['/a', a.write('bad')]]));
    input.next(new Map([['/a', a.write('good')]]));
    expect(maps).toEqual([{}, { a: 'good' }]);
    expect(errors.map((e) => e.path)).toEqual(['/a']);
  });
});
