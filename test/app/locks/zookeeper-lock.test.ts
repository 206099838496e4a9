// The ZooKeeper LockRegistry on zabkit's server and on Debian's Apache ZooKeeper 3.8: the shared
// LockRegistry contract, then what only ZooKeeper gives — Curator's node layouts under
// <root>/<kind>/<key> (in the framework's namespace), fencing tokens that are the lock nodes'
// czxids, and losses from the session: an expired session reports `expired` (the node is gone), a
// cut connection under the standard error policy reports `unconfirmed` and release() still
// deletes the node, and under the session policy a short disconnection keeps the lock.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionState, SessionConnectionStateErrorPolicy, ZooKeeperFramework } from '../../../framework/index.js';
import { killSession } from '../../../framework/testing/index.js';
import { LockLostError as RecipeLockLostError } from '../../../recipes/errors.js';
import { LockLostError, ZooKeeperLockRegistry, type LockKind, type LockRegistry } from '../../../app/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { uniquePath } from '../../client/support/clients.js';
import { FAST_FRAMEWORK, nextConnectionState, useFrameworks } from '../../framework/support/frameworks.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { childrenReach } from '../support/scopes.js';
import { lockRegistryContract } from './lock-registry-contract.js';

describe.each([ZABKIT, APACHE_STANDALONE])('ZooKeeperLockRegistry on $name', (spec) => {
  let backend: Backend;
  const frameworks = useFrameworks();
  const registries: LockRegistry[] = [];
  const proxies: TcpProxy[] = [];
  let admin: ZooKeeperFramework;
  const root = uniquePath('locks');
  let keys = 0;

  beforeAll(async () => {
    backend = await spec.start();
    admin = ZooKeeperFramework.start({ ...FAST_FRAMEWORK, connectString: backend.connectString });
    if (!(await admin.blockUntilConnected(20_000))) throw new Error(`the admin framework did not connect to ${spec.name} within 20 s`);
  });
  afterEach(async () => {
    await Promise.allSettled(registries.splice(0).map((r) => r.close()));
  });
  afterEach(async () => {
    await Promise.allSettled(proxies.splice(0).map((p) => p.close()));
  });
  afterAll(async () => {
    await admin?.close();
    await backend?.stop();
  });

  async function registry(options: { via?: TcpProxy; framework?: Parameters<typeof frameworks>[1]; root?: string } = {}) {
    const zk = await frameworks(options.via?.connectString ?? backend.connectString, options.framework);
    const made = new ZooKeeperLockRegistry(zk, { root: options.root ?? root });
    registries.push(made);
    return made;
  }

  lockRegistryContract(spec.name, () => ({
    registry: () => registry(),
    key: (label) => `${label}-${++keys}`,
    async contenders(key: string, kind: LockKind, total: number) {
      const probe = new ZooKeeperLockRegistry(admin, { root });
      const path = probe.lockPath(key, kind);
      await childrenReach(admin, kind === 'semaphore' ? `${path}/leases` : path, total);
    },
    fencing: true,
    kinds: ['mutex', 'read', 'write', 'semaphore'],
  }));

  it("locks are Curator's recipes at <root>/<kind>/<key>, under the framework's namespace", async () => {
    const namespace = uniquePath('ns').slice(1);
    const zk = await frameworks(backend.connectString, { namespace });
    const locks = new ZooKeeperLockRegistry(zk, { root: '/app-locks' });
    registries.push(locks);
    expect(locks.lockPath('orders')).toBe('/app-locks/mutex/orders');
    expect(locks.lockPath('orders', 'read')).toBe('/app-locks/rw/orders');
    expect(locks.lockPath('region/eu', 'semaphore')).toBe('/app-locks/semaphore/region/eu');
    expect(() => locks.lockPath('a//b')).toThrow(TypeError);
    expect(() => locks.obtain('trailing/')).toThrow(/does not make a valid ZooKeeper path/);

    const m = await locks.obtain('orders').acquire();
    const r = await locks.obtain('orders', { kind: 'read' }).acquire();
    const s = await locks.obtain('region/eu', { kind: 'semaphore', permits: 3 }).acquire();
    const raw = await frameworks(backend.connectString);
    const names = async (path: string) => raw.getChildren(`/${namespace}${path}`);
    expect(await names('/app-locks/mutex/orders')).toEqual([expect.stringMatching(/^_c_[0-9a-f-]{36}-lock-\d{10}$/)]);
    expect(await names('/app-locks/rw/orders')).toEqual([expect.stringMatching(/^_c_[0-9a-f-]{36}-__READ__\d{10}$/)]);
    expect(await names('/app-locks/semaphore/region/eu/leases')).toEqual([expect.stringMatching(/^_c_[0-9a-f-]{36}-lease-\d{10}$/)]);
    // A writer on the same key is a writer of that read-write lock; the mutex of the key is another lock.
    await expect(locks.obtain('orders', { kind: 'write' }).acquire({ timeoutMs: 100 })).rejects.toThrow();
    await Promise.all([m.release(), r.release(), s.release()]);
    expect(await names('/app-locks/mutex/orders')).toEqual([]);
  });

  it("the fencing token is the lock node's czxid", async () => {
    const locks = await registry();
    const held = await locks.obtain('fenced').acquire();
    const nodes = await admin.getChildren(locks.lockPath('fenced'));
    const stat = await admin.exists(`${locks.lockPath('fenced')}/${nodes[0]}`);
    expect(held.fencingToken).toBe(stat!.czxid);
    await held.release();
  });

  it('a killed session (session error policy): lost$ reports `expired` (cause: the recipe loss), release() rejects with it, others get the lock', async () => {
    // Under the standard policy the cut connection before the expiry is reported first (`unconfirmed`, below).
    const victim = await registry({ framework: { connectionStateErrorPolicy: new SessionConnectionStateErrorPolicy() } });
    const other = await registry();
    const held = await victim.obtain('victim').acquire();
    await killSession((victim as ZooKeeperLockRegistry).framework.client, backend.connectString);
    const lost = await new Promise<LockLostError>((resolve) => held.lost$.subscribe(resolve));
    expect(lost).toBeInstanceOf(LockLostError);
    expect(lost.reason).toBe('expired');
    expect(lost.cause).toBeInstanceOf(RecipeLockLostError);
    expect((lost.cause as RecipeLockLostError).reason).toBe('session-lost');
    expect(held.lostSignal.reason).toBe(lost);
    expect(held.isHeld).toBe(false);
    const next = await other.obtain('victim').acquire({ timeoutMs: 20_000 });
    await expect(held.release()).rejects.toBe(lost);
    await expect(held.release()).rejects.toBe(lost);
    expect(next.isHeld).toBe(true);
    await next.release();
  });

  it('a cut connection (standard policy): `unconfirmed` at SUSPENDED; release() after reconnecting deletes the node', async () => {
    const proxy = await startTcpProxy({ port: backend.servers[0]!.port });
    proxies.push(proxy);
    const locks = (await registry({ via: proxy })) as ZooKeeperLockRegistry;
    const held = await locks.obtain('cut').acquire();
    const path = locks.lockPath('cut');
    expect(await admin.getChildren(path)).toHaveLength(1);
    const suspended = nextConnectionState(locks.framework, ConnectionState.SUSPENDED);
    proxy.dropConnections();
    await suspended;
    const lost = await new Promise<LockLostError>((resolve) => held.lost$.subscribe(resolve));
    expect(lost.reason).toBe('unconfirmed');
    expect(await admin.getChildren(path)).toHaveLength(1); // the session lives on: so does the node
    await nextConnectionState(locks.framework, ConnectionState.RECONNECTED, 30_000, true);
    await expect(held.release()).rejects.toBe(lost);
    expect(await admin.getChildren(path)).toEqual([]);
  });

  it('under the session error policy a dropped connection that comes back keeps the lock', async () => {
    const proxy = await startTcpProxy({ port: backend.servers[0]!.port });
    proxies.push(proxy);
    const locks = (await registry({ via: proxy, framework: { connectionStateErrorPolicy: new SessionConnectionStateErrorPolicy() } })) as ZooKeeperLockRegistry;
    const held = await locks.obtain('kept').acquire();
    const reconnected = nextConnectionState(locks.framework, ConnectionState.RECONNECTED, 30_000);
    proxy.dropConnections();
    await reconnected;
    expect(held.isHeld).toBe(true);
    expect(held.lostSignal.aborted).toBe(false);
    await held.release();
  });
});
