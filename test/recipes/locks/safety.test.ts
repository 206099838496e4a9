// Lock safety under faults, on zabkit's server and Apache ZooKeeper 3.8: a holder whose session
// is killed from outside reports the loss before anyone else is admitted (standard policy); under
// the session policy the loss comes with the expiry and the fencing token tells the holders
// apart; SUSPENDED is a loss under the standard policy only, the node survives a short
// disconnect and release() still removes it; a lost hold cannot be re-entered; a node left by a
// session the framework gave up (simulated expiry) is never mistaken for a grant.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionState, SessionConnectionStateErrorPolicy, ZooKeeperClient, ZooKeeperFramework,
} from '../../../framework/index.js';
import { killSession } from '../../../framework/testing/index.js';
import { InterProcessMutex, InterProcessReadWriteLock, LockLostError, type LockLease } from '../../../recipes/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, uniquePath } from '../../client/support/clients.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { childrenOf, nextConnectionState, sleep, track, useFrameworks, waitChildren } from './support.js';

const { SUSPENDED, RECONNECTED, LOST } = ConnectionState;

/** Records the loss of `lease` into `log` (and returns the promise of it). */
function recordLoss(lease: LockLease, log: string[], label: string): Promise<Error> {
  return new Promise((resolve) => {
    lease.lost$.subscribe((e) => {
      log.push(label);
      resolve(e);
    });
  });
}

describe.each([ZABKIT, APACHE_STANDALONE])('lock safety under faults on $name', (spec) => {
  let backend: Backend;
  let zk: ZooKeeperClient;
  const proxies: TcpProxy[] = [];
  const open = useFrameworks();
  beforeAll(async () => {
    backend = await spec.start();
    zk = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterAll(async () => {
    await zk?.close();
    await backend?.stop();
  });
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });
  const proxy = async (): Promise<TcpProxy> => {
    const p = await startTcpProxy({ port: backend.servers[0]!.port });
    proxies.push(p);
    return p;
  };

  it('session killed while holding (standard policy): lost$ fires before the next contender is admitted', async () => {
    const path = uniquePath('safety-expiry');
    const victim = await open(backend.connectString);
    const heir = await open(backend.connectString);
    const log: string[] = [];
    const lease = await new InterProcessMutex(victim, path).acquire();
    const lost = recordLoss(lease, log, 'victim lost');
    const waiting = new InterProcessMutex(heir, path).acquire().then((l) => {
      log.push('heir acquired');
      return l;
    });
    await waitChildren(zk, path, 2);
    await killSession(victim.client, backend.connectString);
    const heirLease = await waiting;
    expect(log).toEqual(['victim lost', 'heir acquired']);
    expect(await lost).toBeInstanceOf(LockLostError);
    expect(lease.isHeld).toBe(false);
    expect(lease.lostSignal.aborted).toBe(true);
    expect(lease.lostSignal.reason).toBe(await lost);
    expect(heirLease.fencingToken).toBeGreaterThan(lease.fencingToken);
    await nextConnectionState(victim, RECONNECTED, 30_000, true); // on a new session
    await lease.release(); // its node is long gone: fine
    await heirLease.release();
  });

  it('session killed while holding (session policy): lost$ comes with the expiry; the fencing token orders the two holders', async () => {
    const path = uniquePath('safety-expiry-session');
    const victim = await open(backend.connectString, { connectionStateErrorPolicy: new SessionConnectionStateErrorPolicy() });
    const heir = await open(backend.connectString);
    const lease = await new InterProcessMutex(victim, path).acquire();
    const lost = new Promise<LockLostError>((resolve) => lease.lost$.subscribe((e) => resolve(e as LockLostError)));
    const waiting = new InterProcessMutex(heir, path).acquire();
    await waitChildren(zk, path, 2);
    await killSession(victim.client, backend.connectString);
    const heirLease = await waiting;
    expect((await lost).reason).toBe('session-lost');
    expect(lease.isHeld).toBe(false);
    // Whoever saw what first, a resource that keeps the largest token refuses the old holder.
    expect(heirLease.fencingToken).toBeGreaterThan(lease.fencingToken);
    await heirLease.release();
  });

  it('SUSPENDED is a loss under the standard policy: the node outlives a short disconnect and release() removes it', async () => {
    const path = uniquePath('safety-suspended');
    const px = await proxy();
    const holder = await open(px.connectString, { sessionTimeoutMs: 10_000 });
    const other = await open(backend.connectString);
    const lease = await new InterProcessMutex(holder, path).acquire();
    const session = holder.client.sessionId;
    const lost = new Promise<LockLostError>((resolve) => lease.lost$.subscribe((e) => resolve(e as LockLostError)));
    px.refuse(true);
    px.dropConnections();
    expect((await lost).reason).toBe('connection-suspended');
    expect(lease.isHeld).toBe(false);
    expect(lease.isLost).toBe(true);
    px.refuse(false);
    await nextConnectionState(holder, RECONNECTED, 20_000, true);
    expect(holder.client.sessionId).toBe(session);
    expect(await zk.exists(lease.nodePath)).not.toBeNull(); // same session: the node is still there
    const waiter = track(new InterProcessMutex(other, path).acquire());
    await waitChildren(zk, path, 2);
    await sleep(200);
    expect(waiter.settled()).toBe(false);
    await lease.release();
    await (await waiter.promise).release();
    expect(await childrenOf(zk, path)).toEqual([]);
  });

  it('SUSPENDED is no loss under the session policy: the lease is still held after the reconnect', async () => {
    const path = uniquePath('safety-session-policy');
    const px = await proxy();
    const holder = await open(px.connectString, { sessionTimeoutMs: 10_000, connectionStateErrorPolicy: new SessionConnectionStateErrorPolicy() });
    const lease = await new InterProcessMutex(holder, path).acquire();
    const losses: Error[] = [];
    lease.lost$.subscribe((e) => losses.push(e));
    const suspended = nextConnectionState(holder, SUSPENDED);
    px.refuse(true);
    px.dropConnections();
    await suspended;
    px.refuse(false);
    await nextConnectionState(holder, RECONNECTED, 20_000, true);
    expect(losses).toEqual([]);
    expect(lease.isHeld).toBe(true);
    expect(lease.lostSignal.aborted).toBe(false);
    await lease.release();
    expect(losses).toEqual([]);
    expect(await childrenOf(zk, path)).toEqual([]);
  });

  it('a lost hold is not re-entered: acquiring again inside its scope rejects with the loss', async () => {
    const path = uniquePath('safety-reenter');
    const px = await proxy();
    const holder = await open(px.connectString, { sessionTimeoutMs: 10_000 });
    const rw = new InterProcessReadWriteLock(holder, path);
    await rw.writeLock.withLock(async (lease) => {
      px.refuse(true);
      px.dropConnections();
      await eventually(() => lease.isLost, 10_000, 'loss');
      await expect(rw.writeLock.acquire()).rejects.toBeInstanceOf(LockLostError);
      px.refuse(false);
      await nextConnectionState(holder, RECONNECTED, 20_000, true);
    });
    expect(await childrenOf(zk, path)).toEqual([]); // withLock released (deleted) the node anyway
  });

  it('closing the framework while holding: lost$ with framework-closed', async () => {
    const path = uniquePath('safety-close');
    const fw = ZooKeeperFramework.start({ connectString: backend.connectString, sessionTimeoutMs: 6000 });
    const lease = await new InterProcessMutex(fw, path).acquire();
    const lost = new Promise<LockLostError>((resolve) => lease.lost$.subscribe((e) => resolve(e as LockLostError)));
    await fw.close();
    expect((await lost).reason).toBe('framework-closed');
    await lease.release(); // nothing left to do
    await waitChildren(zk, path, 0);
  });

  it('a node of a session the framework gave up (simulated expiry) is never taken for a grant: the waiter starts over on its new session', async () => {
    const path = uniquePath('safety-given-up');
    const px = await proxy();
    const holder = await open(backend.connectString);
    // Given up locally after 20% of 20 s SUSPENDED; the server keeps the session (and its node) for the full 20 s.
    const waiterFw = await open(px.connectString, { sessionTimeoutMs: 20_000, simulatedSessionExpirationPercent: 20 });
    const held = await new InterProcessMutex(holder, path).acquire();
    const oldSession = waiterFw.client.sessionId;
    const waiting = track(new InterProcessMutex(waiterFw, path).acquire());
    await waitChildren(zk, path, 2);
    const [, oldNode] = await new InterProcessMutex(holder, path).participantNodes();
    const lost = nextConnectionState(waiterFw, LOST);
    px.refuse(true);
    px.dropConnections();
    await lost;
    px.refuse(false);
    await nextConnectionState(waiterFw, RECONNECTED, 20_000, true);
    expect(waiterFw.client.sessionId).not.toBe(oldSession);
    expect((await zk.exists(oldNode!))?.ephemeralOwner).toBe(oldSession); // still there, owned by the old session
    await held.release();
    const lease = await waiting.promise;
    expect(lease.nodePath).not.toBe(oldNode);
    expect((await zk.exists(lease.nodePath))?.ephemeralOwner).toBe(waiterFw.client.sessionId);
    expect(await zk.exists(oldNode!)).toBeNull(); // deleted by the waiter instead of trusted
    expect(lease.isHeld).toBe(true);
    await lease.release();
  }, 60_000);
});
