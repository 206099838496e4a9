// The framework through real connection faults (a TCP proxy between it and the server): the
// state stream through disconnect -> SUSPENDED -> RECONNECTED, through a real session expiry and
// through simulated expiry -> LOST -> RECONNECTED on a new session; operations riding out a
// disconnect in the retry loop; guaranteed deletes finishing after the connection is back.
// Run on zabkit and Apache ZooKeeper 3.8.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionLossError, ConnectionState, CreateMode, KeeperState, RetryNTimes, RetryUntilElapsed, SessionExpiredError,
  SessionFailedRetryPolicy, ZooKeeperClient, type ConnectionState as State,
} from '../../framework/index.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../client/support/backends.js';
import { eventually, FAST, sleep, uniquePath } from '../client/support/clients.js';
import { expireSession } from '../client/support/faults.js';
import { nextConnectionState, useFrameworks } from './support/frameworks.js';

const { CONNECTED, SUSPENDED, RECONNECTED, LOST } = ConnectionState;

describe.each([ZABKIT, APACHE_STANDALONE])('connection faults on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperClient;
  const proxies: TcpProxy[] = [];
  beforeAll(async () => {
    backend = await spec.start();
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterAll(async () => {
    await admin?.close();
    await backend?.stop();
  });
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });
  const open = useFrameworks();
  const proxy = async (): Promise<TcpProxy> => {
    const p = await startTcpProxy({ port: backend.servers[0]!.port });
    proxies.push(p);
    return p;
  };
  const record = (states$: { subscribe(fn: (s: State) => void): unknown }): State[] => {
    const seen: State[] = [];
    states$.subscribe((s) => seen.push(s));
    return seen;
  };

  it('disconnect -> SUSPENDED -> RECONNECTED on the same session', async () => {
    const px = await proxy();
    const zk = await open(px.connectString, { sessionTimeoutMs: 10_000 });
    const seen = record(zk.connectionState$);
    const session = zk.client.sessionId;
    px.refuse(true);
    px.dropConnections();
    await nextConnectionState(zk, SUSPENDED, 10_000, true);
    expect(zk.isConnected).toBe(false);
    expect(zk.isErrorState(SUSPENDED)).toBe(true);
    await sleep(300);
    px.refuse(false);
    await nextConnectionState(zk, RECONNECTED);
    expect(seen).toEqual([CONNECTED, SUSPENDED, RECONNECTED]);
    expect(zk.client.sessionId).toBe(session);
  });

  it('a real session expiry -> LOST, then RECONNECTED on a new session; ops continue on it', async () => {
    const px = await proxy();
    const zk = await open(px.connectString, { sessionTimeoutMs: 6000, simulatedSessionExpirationPercent: 0 });
    const seen = record(zk.connectionState$);
    const p = uniquePath('exp');
    await zk.create(p, 'eph', { mode: CreateMode.EPHEMERAL });
    const oldClient = zk.client;
    const oldSession = oldClient.sessionId;
    const lost = nextConnectionState(zk, LOST);
    await expireSession(oldClient, px, backend.connectString);
    await lost;
    expect(oldClient.phase).not.toBe('connected');
    await nextConnectionState(zk, RECONNECTED, 30_000, true);
    expect(seen).toEqual([CONNECTED, SUSPENDED, LOST, RECONNECTED]);
    expect(zk.client).not.toBe(oldClient);
    expect(zk.client.sessionId).not.toBe(oldSession);
    expect(await zk.exists(p)).toBeNull(); // the old session's ephemeral is gone
    expect(await zk.create(p, 'again', { mode: CreateMode.EPHEMERAL })).toBe(p);
    expect((await admin.exists(p))?.ephemeralOwner).toBe(zk.client.sessionId);
  });

  it('simulated expiry: SUSPENDED for the negotiated session timeout -> LOST while the server is still unreachable', async () => {
    const px = await proxy();
    const zk = await open(px.connectString, { sessionTimeoutMs: 4000 });
    const seen = record(zk.connectionState$);
    const oldSession = zk.client.sessionId;
    expect(zk.client.negotiatedSessionTimeoutMs).toBe(4000);
    px.refuse(true);
    px.dropConnections();
    const suspendedAt = Date.now();
    await nextConnectionState(zk, LOST, 20_000, true);
    const lostAfter = Date.now() - suspendedAt;
    expect(lostAfter).toBeGreaterThanOrEqual(3500); // not before the session timeout (some slack for timer granularity)
    expect(seen).toEqual([CONNECTED, SUSPENDED, LOST]); // no server was reachable: the framework decided
    px.refuse(false);
    await nextConnectionState(zk, RECONNECTED, 30_000, true);
    expect(zk.client.sessionId).not.toBe(oldSession);
    expect(seen).toEqual([CONNECTED, SUSPENDED, LOST, RECONNECTED]);
  });

  it('with simulated expiry off, a long disconnect stays SUSPENDED until the server says Expired', async () => {
    const px = await proxy();
    const zk = await open(px.connectString, { sessionTimeoutMs: 4000, simulatedSessionExpirationPercent: 0 });
    const seen = record(zk.connectionState$);
    const client = zk.client;
    const sessionStates: number[] = [];
    client.state$.subscribe((e) => sessionStates.push(e.state));
    const marker = uniquePath('eph');
    await zk.create(marker, '', { mode: CreateMode.EPHEMERAL });
    px.refuse(true);
    px.dropConnections();
    // The server expires the session (its ephemeral goes) after the 4 s timeout; the framework,
    // unable to reach it, stays SUSPENDED all along.
    await eventually(async () => (await admin.exists(marker)) === null, 30_000, 'session expired on the server');
    expect(seen).toEqual([CONNECTED, SUSPENDED]);
    px.refuse(false);
    await nextConnectionState(zk, RECONNECTED, 30_000, true);
    expect(sessionStates).toContain(KeeperState.Expired);
    expect(seen).toEqual([CONNECTED, SUSPENDED, LOST, RECONNECTED]);
  });

  it('operations wait out a short disconnect in the retry loop', async () => {
    const px = await proxy();
    const zk = await open(px.connectString, { sessionTimeoutMs: 10_000, connectionTimeoutMs: 10_000 });
    const p = uniquePath('retry');
    await zk.create(p, 'x');
    px.refuse(true);
    px.dropConnections();
    await nextConnectionState(zk, SUSPENDED, 10_000, true);
    const read = zk.getData(p);
    const write = zk.setData(p, 'y');
    await sleep(500);
    px.refuse(false);
    expect((await read).data?.toString()).toBe('x');
    expect((await write).version).toBe(1);
  });

  it('an operation fails with ConnectionLossError once the policy gives up', async () => {
    const px = await proxy();
    const zk = await open(px.connectString, {
      sessionTimeoutMs: 20_000,
      connectionTimeoutMs: 300,
      retryPolicy: new RetryUntilElapsed({ maxElapsedTimeMs: 1000, sleepMsBetweenRetries: 100 }),
    });
    px.refuse(true);
    px.dropConnections();
    await nextConnectionState(zk, SUSPENDED, 10_000, true);
    const attempts: number[] = [];
    const started = Date.now();
    await expect(zk.withRetry(async (client) => {
      attempts.push(Date.now() - started);
      return client.getData('/');
    })).rejects.toBeInstanceOf(ConnectionLossError);
    // Every attempt waited 300 ms for a connection and never reached the operation.
    expect(attempts).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    px.refuse(false);
  });

  it.each([
    ['the default policy retries it on the new session', false],
    ['SessionFailedRetryPolicy makes it fail with SessionExpiredError', true],
  ])('an op waiting while the session expires: %s', async (_name, sessionFailed) => {
    const px = await proxy();
    const retries = new RetryNTimes({ n: 5, sleepMsBetweenRetries: 100 });
    const zk = await open(px.connectString, {
      sessionTimeoutMs: 6000,
      connectionTimeoutMs: 20_000,
      simulatedSessionExpirationPercent: 0,
      retryPolicy: sessionFailed ? new SessionFailedRetryPolicy(retries) : retries,
    });
    const p = uniquePath('sf');
    await zk.create(p, 'x');
    const oldClient = zk.client;
    px.refuse(true);
    px.dropConnections();
    await nextConnectionState(zk, SUSPENDED, 10_000, true);
    const outcome = zk.getData(p).then((r) => r.data?.toString(), (e: unknown) => e);
    // Kills the session from outside while the proxy keeps the framework away, then lets it back:
    // the framework's reconnect is answered "session expired".
    await expireSession(oldClient, px, backend.connectString);
    const result = await outcome;
    if (sessionFailed) expect(result).toBeInstanceOf(SessionExpiredError);
    else expect(result).toBe('x');
    await nextConnectionState(zk, RECONNECTED, 30_000, true);
    expect(zk.client.sessionId).not.toBe(oldClient.sessionId);
  });

  it('guaranteed delete: fails while disconnected, then completes in the background once reconnected', async () => {
    const px = await proxy();
    const zk = await open(px.connectString, {
      sessionTimeoutMs: 20_000,
      connectionTimeoutMs: 300,
      retryPolicy: new RetryNTimes({ n: 1, sleepMsBetweenRetries: 50 }),
    });
    const p = uniquePath('gd');
    await zk.create(`${p}/child`, 'x', { creatingParentsIfNeeded: true });
    px.refuse(true);
    px.dropConnections();
    await nextConnectionState(zk, SUSPENDED, 10_000, true);
    await expect(zk.delete(p, { guaranteed: true, deletingChildrenIfNeeded: true })).rejects.toBeInstanceOf(ConnectionLossError);
    expect(zk.pendingGuaranteedDeletes).toEqual([p]);
    await sleep(1000);
    expect(await admin.exists(p)).not.toBeNull();
    px.refuse(false);
    await eventually(async () => (await admin.exists(p)) === null, 20_000, 'guaranteed delete done');
    await eventually(() => zk.pendingGuaranteedDeletes.length === 0, 5000, 'pending list emptied');
    // A non-guaranteed delete is not retried in the background.
    await zk.create(p, 'x');
    px.refuse(true);
    px.dropConnections();
    await nextConnectionState(zk, SUSPENDED, 10_000, true);
    await expect(zk.delete(p)).rejects.toBeInstanceOf(ConnectionLossError);
    expect(zk.pendingGuaranteedDeletes).toEqual([]);
    px.refuse(false);
    await nextConnectionState(zk, RECONNECTED, 10_000, true);
    expect(await admin.exists(p)).not.toBeNull();
  });

  it('guaranteed delete survives a session expiry (retried on the new session)', async () => {
    const px = await proxy();
    const zk = await open(px.connectString, {
      sessionTimeoutMs: 4000,
      connectionTimeoutMs: 300,
      retryPolicy: new RetryNTimes({ n: 1, sleepMsBetweenRetries: 50 }),
    });
    const p = uniquePath('gd');
    await zk.create(p, 'x');
    px.refuse(true);
    px.dropConnections();
    await nextConnectionState(zk, SUSPENDED, 10_000, true);
    await expect(zk.delete(p, { guaranteed: true })).rejects.toBeInstanceOf(ConnectionLossError);
    await nextConnectionState(zk, LOST, 20_000, true); // simulated expiry: a new session is started
    px.refuse(false);
    await eventually(async () => (await admin.exists(p)) === null, 30_000, 'guaranteed delete done on the new session');
    await eventually(() => zk.pendingGuaranteedDeletes.length === 0, 10_000, 'no guaranteed delete pending');
  });
});
