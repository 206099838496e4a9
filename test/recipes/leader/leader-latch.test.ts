// LeaderLatch on zabkit's server and Apache ZooKeeper 3.8: Curator's layout, one leader at a
// time handing over in node order, await with timeout / AbortSignal, close modes, fencing tokens,
// and what happens when the leader's node is deleted, its connection is cut (standard and
// session error policies; the old node deleted before a fresh one is made) and its session is killed.
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateMode, Ids, NoAuthError, NoNodeError, OPEN_ACL_UNSAFE, Perms, SessionConnectionStateErrorPolicy, ZooKeeperClient, ConnectionState,
} from '../../../framework/index.js';
import { killSession } from '../../../framework/testing/index.js';
import { LeadershipLostError } from '../../../recipes/errors.js';
import { LeaderLatch, LeaderLatchCloseMode, NO_LEADER, type LeadershipEvent } from '../../../recipes/leader/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, sleep, uniquePath } from '../../client/support/clients.js';
import { nextConnectionState, useFrameworks } from '../../framework/support/frameworks.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { ascending, dataWatchesUnder } from '../../support/curator/observe.js';
import { useClosing } from '../nodes/support.js';
import { LeadershipTimeline } from './support.js';

const LATCH_NODE = /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-latch-(\d{10})$/;

describe.each([ZABKIT, APACHE_STANDALONE])('LeaderLatch on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperClient;
  const open = useFrameworks();
  const closing = useClosing();
  const proxies: TcpProxy[] = [];
  beforeAll(async () => {
    backend = await spec.start();
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await admin?.close();
    await backend?.stop();
  });

  /** A latch closed after the test (unless the test closed it). */
  function latch(...args: ConstructorParameters<typeof LeaderLatch>): LeaderLatch {
    const l = new LeaderLatch(...args);
    closing({ close: () => (l.state === 'STARTED' ? l.close() : Promise.resolve()) });
    return l;
  }

  async function proxied(): Promise<TcpProxy> {
    const proxy = await startTcpProxy({ port: backend.servers[0]!.port });
    proxies.push(proxy);
    return proxy;
  }

  it("a lone participant leads: Curator's layout, the node's czxid as fencing token, participants and leader", async () => {
    const fw = await open(backend.connectString);
    const path = uniquePath('latch');
    const l = latch(fw, path, { id: 'solo' });
    expect(await l.await({ timeoutMs: 0 })).toBe(false); // not started
    expect(await l.getLeader()).toEqual(NO_LEADER);
    l.start();
    expect(() => l.start()).toThrow(/more than once/);
    expect(await l.await({ timeoutMs: 20_000 })).toBe(true);
    expect(l.hasLeadership).toBe(true);
    const children = (await admin.getChildren(path)).children;
    expect(children).toHaveLength(1);
    expect(children[0]).toMatch(LATCH_NODE);
    expect(LATCH_NODE.exec(children[0]!)![1]).toBe('0000000000');
    const node = `${path}/${children[0]}`;
    const { data, stat } = await admin.getData(node);
    expect(data?.toString()).toBe('solo');
    expect(stat.ephemeralOwner).toBe(fw.client.sessionId);
    expect((await admin.exists(path))?.ephemeralOwner).toBe(0n); // a container
    const term = l.leadership!;
    expect(term.nodePath).toBe(node);
    expect(term.fencingToken).toBe(stat.czxid);
    expect(term.sessionId).toBe(fw.client.sessionId);
    expect(term.isHeld).toBe(true);
    expect(l.ourPath).toBe(node);
    expect(l.lastPathIsLeader).toBe(node);
    expect(await l.getParticipants()).toEqual([{ id: 'solo', isLeader: true }]);
    expect(await l.getLeader()).toEqual({ id: 'solo', isLeader: true });
    await l.close();
    expect(l.state).toBe('CLOSED');
    expect(l.hasLeadership).toBe(false);
    expect(term.isHeld).toBe(false);
    expect(term.isLost).toBe(false);
    expect(term.lostSignal.aborted).toBe(false);
    expect(await admin.exists(node)).toBeNull();
    await expect(l.close()).rejects.toThrow(/not started or already closed/);
    expect(await l.await({ timeoutMs: 1000 })).toBe(false);
  });

  it('three participants: one leader at a time, all agree on the participants, closing the leader hands over in node order with growing tokens', async () => {
    const path = uniquePath('latch');
    const timeline = new LeadershipTimeline();
    const latches: LeaderLatch[] = [];
    for (const id of ['p0', 'p1', 'p2']) {
      const l = latch(await open(backend.connectString), path, { id });
      timeline.follow(id, l);
      l.start();
      latches.push(l);
      // start() creates the node in the background: keep the order by waiting for each node.
      await eventually(async () => ((await admin.getChildren(path).catch(() => ({ children: [] }))).children.length === latches.length), 20_000, `${id}'s node`);
    }
    expect(await latches[0]!.await({ timeoutMs: 20_000 })).toBe(true);
    expect(latches.map((l) => l.hasLeadership)).toEqual([true, false, false]);
    const everyone = [{ id: 'p0', isLeader: true }, { id: 'p1', isLeader: false }, { id: 'p2', isLeader: false }];
    for (const l of latches) expect(await l.getParticipants()).toEqual(everyone);

    await latches[0]!.close();
    expect(await latches[1]!.await({ timeoutMs: 20_000 })).toBe(true);
    expect(latches[2]!.hasLeadership).toBe(false);
    expect(await latches[2]!.getParticipants()).toEqual([{ id: 'p1', isLeader: true }, { id: 'p2', isLeader: false }]);
    await latches[1]!.close();
    expect(await latches[2]!.await({ timeoutMs: 20_000 })).toBe(true);
    expect(await latches[2]!.getLeader()).toEqual({ id: 'p2', isLeader: true });
    await latches[2]!.close();

    expect(timeline.violations).toEqual([]);
    expect(timeline.entries.filter((e) => e.type === 'isLeader').map((e) => e.participant)).toEqual(['p0', 'p1', 'p2']);
  });

  it('waiters watch only their predecessor; closing waiters and the leader leaves no node and no watch behind', async () => {
    const path = uniquePath('latch');
    const fws = [await open(backend.connectString), await open(backend.connectString), await open(backend.connectString)];
    const latches = fws.map((fw, i) => latch(fw, path, { id: `w${i}` }));
    for (const [i, l] of latches.entries()) {
      l.start();
      await eventually(async () => (await admin.getChildren(path).catch(() => ({ children: [] }))).children.length === i + 1, 20_000, `node ${i}`);
    }
    expect(await latches[0]!.await({ timeoutMs: 20_000 })).toBe(true);
    const port = backend.servers[0]!.port;
    const nodes = latches.map((l) => l.ourPath!);
    const expected = new Map([
      [nodes[0]!, [fws[0]!.client.sessionId, fws[1]!.client.sessionId].sort(ascending)], // the leader watches its own node
      [nodes[1]!, [fws[2]!.client.sessionId]],
    ]);
    let seen = new Map<string, bigint[]>();
    await eventually(async () => isDeepStrictEqual((seen = await dataWatchesUnder(port, path)), expected), 10_000, 'watches').catch(() => undefined);
    expect(seen).toEqual(expected);
    await latches[1]!.close(); // a waiter in the middle: w2 now waits for w0
    await latches[2]!.close();
    await latches[0]!.close();
    await eventually(async () => (await dataWatchesUnder(port, path)).size === 0, 10_000, 'no watches left').catch(() => undefined);
    expect(await dataWatchesUnder(port, path)).toEqual(new Map());
    expect((await admin.getChildren(path).catch(() => ({ children: [] }))).children).toEqual([]);
  });

  it('await: times out with false, rejects when aborted, resolves false when the latch closes meanwhile', async () => {
    const path = uniquePath('latch');
    const leader = latch(await open(backend.connectString), path, { id: 'leader' });
    leader.start();
    expect(await leader.await({ timeoutMs: 20_000 })).toBe(true);
    const waiter = latch(await open(backend.connectString), path, { id: 'waiter' });
    waiter.start();
    expect(await waiter.await({ timeoutMs: 300 })).toBe(false);
    const controller = new AbortController();
    const aborted = waiter.await({ signal: controller.signal });
    controller.abort(new Error('stop waiting'));
    await expect(aborted).rejects.toThrow('stop waiting');
    await expect(waiter.await({ signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
    await expect(waiter.await({ timeoutMs: -1 })).rejects.toThrow(RangeError);
    const pending = waiter.await();
    await waiter.close();
    expect(await pending).toBe(false);
    expect(leader.hasLeadership).toBe(true);
  });

  it('close modes: SILENT tells the listeners nothing, NOTIFY_LEADER sends notLeader; either way the term is given up, not lost', async () => {
    for (const mode of [LeaderLatchCloseMode.SILENT, LeaderLatchCloseMode.NOTIFY_LEADER]) {
      const l = latch(await open(backend.connectString), uniquePath('latch'), { id: mode, closeMode: mode });
      const events: LeadershipEvent[] = [];
      let completed = false;
      l.leadership$.subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
      l.start();
      expect(await l.await({ timeoutMs: 20_000 })).toBe(true);
      const term = l.leadership!;
      const losses: unknown[] = [];
      let lostCompleted = false;
      term.lost$.subscribe({ next: (e) => losses.push(e), complete: () => (lostCompleted = true) });
      await l.close();
      expect(events.map((e) => e.type)).toEqual(mode === LeaderLatchCloseMode.SILENT ? ['isLeader'] : ['isLeader', 'notLeader']);
      if (mode === LeaderLatchCloseMode.NOTIFY_LEADER) expect(events[1]).toMatchObject({ type: 'notLeader', error: undefined });
      expect(completed).toBe(true);
      expect(losses).toEqual([]);
      expect(lostCompleted).toBe(true);
      expect(term.lostSignal.aborted).toBe(false);
    }
    // close(mode) overrides the latch's mode.
    const l = latch(await open(backend.connectString), uniquePath('latch'), { closeMode: LeaderLatchCloseMode.SILENT });
    const types: string[] = [];
    l.leadership$.subscribe((e) => types.push(e.type));
    l.start();
    expect(await l.await({ timeoutMs: 20_000 })).toBe(true);
    await l.close(LeaderLatchCloseMode.NOTIFY_LEADER);
    expect(types).toEqual(['isLeader', 'notLeader']);
  });

  it("the leader's node deleted by someone else: leadership ends at once (node-deleted) and the latch re-enters with a fresh node", async () => {
    const fw = await open(backend.connectString);
    const path = uniquePath('latch');
    const l = latch(fw, path, { id: 'x' });
    l.start();
    expect(await l.await({ timeoutMs: 20_000 })).toBe(true);
    const first = l.leadership!;
    await admin.delete(first.nodePath);
    const error = await new Promise<unknown>((resolve) => first.lost$.subscribe(resolve));
    expect(error).toBeInstanceOf(LeadershipLostError);
    expect((error as LeadershipLostError).reason).toBe('node-deleted');
    expect(first.lostSignal.reason).toBe(error);
    await eventually(() => l.hasLeadership && l.leadership !== first, 20_000, 'leading again');
    const second = l.leadership!;
    expect(second.nodePath).not.toBe(first.nodePath);
    expect(second.fencingToken).toBeGreaterThan(first.fencingToken);
    expect((await admin.getChildren(path)).children).toHaveLength(1);
  });

  it('connection cut (standard policy): SUSPENDED ends leadership at once; on RECONNECTED the latch re-enters with a fresh node', async () => {
    const proxy = await proxied();
    const fw = await open(proxy.connectString);
    const path = uniquePath('latch');
    const l = latch(fw, path, { id: 'cut' });
    l.start();
    expect(await l.await({ timeoutMs: 20_000 })).toBe(true);
    const first = l.leadership!;
    const states: string[] = [];
    fw.connectionState$.subscribe((s) => states.push(`${s}:${l.hasLeadership}`));
    const reconnected = nextConnectionState(fw, ConnectionState.RECONNECTED);
    proxy.dropConnections();
    await reconnected;
    expect(first.isLost).toBe(true);
    expect(first.lostError?.reason).toBe('connection-suspended');
    expect(states).toContain('SUSPENDED:false'); // lost by the time SUSPENDED was seen
    await eventually(() => l.hasLeadership, 20_000, 'leading again');
    const second = l.leadership!;
    expect(second.nodePath).not.toBe(first.nodePath);
    expect(second.sessionId).toBe(first.sessionId); // same session, fresh node
    expect(second.fencingToken).toBeGreaterThan(first.fencingToken);
    await eventually(async () => (await admin.getChildren(path)).children.length === 1, 20_000, 'old node deleted');
  });

  it('re-entering deletes the old node before creating a fresh one; a delete refused (NoAuth) is reported and retried first on the next RECONNECTED, never two nodes', async () => {
    const proxy = await proxied();
    const fw = await open(proxy.connectString);
    const path = uniquePath('latch');
    const errors: unknown[] = [];
    let reported: (() => void) | undefined;
    const l = latch(fw, path, { id: 'stuck', onError: (e) => { errors.push(e); reported?.(); } });
    l.start();
    expect(await l.await({ timeoutMs: 20_000 })).toBe(true);
    const old = l.ourPath!;
    const oldToken = l.leadership!.fencingToken;
    // DELETE is checked on the parent: the latch may still create in it, but not delete its node.
    await admin.setACL(path, [{ perms: Perms.ALL & ~Perms.DELETE, id: Ids.ANYONE_ID_UNSAFE }]);
    const refused = new Promise<void>((resolve) => (reported = resolve));
    let reconnected = nextConnectionState(fw, ConnectionState.RECONNECTED);
    proxy.dropConnections(); // standard policy: SUSPENDED is an error state, RECONNECTED re-enters
    await reconnected;
    await refused;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(NoAuthError);
    // Read on the latch's own session: ordered after any create it sent before the refusal came back.
    expect(await fw.getChildren(path)).toEqual([old.slice(path.length + 1)]);
    expect(l.ourPath).toBeUndefined();
    expect(l.hasLeadership).toBe(false);

    await admin.setACL(path, OPEN_ACL_UNSAFE);
    reconnected = nextConnectionState(fw, ConnectionState.RECONNECTED);
    proxy.dropConnections();
    await reconnected;
    await eventually(() => l.hasLeadership, 20_000, 'leading again');
    const fresh = l.ourPath!;
    expect(fresh).not.toBe(old);
    expect(l.leadership!.fencingToken).toBeGreaterThan(oldToken);
    expect(await fw.getChildren(path)).toEqual([fresh.slice(path.length + 1)]);
    expect(errors).toHaveLength(1);
  });

  it('close() after a refused delete of the old node deletes that node too', async () => {
    const proxy = await proxied();
    const fw = await open(proxy.connectString);
    const path = uniquePath('latch');
    let reported: (() => void) | undefined;
    const l = latch(fw, path, { id: 'left', onError: () => reported?.() });
    l.start();
    expect(await l.await({ timeoutMs: 20_000 })).toBe(true);
    await admin.setACL(path, [{ perms: Perms.ALL & ~Perms.DELETE, id: Ids.ANYONE_ID_UNSAFE }]);
    const refused = new Promise<void>((resolve) => (reported = resolve));
    proxy.dropConnections();
    await refused;
    await admin.setACL(path, OPEN_ACL_UNSAFE);
    await l.close();
    expect(await fw.getChildren(path).catch((e: unknown) => (e instanceof NoNodeError ? [] : Promise.reject(e)))).toEqual([]);
  });

  it('connection cut (session policy): leadership survives a SUSPENDED that ends in RECONNECTED, same node and token', async () => {
    const proxy = await proxied();
    const fw = await open(proxy.connectString, { connectionStateErrorPolicy: new SessionConnectionStateErrorPolicy() });
    const l = latch(fw, uniquePath('latch'), { id: 'calm' });
    const events: string[] = [];
    l.leadership$.subscribe((e) => events.push(e.type));
    l.start();
    expect(await l.await({ timeoutMs: 20_000 })).toBe(true);
    const term = l.leadership!;
    const reconnected = nextConnectionState(fw, ConnectionState.RECONNECTED);
    proxy.dropConnections();
    await reconnected;
    await sleep(300); // the re-check after RECONNECTED
    expect(l.hasLeadership).toBe(true);
    expect(l.leadership).toBe(term);
    expect(term.isHeld).toBe(true);
    expect(events).toEqual(['isLeader']);
  });

  it('session killed: the leader loses before the next participant leads; it re-enters on its new session behind the new leader', async () => {
    const path = uniquePath('latch');
    const timeline = new LeadershipTimeline();
    const victimFw = await open(backend.connectString);
    const victim = latch(victimFw, path, { id: 'victim' });
    timeline.follow('victim', victim);
    victim.start();
    expect(await victim.await({ timeoutMs: 20_000 })).toBe(true);
    const heir = latch(await open(backend.connectString), path, { id: 'heir' });
    timeline.follow('heir', heir);
    heir.start();
    await eventually(async () => (await admin.getChildren(path)).children.length === 2, 20_000, "heir's node");
    const term = victim.leadership!;
    const oldSession = victimFw.client.sessionId;
    await killSession(victimFw.client, backend.connectString);
    expect(await heir.await({ timeoutMs: 20_000 })).toBe(true);
    expect(term.isLost).toBe(true);
    expect(['connection-suspended', 'session-lost']).toContain(term.lostError?.reason);
    await eventually(async () => {
      const participants = await heir.getParticipants();
      return participants.length === 2 && participants[1]?.id === 'victim';
    }, 30_000, 'victim re-entered');
    expect(victimFw.client.sessionId).not.toBe(oldSession);
    expect(victim.hasLeadership).toBe(false);
    expect(await victim.getParticipants()).toEqual([{ id: 'heir', isLeader: true }, { id: 'victim', isLeader: false }]);
    expect(timeline.violations).toEqual([]);
    const order = timeline.entries.map((e) => `${e.participant}:${e.type}`);
    expect(order.slice(0, 3)).toEqual(['victim:isLeader', 'victim:notLeader', 'heir:isLeader']);
    // The victim's new node is owned by its new session.
    const victimNode = victim.ourPath!;
    expect((await admin.exists(victimNode))?.ephemeralOwner).toBe(victimFw.client.sessionId);
  });

  it('a node left by a dead session (still first in line) blocks leadership until the server removes it', async () => {
    const path = uniquePath('latch');
    const squatter = await ZooKeeperClient.connect(backend.connectString, { ...FAST, sessionTimeoutMs: 4000 });
    await squatter.create(path);
    await squatter.create(`${path}/_c_00000000-0000-4000-8000-000000000000-latch-`, 'ghost', { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
    const l = latch(await open(backend.connectString), path, { id: 'live' });
    l.start();
    expect(await l.await({ timeoutMs: 500 })).toBe(false);
    expect(await l.getLeader()).toEqual({ id: 'ghost', isLeader: true });
    await killSession(squatter, backend.connectString);
    await squatter.close();
    expect(await l.await({ timeoutMs: 20_000 })).toBe(true);
  });

  it("works in a framework's namespace: participants from the application's path, a deleted node is noticed", async () => {
    const ns = uniquePath('ns').slice(1);
    const fw = await open(backend.connectString, { namespace: ns });
    const l = latch(fw, '/election', { id: 'ns' });
    l.start();
    expect(await l.await({ timeoutMs: 20_000 })).toBe(true);
    const term = l.leadership!;
    expect(term.nodePath.startsWith('/election/_c_')).toBe(true);
    expect(await l.getParticipants()).toEqual([{ id: 'ns', isLeader: true }]);
    await admin.delete(`/${ns}${term.nodePath}`);
    await eventually(() => term.isLost, 20_000, 'loss noticed');
    expect(term.lostError?.reason).toBe('node-deleted');
    expect(await l.await({ timeoutMs: 20_000 })).toBe(true);
  });

  it('closing the framework ends leadership (framework-closed); await then resolves false at once', async () => {
    const fw = await open(backend.connectString);
    const l = latch(fw, uniquePath('latch'));
    l.start();
    expect(await l.await({ timeoutMs: 20_000 })).toBe(true);
    const term = l.leadership!;
    await fw.close();
    expect(term.lostError?.reason).toBe('framework-closed');
    expect(term.lostSignal.aborted).toBe(true);
    expect(l.hasLeadership).toBe(false);
    expect(await l.await({ timeoutMs: 20_000 })).toBe(false);
    await l.close();
  });

  it('rejects bad arguments', async () => {
    const fw = await open(backend.connectString);
    expect(() => new LeaderLatch(fw, 'no-slash')).toThrow(/BadArguments/);
    expect(() => new LeaderLatch(fw, '/x', { closeMode: 'LOUD' as LeaderLatchCloseMode })).toThrow(/close mode/);
  });
});
