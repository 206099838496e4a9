// LeaderSelector on zabkit's server and Apache ZooKeeper 3.8: one takeLeadership at a time, fair
// rotation with autoRequeue, Curator's mutex layout, fencing tokens, requeue, close (queued,
// leading, from inside the callback), interruptLeadership, a throwing callback, and the signal
// aborted on SUSPENDED (standard policy), on LOST (session policy) and when the node is deleted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionState, SessionConnectionStateErrorPolicy, ZooKeeperClient } from '../../../framework/index.js';
import { killSession } from '../../../framework/testing/index.js';
import { LeadershipLostError, RecipeClosedError } from '../../../recipes/errors.js';
import { LeaderSelector, NO_LEADER, type Leadership, type TakeLeadership } from '../../../recipes/leader/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, sleep, uniquePath } from '../../client/support/clients.js';
import { nextConnectionState, useFrameworks } from '../../framework/support/frameworks.js';
import { useClosing } from '../nodes/support.js';
import { LeadershipTimeline } from './support.js';

const LOCK_NODE = /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-lock-(\d{10})$/;

/** A takeLeadership that runs until the test lets it go (or its signal aborts). */
function controlled(): {
  take: TakeLeadership;
  started: Promise<{ signal: AbortSignal; leadership: Leadership }>;
  release(): void;
  ended: Promise<unknown>;
} {
  let onStart!: (v: { signal: AbortSignal; leadership: Leadership }) => void;
  let onEnd!: (reason: unknown) => void;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const started = new Promise<{ signal: AbortSignal; leadership: Leadership }>((resolve) => (onStart = resolve));
  const ended = new Promise<unknown>((resolve) => (onEnd = resolve));
  const take: TakeLeadership = async (signal, leadership) => {
    onStart({ signal, leadership });
    const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([released, aborted]);
    onEnd(signal.aborted ? signal.reason : undefined);
  };
  return { take, started, release, ended };
}

describe.each([ZABKIT, APACHE_STANDALONE])('LeaderSelector on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperClient;
  const open = useFrameworks();
  const closing = useClosing();
  beforeAll(async () => {
    backend = await spec.start();
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterAll(async () => {
    await admin?.close();
    await backend?.stop();
  });

  function selector(...args: ConstructorParameters<typeof LeaderSelector>): LeaderSelector {
    const s = new LeaderSelector(...args);
    closing({ close: () => (s.state === 'STARTED' ? s.close() : Promise.resolve()) });
    return s;
  }

  it('three participants with autoRequeue take turns, one at a time, in a fair rotation with growing tokens', async () => {
    const path = uniquePath('selector');
    const timeline = new LeadershipTimeline();
    const leaders: string[] = [];
    let active = 0;
    let maxActive = 0;
    const selectors: LeaderSelector[] = [];
    const ids = ['s0', 's1', 's2'];
    for (const id of ids) {
      const take: TakeLeadership = async (signal, leadership) => {
        timeline.record(id, { type: 'isLeader', leadership });
        active++;
        maxActive = Math.max(maxActive, active);
        leaders.push(id);
        expect(signal.aborted).toBe(false);
        // Lead until the other two are in line (s1 and s2 joining at first, then the previous
        // leader's requeued node), so that the order of the queue, not how fast a participant
        // joins or requeues, decides who is next.
        while (!signal.aborted && (await admin.getChildren(path).catch(() => ({ children: [] }))).children.length < ids.length) await sleep(10);
        await sleep(40);
        active--;
        timeline.record(id, { type: 'notLeader', leadership, error: undefined });
      };
      const s = selector(await open(backend.connectString), path, take, { id, autoRequeue: true });
      s.start();
      selectors.push(s);
      // s0 holds leadership meanwhile, so n nodes means the first n participants are all in line
      await eventually(async () => ((await admin.getChildren(path).catch(() => ({ children: [] }))).children.length >= selectors.length), 20_000, `${id} queued`);
    }
    await eventually(() => leaders.length >= 10, 30_000, 'ten leaderships');
    await Promise.all(selectors.map((s) => s.close()));
    expect(maxActive).toBe(1);
    expect(timeline.violations).toEqual([]);
    // Fair: each requeues at the back (behind the two already waiting), so every window of three
    // consecutive leaders has all three.
    for (let i = 0; i + 3 <= leaders.length; i++) expect(new Set(leaders.slice(i, i + 3)).size, leaders.join(',')).toBe(3);
    expect(leaders.slice(0, 3)).toEqual(['s0', 's1', 's2']);
    await eventually(async () => (await admin.getChildren(path).catch(() => ({ children: [] }))).children.length === 0, 20_000, 'nodes gone');
  });

  it("Curator's mutex layout; the token is the node's czxid; participants and leader; requeue without autoRequeue", async () => {
    const fw = await open(backend.connectString);
    const path = uniquePath('selector');
    const first = controlled();
    let take = first.take;
    const s = selector(fw, path, (signal, l) => take(signal, l), { id: 'lead' });
    expect(() => s.requeue()).toThrow(/not started/);
    expect(await s.getLeader()).toEqual(NO_LEADER);
    s.start();
    const { signal, leadership } = await first.started;
    expect(s.hasLeadership).toBe(true);
    expect(s.leadership).toBe(leadership);
    const children = (await admin.getChildren(path)).children;
    expect(children).toHaveLength(1);
    expect(children[0]).toMatch(LOCK_NODE);
    const node = `${path}/${children[0]}`;
    const { data, stat } = await admin.getData(node);
    expect(data?.toString()).toBe('lead');
    expect(stat.ephemeralOwner).toBe(fw.client.sessionId);
    expect(leadership.nodePath).toBe(node);
    expect(leadership.fencingToken).toBe(stat.czxid);
    expect(s.requeue()).toBe(false); // leading: nothing to do
    const other = selector(await open(backend.connectString), path, () => undefined, { id: 'wait' });
    other.start();
    await eventually(async () => (await admin.getChildren(path)).children.length === 2, 20_000, 'second queued');
    expect(await s.getParticipants()).toEqual([{ id: 'lead', isLeader: true }, { id: 'wait', isLeader: false }]);
    expect(await other.getLeader()).toEqual({ id: 'lead', isLeader: true });
    await other.close();
    first.release();
    expect(await first.ended).toBeUndefined();
    expect(signal.aborted).toBe(false);
    await eventually(() => !s.hasLeadership, 10_000, 'leadership ended');
    expect(leadership.isHeld).toBe(false);
    await eventually(async () => (await admin.getChildren(path).catch(() => ({ children: [] }))).children.length === 0, 10_000, 'node deleted');
    // Not auto-requeued: it stays out until asked.
    await sleep(200);
    expect(s.hasLeadership).toBe(false);
    const again = controlled();
    take = again.take;
    expect(s.requeue()).toBe(true);
    const second = await again.started;
    expect(second.leadership.fencingToken).toBeGreaterThan(leadership.fencingToken);
    again.release();
    await again.ended;
  });

  it('close(): a queued participant leaves (its node deleted); a leader is aborted with RecipeClosedError and close waits for it to return', async () => {
    const path = uniquePath('selector');
    const leader = controlled();
    const s1 = selector(await open(backend.connectString), path, leader.take, { id: 'one' });
    s1.start();
    await leader.started;
    let queuedRan = false;
    const s2 = selector(await open(backend.connectString), path, () => {
      queuedRan = true;
    }, { id: 'two' });
    s2.start();
    await eventually(async () => (await admin.getChildren(path)).children.length === 2, 20_000, 'second queued');
    await s2.close();
    expect((await admin.getChildren(path)).children).toHaveLength(1);
    await expect(s2.close()).rejects.toThrow(/not started or already closed/);
    expect(() => s2.requeue()).toThrow(/closed/);
    let returned = false;
    void leader.ended.then(() => (returned = true));
    await s1.close();
    expect(returned).toBe(true);
    expect(await leader.ended).toBeInstanceOf(RecipeClosedError);
    expect(s1.hasLeadership).toBe(false);
    expect((await admin.getChildren(path).catch(() => ({ children: [] }))).children).toHaveLength(0);
    expect(queuedRan).toBe(false);
  });

  it('close() from inside takeLeadership does not wait for itself', async () => {
    const path = uniquePath('selector');
    let reason: unknown;
    let closedInside = false;
    const s: LeaderSelector = selector(await open(backend.connectString), path, async (signal) => {
      await s.close();
      closedInside = true;
      reason = signal.reason;
    });
    s.start();
    await eventually(() => closedInside, 20_000, 'closed from inside');
    expect(reason).toBeInstanceOf(RecipeClosedError);
    expect(s.state).toBe('CLOSED');
    await eventually(async () => (await admin.getChildren(path).catch(() => ({ children: [] }))).children.length === 0, 10_000, 'node deleted');
  });

  it('interruptLeadership() aborts the running callback; with autoRequeue the participant queues again', async () => {
    const path = uniquePath('selector');
    const rounds: Array<{ signal: AbortSignal; leadership: Leadership }> = [];
    const s = selector(await open(backend.connectString), path, async (signal, leadership) => {
      rounds.push({ signal, leadership });
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    }, { autoRequeue: true });
    s.interruptLeadership(); // not leading: nothing happens
    s.start();
    await eventually(() => rounds.length === 1, 20_000, 'first leadership');
    s.interruptLeadership();
    expect(rounds[0]!.signal.aborted).toBe(true);
    expect((rounds[0]!.signal.reason as Error).name).toBe('AbortError');
    await eventually(() => rounds.length === 2, 20_000, 'leading again');
    expect(rounds[1]!.leadership.fencingToken).toBeGreaterThan(rounds[0]!.leadership.fencingToken);
    expect(rounds[0]!.leadership.isHeld).toBe(false);
    expect(rounds[0]!.leadership.isLost).toBe(false);
  });

  it('what takeLeadership throws goes to onError; leadership is released and autoRequeue goes on', async () => {
    const path = uniquePath('selector');
    const errors: unknown[] = [];
    let calls = 0;
    const s = selector(await open(backend.connectString), path, () => {
      calls++;
      throw new Error(`boom ${calls}`);
    }, { autoRequeue: true, onError: (e) => errors.push(e) });
    s.start();
    await eventually(() => calls >= 3, 20_000, 'three rounds');
    await s.close();
    expect(errors.slice(0, 3).map((e) => (e as Error).message)).toEqual(['boom 1', 'boom 2', 'boom 3']);
  });

  it('standard policy: a cut connection aborts the leader at SUSPENDED, before anyone else leads', async () => {
    const path = uniquePath('selector');
    const victimFw = await open(backend.connectString);
    const victim = controlled();
    const s1 = selector(victimFw, path, victim.take, { id: 'victim' });
    s1.start();
    const { leadership } = await victim.started;
    const order: string[] = [];
    void victim.ended.then(() => order.push('victim aborted'));
    const heir = controlled();
    void heir.started.then(() => order.push('heir leads'));
    const s2 = selector(await open(backend.connectString), path, heir.take, { id: 'heir' });
    s2.start();
    await eventually(async () => (await admin.getChildren(path)).children.length === 2, 20_000, 'heir queued');
    await killSession(victimFw.client, backend.connectString);
    const reason = await victim.ended;
    expect(reason).toBeInstanceOf(LeadershipLostError);
    expect(['connection-suspended', 'session-lost']).toContain((reason as LeadershipLostError).reason);
    expect(leadership.isLost).toBe(true);
    await heir.started;
    expect(order).toEqual(['victim aborted', 'heir leads']);
    heir.release();
  });

  it('session policy: the leader keeps leading through SUSPENDED and is interrupted on LOST (session-lost)', async () => {
    const path = uniquePath('selector');
    const fw = await open(backend.connectString, { connectionStateErrorPolicy: new SessionConnectionStateErrorPolicy() });
    const victim = controlled();
    const s = selector(fw, path, victim.take, { id: 'victim' });
    s.start();
    const { signal } = await victim.started;
    const lost = nextConnectionState(fw, ConnectionState.LOST);
    const states: string[] = [];
    fw.connectionState$.subscribe((state) => states.push(`${state}:${signal.aborted}`));
    await killSession(fw.client, backend.connectString);
    await lost;
    const reason = await victim.ended;
    expect(reason).toBeInstanceOf(LeadershipLostError);
    expect((reason as LeadershipLostError).reason).toBe('session-lost');
    expect(states).toContain('SUSPENDED:false');
  });

  it("the leader's node deleted by someone else aborts it (node-deleted)", async () => {
    const path = uniquePath('selector');
    const victim = controlled();
    const s = selector(await open(backend.connectString), path, victim.take);
    s.start();
    const { leadership } = await victim.started;
    await admin.delete(leadership.nodePath);
    const reason = await victim.ended;
    expect(reason).toBeInstanceOf(LeadershipLostError);
    expect((reason as LeadershipLostError).reason).toBe('node-deleted');
  });

  it('rejects bad arguments', async () => {
    const fw = await open(backend.connectString);
    expect(() => new LeaderSelector(fw, 'no-slash', () => undefined)).toThrow(/BadArguments/);
    expect(() => new LeaderSelector(fw, '/x', undefined as unknown as TakeLeadership)).toThrow(/takeLeadership/);
    const s = new LeaderSelector(fw, '/x', () => undefined);
    expect(() => s.setId(3 as unknown as string)).toThrow(TypeError);
    await expect(s.close()).rejects.toThrow(/not started/);
  });
});
