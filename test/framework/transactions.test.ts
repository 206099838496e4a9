// Typed transactions on zabkit and Apache ZooKeeper 3.8: builder and op-array forms, namespaced
// paths in and out, compression, all-or-nothing failure with per-op results.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  BadVersionError, CreateMode, isMultiError, NodeExistsError, TransactionOp, ZooKeeperClient, type CheckResult,
  type CreateResult, type DeleteResult, type SetDataResult,
} from '../../framework/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../client/support/backends.js';
import { FAST, uniquePath } from '../client/support/clients.js';
import { useFrameworks } from './support/frameworks.js';

describe.each([ZABKIT, APACHE_STANDALONE])('transactions on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperClient;
  beforeAll(async () => {
    backend = await spec.start();
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterAll(async () => {
    await admin?.close();
    await backend?.stop();
  });
  const open = useFrameworks();

  it('the builder commits all ops at once and resolves to one typed result per op', async () => {
    const ns = uniquePath('txn').slice(1);
    const zk = await open(backend.connectString, { namespace: ns });
    await zk.create('/a', 'a0');
    await zk.create('/gone', 'x');
    const results = await zk
      .transaction()
      .create('/b', 'b0')
      .create('/seq-', 's', { mode: CreateMode.PERSISTENT_SEQUENTIAL })
      .setData('/a', 'a1', { version: 0 })
      .check('/a', 1)
      .delete('/gone')
      .commit();
    expectTypeOf(results).toEqualTypeOf<[CreateResult, CreateResult, SetDataResult, CheckResult, DeleteResult]>();
    const [b, seq, set, check, del] = results;
    expect(b).toMatchObject({ type: 'create', forPath: '/b', path: '/b' });
    expect(seq.path).toMatch(/^\/seq-\d{10}$/);
    expect(set.stat.version).toBe(1);
    expect(check).toEqual({ type: 'check', forPath: '/a' });
    expect(del).toEqual({ type: 'delete', forPath: '/gone' });
    expect((await admin.getData(`/${ns}/a`)).data?.toString()).toBe('a1');
    expect(await admin.exists(`/${ns}/gone`)).toBeNull();
  });

  it('forOperations takes an array of TransactionOp and types the results by position', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath('txn');
    const results = await zk.transaction().forOperations([
      TransactionOp.create(p, 'x'),
      TransactionOp.setData(p, 'y', { compressed: true }),
      TransactionOp.check(p, 1),
    ]);
    expectTypeOf(results).toEqualTypeOf<[CreateResult, SetDataResult, CheckResult]>();
    expect(results.map((r) => r.type)).toEqual(['create', 'setData', 'check']);
    expect(gunzipSync((await admin.getData(p)).data!).toString()).toBe('y');
    expect((await zk.getData(p, { compressed: true })).data?.toString()).toBe('y');
    expect(await zk.transaction().commit()).toEqual([]);
  });

  it('a failing op fails the whole transaction: typed error with every op result, nothing applied', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath('txn');
    await zk.create(p, 'v0');
    const error = await zk
      .transaction()
      .create(`${p}/child`, 'c')
      .setData(p, 'v1', { version: 7 })
      .create(p, 'dup')
      .commit()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadVersionError);
    if (!isMultiError(error)) throw new Error('expected a multi error');
    expect(error.results.map((r) => (r.op === 'error' ? r.code : r.op))).toEqual([0, -103, -2]);
    expect(await admin.exists(`${p}/child`)).toBeNull();
    expect((await admin.getData(p)).data?.toString()).toBe('v0');
    await expect(zk.transaction().create(p, 'again').commit()).rejects.toBeInstanceOf(NodeExistsError);
  });
});
