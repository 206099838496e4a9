// Connection and session behaviour against each backend, with faults: dropped connections,
// partitions (read timeout -> next host), pings keeping an idle session alive, connection
// timeouts, session resume by id + password, expiry, auth replay, lastZxidSeen, stopped and
// killed servers, and a clean close (ephemerals gone at once, nothing left behind).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionLossError, CreateMode, CREATOR_ALL_ACL, EventType, KeeperState, SessionExpiredError, ZooKeeperClient,
  ClientClosedError, type SessionStateEvent,
} from '../../framework/index.js';
import { JuteReader, OpCode, RequestHeader } from '../../protocol/index.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { BACKENDS, type Backend, type BackendServer } from './support/backends.js';
import { eventually, FAST, nextState, recorder, sleep, uniquePath, useClients } from './support/clients.js';
import { countingClock, expireSession, inOrder } from './support/faults.js';

describe.each(BACKENDS)('sessions on $name', (spec) => {
  let backend: Backend;
  const proxies: TcpProxy[] = [];
  const extraServers: BackendServer[] = [];
  beforeAll(async () => {
    backend = await spec.start();
  });
  afterAll(async () => {
    await backend?.stop();
  });
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
    await Promise.all(extraServers.splice(0).map((s) => s.stop()));
  });
  const open = useClients();
  const proxy = async (port = backend.servers[0]!.port): Promise<TcpProxy> => {
    const p = await startTcpProxy({ port });
    proxies.push(p);
    return p;
  };
  const states = (zk: ZooKeeperClient): SessionStateEvent[] => {
    const seen: SessionStateEvent[] = [];
    zk.state$.subscribe((e) => seen.push(e));
    return seen;
  };

  it('negotiates the session timeout and reports states', async () => {
    const zk = await open(backend.connectString, { sessionTimeoutMs: 5000 });
    expect(zk.negotiatedSessionTimeoutMs).toBe(5000);
    expect(zk.sessionId).not.toBe(0n);
    expect(zk.sessionPassword).toHaveLength(16);
    expect(backend.connectString.split(',')).toContain(zk.connectedServer);
    const clamped = await open(backend.connectString, { sessionTimeoutMs: 100 });
    expect(clamped.negotiatedSessionTimeoutMs).toBe(2000);
  });

  it('a dropped connection reconnects to the same session; pending requests fail with ConnectionLoss', async () => {
    const px = await proxy();
    const zk = await open(px.connectString);
    const seen = states(zk);
    const p = uniquePath();
    await zk.create(p, 'e', { mode: CreateMode.EPHEMERAL });
    const sessionId = zk.sessionId;
    px.partition();
    const pending = zk.getData(p);
    await sleep(50);
    px.heal();
    px.dropConnections();
    await expect(pending).rejects.toBeInstanceOf(ConnectionLossError);
    await zk.waitForConnected(10_000);
    expect(zk.sessionId).toBe(sessionId);
    expect((await zk.getData(p)).stat.ephemeralOwner).toBe(sessionId);
    expect(seen.map((e) => e.state)).toEqual([KeeperState.SyncConnected, KeeperState.Disconnected, KeeperState.SyncConnected]);
  });

  it('when reads go quiet for 2/3 of the session timeout it moves to the next host, keeping the session', async () => {
    const a = await proxy();
    const b = await proxy();
    const zk = await open(`${a.connectString},${b.connectString}`, { sessionTimeoutMs: 3000, random: inOrder });
    expect(zk.connectedServer).toBe(a.connectString);
    const p = uniquePath();
    await zk.create(p, null, { mode: CreateMode.EPHEMERAL });
    const sessionId = zk.sessionId;
    const disconnected = nextState(zk, KeeperState.Disconnected);
    const t0 = performance.now();
    a.partition();
    await disconnected;
    const silentFor = performance.now() - t0;
    expect(silentFor).toBeGreaterThan(2000 * 0.6);
    expect(silentFor).toBeLessThan(3000);
    await zk.waitForConnected(10_000);
    expect(zk.connectedServer).toBe(b.connectString);
    expect(zk.sessionId).toBe(sessionId);
    expect((await zk.exists(p))?.ephemeralOwner).toBe(sessionId);
  });

  it('pings every third of the session timeout keep an idle session alive', async () => {
    const px = await proxy();
    const zk = await open(px.connectString, { sessionTimeoutMs: 3000 });
    const seen = states(zk);
    const p = uniquePath();
    await zk.create(p, null, { mode: CreateMode.EPHEMERAL });
    const before = px.clientFrames.length;
    await sleep(4500);
    const pings = px.clientFrames.slice(before).filter((f) => RequestHeader.decode(new JuteReader(f.payload)).type === OpCode.ping);
    expect(pings.length).toBeGreaterThanOrEqual(3);
    expect(pings.length).toBeLessThanOrEqual(6);
    expect(seen.map((e) => e.state)).toEqual([KeeperState.SyncConnected]);
    expect((await zk.exists(p))?.ephemeralOwner).toBe(zk.sessionId);
  });

  it('a host that never answers the handshake costs one connection timeout, then the next host is used', async () => {
    const dead = await proxy();
    dead.partition();
    const good = await proxy();
    const t0 = performance.now();
    const zk = await open(`${dead.connectString},${good.connectString}`, { random: inOrder, connectTimeoutMs: 500 });
    expect(performance.now() - t0).toBeGreaterThan(450);
    expect(zk.connectedServer).toBe(good.connectString);
    expect(dead.accepted).toBe(1);
  });

  it('a session is resumed with its id and password from another client', async () => {
    const px = await proxy();
    const first = await open(px.connectString);
    const p = uniquePath();
    await first.create(p, null, { mode: CreateMode.EPHEMERAL });
    px.partition();
    const second = await open(backend.connectString, { sessionId: first.sessionId, sessionPassword: first.sessionPassword });
    expect(second.sessionId).toBe(first.sessionId);
    await second.sync(p);
    expect(await second.getEphemerals('/')).toContain(p);
  });

  it('an expired session is surfaced: Expired state, SessionExpiredError, ephemerals gone', async () => {
    const px = await proxy();
    const zk = await open(px.connectString);
    const observer = await open(backend.connectString);
    const p = uniquePath();
    await zk.create(p, null, { mode: CreateMode.EPHEMERAL });
    const expired = nextState(zk, KeeperState.Expired);
    await expireSession(zk, px, backend.connectString);
    await expired;
    expect(zk.phase).toBe('expired');
    await expect(zk.getData('/')).rejects.toBeInstanceOf(SessionExpiredError);
    await observer.sync(p);
    expect(await observer.exists(p)).toBeNull();
  });

  it('auth is replayed after a reconnect', async () => {
    const px = await proxy();
    const zk = await open(px.connectString, { auth: [{ scheme: 'digest', auth: 'carol:pw' }] });
    const p = uniquePath();
    await zk.create(p, 'mine', { acl: CREATOR_ALL_ACL });
    await zk.addAuth('digest', 'dave:pw');
    const reconnected = nextState(zk, KeeperState.SyncConnected);
    px.dropConnections();
    await reconnected;
    expect((await zk.getData(p)).data?.toString()).toBe('mine');
    const who = (await zk.whoAmI()).filter((w) => w.authScheme === 'digest').map((w) => w.user).sort();
    expect(who).toEqual(['carol', 'dave']);
  });

  it('never goes back in time: a server behind lastZxidSeen is refused until a current one is back', async () => {
    const behind = await backend.startStandalone();
    extraServers.push(behind);
    const px = await proxy();
    const zk = await open(px.connectString);
    const p = uniquePath();
    await zk.create(p);
    for (let i = 0; i < 20; i++) await zk.setData(p, String(i));
    const seenZxid = zk.lastZxidSeen;
    const seen = states(zk);
    const acceptedBefore = px.accepted;
    px.retarget({ port: behind.port });
    px.dropConnections();
    await sleep(2500);
    expect(px.accepted - acceptedBefore).toBeGreaterThanOrEqual(2);
    expect(seen.map((e) => e.state)).toEqual([KeeperState.SyncConnected, KeeperState.Disconnected]);
    const connects = px.clientFrames.filter((f) => f.conn >= acceptedBefore && f.payload.length >= 44 && f.payload.readInt32BE(0) === 0);
    expect(connects.length).toBeGreaterThan(0);
    for (const c of connects) expect(c.payload.readBigInt64BE(4)).toBe(seenZxid);
    px.retarget({ port: backend.servers[0]!.port });
    await zk.waitForConnected(10_000);
    expect(zk.lastZxidSeen >= seenZxid).toBe(true);
    expect((await zk.getData(p)).data?.toString()).toBe('19');
  });

  it('close() ends the session at once (ephemerals deleted, watchers told) and leaves nothing behind', async () => {
    const observer = await open(backend.connectString);
    const clock = countingClock();
    const zk = new ZooKeeperClient(backend.connectString, { ...FAST, clock });
    await zk.waitForConnected(20_000);
    const p = uniquePath();
    await zk.create(p, null, { mode: CreateMode.EPHEMERAL });
    await zk.getData(p, { watch: true });
    await zk.addWatch(p, 0, () => undefined);
    const w = recorder();
    await observer.sync(p);
    await observer.exists(p, { watch: w });
    const stateSub = zk.state$.subscribe(() => undefined);
    const eventSub = zk.watchEvents$.subscribe(() => undefined);
    const t0 = performance.now();
    await zk.close();
    expect(await w.next(5000)).toMatchObject({ type: EventType.NodeDeleted, path: p });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(zk.phase).toBe('closed');
    expect(clock.pending).toBe(0);
    expect(stateSub.closed).toBe(true);
    expect(eventSub.closed).toBe(true);
    await expect(zk.getData('/')).rejects.toBeInstanceOf(ClientClosedError);
    await zk.close();
  });

  it('a stopped server: Disconnected, ConnectionLoss, and close() still ends promptly with no timers left', async () => {
    const server = await backend.startStandalone();
    extraServers.push(server);
    const clock = countingClock();
    const zk = new ZooKeeperClient(server.connectString, { ...FAST, clock });
    await zk.waitForConnected(20_000);
    const disconnected = nextState(zk, KeeperState.Disconnected);
    await server.kill();
    await disconnected;
    await expect(zk.exists('/')).rejects.toBeInstanceOf(ConnectionLossError);
    const t0 = performance.now();
    await zk.close();
    expect(performance.now() - t0).toBeLessThan(500);
    expect(clock.pending).toBe(0);
  });

  // Ensemble only (it kills a member for good, so it is the file's last test there).
  if (spec.name.includes('ensemble')) it('killing the connected ensemble member moves the session to another member', async () => {
    const zk = await open(backend.connectString, { sessionTimeoutMs: 6000 });
    const p = uniquePath();
    await zk.create(p, 'v', { mode: CreateMode.EPHEMERAL });
    const sessionId = zk.sessionId;
    const victim = backend.servers.find((s) => s.connectString === zk.connectedServer)!;
    const reconnected = nextState(zk, KeeperState.Disconnected).then(() => zk.waitForConnected(20_000));
    await victim.kill();
    await reconnected;
    expect(zk.connectedServer).not.toBe(victim.connectString);
    expect(zk.sessionId).toBe(sessionId);
    await eventually(async () => {
      try {
        await zk.setData(p, 'after');
        return true;
      } catch (e) {
        if (e instanceof ConnectionLossError) return false;
        throw e;
      }
    }, 20_000, 'write after failover');
    expect((await zk.getData(p)).stat.ephemeralOwner).toBe(sessionId);
  });
});
