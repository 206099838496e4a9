// Creates and writes whose reply is lost with the connection (the server applied them): protection
// mode finds the node instead of making a second one, idempotent create / setData report success,
// a guaranteed delete stays listed as pending until done, and a protected create that finally
// fails leaves no orphan. A proxy forwards the request and
// cuts the connection when the reply comes back. Run on zabkit and Apache ZooKeeper 3.8.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionLossError, CreateMode, isProtectedName, normalizeProtectedName, protectedIdOf, RetryNTimes,
  ZooKeeperClient,
} from '../../framework/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../client/support/backends.js';
import { eventually, FAST, uniquePath } from '../client/support/clients.js';
import { useFrameworks } from './support/frameworks.js';
import { CREATE_OPS, requestPath, startReplyDroppingProxy, type ReplyDroppingProxy } from './support/reply-dropping-proxy.js';

const PROTECTED_NAME = /^_c_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-lock-\d{10}$/;

describe.each([ZABKIT, APACHE_STANDALONE])('lost replies on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperClient;
  let proxy: ReplyDroppingProxy;
  beforeAll(async () => {
    backend = await spec.start();
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterAll(async () => {
    await admin?.close();
    await backend?.stop();
  });
  afterEach(async () => {
    await proxy?.close();
  });
  const open = useFrameworks();
  const viaProxy = async () => {
    proxy = await startReplyDroppingProxy({ port: backend.servers[0]!.port });
    return open(proxy.connectString);
  };
  const createUnder = (parent: string) => (r: { opCode: number; body: Buffer }) =>
    CREATE_OPS.has(r.opCode) && requestPath(r.body).startsWith(`${parent}/`);

  it('protection: the retry after a lost create reply finds the node (ephemeral sequential), no duplicate', async () => {
    const zk = await viaProxy();
    const parent = uniquePath('prot');
    await zk.create(parent);
    const dropped = proxy.dropReplyTo(createUnder(parent));
    const path = await zk.create(`${parent}/lock-`, 'me', { mode: CreateMode.EPHEMERAL_SEQUENTIAL, withProtection: true });
    const request = await dropped;
    expect(requestPath(request.body)).toMatch(new RegExp(`^${parent}/_c_`));
    const children = (await admin.getChildren(parent)).children;
    expect(children).toHaveLength(1);
    expect(path).toBe(`${parent}/${children[0]}`);
    expect(children[0]).toMatch(PROTECTED_NAME);
    expect(normalizeProtectedName(children[0]!)).toBe('lock-0000000000');
    const stat = await admin.exists(path);
    expect(stat?.ephemeralOwner).toBe(zk.client.sessionId);
  });

  it('protection also works for a plain persistent node (the found path is returned)', async () => {
    const zk = await viaProxy();
    const parent = uniquePath('prot');
    await zk.create(parent);
    const dropped = proxy.dropReplyTo(createUnder(parent));
    const path = await zk.create(`${parent}/node`, 'x', { withProtection: true });
    await dropped;
    const children = (await admin.getChildren(parent)).children;
    expect(children).toHaveLength(1);
    expect(path).toBe(`${parent}/${children[0]}`);
    expect(isProtectedName(children[0]!)).toBe(true);
    expect(normalizeProtectedName(children[0]!)).toBe('node');
    expect(protectedIdOf(children[0]!)).toHaveLength(36);
  });

  it('without protection the same lost reply makes a duplicate sequential node (why protection exists)', async () => {
    const zk = await viaProxy();
    const parent = uniquePath('prot');
    await zk.create(parent);
    const dropped = proxy.dropReplyTo(createUnder(parent));
    const path = await zk.create(`${parent}/lock-`, 'me', { mode: CreateMode.PERSISTENT_SEQUENTIAL });
    await dropped;
    expect((await admin.getChildren(parent)).children.sort()).toEqual(['lock-0000000000', 'lock-0000000001']);
    expect(path).toBe(`${parent}/lock-0000000001`);
  });

  it('idempotent create: the retry sees its own node and succeeds; a plain create reports NodeExists', async () => {
    const zk = await viaProxy();
    const p = uniquePath('idem');
    const dropped = proxy.dropReplyTo((r) => CREATE_OPS.has(r.opCode) && requestPath(r.body) === p);
    expect(await zk.create(p, 'payload', { idempotent: true })).toBe(p);
    await dropped;
    expect((await admin.getData(p)).data?.toString()).toBe('payload');

    const q = uniquePath('idem');
    const droppedAgain = proxy.dropReplyTo((r) => CREATE_OPS.has(r.opCode) && requestPath(r.body) === q);
    await expect(zk.create(q, 'payload')).rejects.toThrow(/NodeExists/);
    await droppedAgain;
  });

  it('idempotent setData at a version: the retry sees its own write and succeeds', async () => {
    const zk = await viaProxy();
    const p = uniquePath('idem');
    await zk.create(p, 'v0');
    const dropped = proxy.dropReplyTo((r) => r.opCode === 5 && requestPath(r.body) === p);
    const stat = await zk.setData(p, 'v1', { version: 0, idempotent: true });
    await dropped;
    expect(stat.version).toBe(1);
    expect((await admin.getData(p)).data?.toString()).toBe('v1');
  });

  it('a guaranteed delete is listed as pending from its first attempt, also while its lost reply is being retried', async () => {
    const zk = await viaProxy();
    const p = uniquePath('gd');
    await zk.create(p, 'x');
    const dropped = proxy.dropReplyTo((r) => r.opCode === 2 && requestPath(r.body) === p);
    proxy.refuse(true); // after the cut the client stays away: the first (foreground) attempt is still retrying
    const deleting = zk.delete(p, { guaranteed: true, quietly: true });
    expect(zk.pendingGuaranteedDeletes).toEqual([p]);
    await dropped;
    expect(await admin.exists(p)).toBeNull(); // the server applied it; the framework does not know yet
    expect(zk.pendingGuaranteedDeletes).toEqual([p]);
    proxy.refuse(false);
    await deleting; // the retry finds the node gone: done
    expect(zk.pendingGuaranteedDeletes).toEqual([]);
    // A plain delete is never listed.
    await zk.create(p, 'x');
    const plain = zk.delete(p);
    expect(zk.pendingGuaranteedDeletes).toEqual([]);
    await plain;
  });

  it('a protected create that finally fails is looked up and deleted in the background', async () => {
    proxy = await startReplyDroppingProxy({ port: backend.servers[0]!.port });
    const zk = await open(proxy.connectString, {
      retryPolicy: new RetryNTimes({ n: 0, sleepMsBetweenRetries: 0 }),
      sessionTimeoutMs: 20_000,
    });
    const parent = uniquePath('prot');
    await zk.create(parent);
    const dropped = proxy.dropReplyTo(createUnder(parent));
    await expect(zk.create(`${parent}/orphan`, 'x', { withProtection: true })).rejects.toBeInstanceOf(ConnectionLossError);
    await dropped;
    // The node was created by the lost request; the framework finds it by its protected id and deletes it.
    await eventually(async () => (await admin.getChildren(parent)).children.length === 0, 20_000, 'orphan deleted');
    // The server applied the delete; its reply reaches the framework a moment later.
    await eventually(() => zk.pendingGuaranteedDeletes.length === 0, 10_000, 'no guaranteed delete pending');
  });
});
