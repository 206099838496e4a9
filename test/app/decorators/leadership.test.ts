// @LeaderOnly and @LeadershipHooks on real services in containers made by registerZooKeeper +
// registerCoordination, against zabkit's server: one leader among instances in separate
// sessions, the follower's calls refused (NotLeaderError) or skipped, leadership passing on when
// the leader's container is disposed or its session killed, the hooks called in order with a
// signal that ends with the term, currentLeadership(), and the misuse errors.
import 'reflect-metadata';
import { injectable } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperFramework } from '../../../framework/index.js';
import { killSession } from '../../../framework/testing/index.js';
import { LeadershipLostError, RecipeClosedError } from '../../../recipes/errors.js';
import {
  Coordinated, currentLeadership, DEFAULT_PARTICIPANT_ID, LeaderOnly, LeadershipHooks, NoCurrentLeadershipError,
  NotCoordinatedError, NotLeaderError, type LeadershipContext,
} from '../../../app/index.js';
import { ZABKIT, type Backend } from '../../client/support/backends.js';
import { uniquePath } from '../../client/support/clients.js';
import { eventually, frameworkOf, useScopes } from '../support/scopes.js';

/** A service with leader-only methods on `election` (classes are made per test: each test has its own election). */
function reportsClass(election: string) {
  @injectable()
  @Coordinated()
  class Reports {
    constructor(readonly zk: ZooKeeperFramework) {}

    @LeaderOnly(election)
    async compile(): Promise<{ token: bigint; path: string; id: string }> {
      const term = currentLeadership();
      return { token: term.fencingToken, path: term.electionPath, id: term.participantId };
    }

    @LeaderOnly(election, { otherwise: 'skip' })
    async cleanup(): Promise<string> {
      return 'cleaned';
    }

    @LeaderOnly(election)
    async runUntil(open: Promise<void>, seen: (term: LeadershipContext) => void): Promise<boolean> {
      seen(currentLeadership(election));
      await open;
      return currentLeadership().isLeader;
    }
  }
  return Reports;
}

type Event =
  | { what: 'gained'; term: LeadershipContext; signal: AbortSignal }
  | { what: 'gained-returned' }
  | { what: 'lost'; error: LeadershipLostError | undefined };

function schedulerClass(election: string, log: Event[], options: { holdUntilAborted?: boolean; failGained?: boolean } = {}) {
  @injectable()
  @LeadershipHooks(election, { participantId: 'scheduler' })
  class Scheduler {
    constructor(readonly zk: ZooKeeperFramework) {}

    async onLeadershipGained(signal: AbortSignal, term: LeadershipContext): Promise<void> {
      expect(currentLeadership()).toBe(term);
      log.push({ what: 'gained', term, signal });
      if (options.failGained) throw new Error('gained hook failed');
      if (options.holdUntilAborted) {
        // The leader's work: runs for the whole term and stops when the signal says so.
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => setTimeout(resolve, 30), { once: true }));
        log.push({ what: 'gained-returned' });
      }
    }

    onLeadershipLost(error: LeadershipLostError | undefined): void {
      log.push({ what: 'lost', error });
    }
  }
  return Scheduler;
}

/** Calls compile() on each and says which ones lead (the others must refuse with NotLeaderError). */
async function leaders<T extends { compile(): Promise<unknown> }>(instances: T[]): Promise<T[]> {
  const out: T[] = [];
  for (const instance of instances) {
    try {
      await instance.compile();
      out.push(instance);
    } catch (error) {
      expect(error).toBeInstanceOf(NotLeaderError);
    }
  }
  return out;
}

describe('leadership decorators on zabkit', () => {
  let backend: Backend;
  const open = useScopes();
  beforeAll(async () => {
    backend = await ZABKIT.start();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  it('@LeaderOnly: of three instances in three sessions one leads; the others refuse or skip', async () => {
    const election = uniquePath('election');
    const Reports = reportsClass(election);
    const instances = await Promise.all([0, 1, 2].map(async () => (await open(backend.connectString)).resolve(Reports)));
    await eventually(async () => (await leaders(instances)).length === 1, 'one leader');
    const [leader] = await leaders(instances);
    const followers = instances.filter((i) => i !== leader);
    const refused = await followers[0]!.compile().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NotLeaderError);
    expect(refused).toMatchObject({ member: 'Reports.compile', electionPath: election });
    expect(await followers[1]!.cleanup()).toBeUndefined();
    expect(await leader!.cleanup()).toBe('cleaned');
    const term = await leader!.compile();
    expect(term).toMatchObject({ path: election, id: DEFAULT_PARTICIPANT_ID });
    expect(typeof term.token).toBe('bigint');
    // One participant node per instance, Curator's latch layout.
    const nodes = await leader!.zk.getChildren(election);
    expect(nodes).toHaveLength(3);
    for (const n of nodes) expect(n).toMatch(/^_c_[0-9a-f-]{36}-latch-\d{10}$/);
  });

  it('disposing the leader’s container hands leadership on, with a larger fencing token', async () => {
    const election = uniquePath('election');
    const Reports = reportsClass(election);
    const scopes = await Promise.all([0, 1].map(() => open(backend.connectString)));
    const instances = scopes.map((s) => s.resolve(Reports));
    await eventually(async () => (await leaders(instances)).length === 1, 'one leader');
    const [first] = await leaders(instances);
    const firstToken = (await first!.compile()).token;
    const other = instances.find((i) => i !== first)!;
    await scopes[instances.indexOf(first!)]!.dispose();
    await eventually(async () => (await leaders([other])).length === 1, 'the other leads');
    expect((await other.compile()).token).toBeGreaterThan(firstToken);
    expect(await other.zk.getChildren(election)).toHaveLength(1);
  });

  it('a leader losing its session: the running method’s signal aborts with LeadershipLostError; leadership comes back', async () => {
    const election = uniquePath('election');
    const Reports = reportsClass(election);
    const scope = await open(backend.connectString);
    const reports = scope.resolve(Reports);
    await eventually(async () => (await leaders([reports])).length === 1, 'leads');
    let term!: LeadershipContext;
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const running = reports.runUntil(new Promise<void>((r) => (release = r)), (t) => ((term = t), entered()));
    await inside;
    const before = term.fencingToken;
    await killSession(frameworkOf(scope).client, backend.connectString);
    await eventually(() => term.signal.aborted, 'the term ends');
    expect(term.signal.reason).toBeInstanceOf(LeadershipLostError);
    expect(term.isLeader).toBe(false);
    release();
    expect(await running).toBe(false); // the method saw its leadership end
    // The latch re-enters on the new session and, alone, leads again with a new term.
    await eventually(async () => (await leaders([reports])).length === 1, 'leads again', 30_000);
    expect((await reports.compile()).token).toBeGreaterThan(before);
  });

  it('@LeadershipHooks: gained with a live signal, lost after the term (disposal: undefined, then the next instance gains)', async () => {
    const election = uniquePath('election');
    const logA: Event[] = [];
    const logB: Event[] = [];
    const A = schedulerClass(election, logA);
    const B = schedulerClass(election, logB);
    const scopeA = await open(backend.connectString);
    scopeA.resolve(A);
    await eventually(() => logA.length === 1, 'A gains');
    const scopeB = await open(backend.connectString);
    const b = scopeB.resolve(B);
    expect(logA[0]).toMatchObject({ what: 'gained', term: { electionPath: election, participantId: 'scheduler', isLeader: true } });
    const gained = logA[0] as Extract<Event, { what: 'gained' }>;
    expect(gained.signal.aborted).toBe(false);
    await eventually(async () => (await b.zk.getChildren(election)).length === 2, 'B queued');
    expect(logB).toEqual([]);

    await scopeA.dispose(); // leaves the election: the hooks see a given-up term
    expect(gained.signal.aborted).toBe(true);
    expect(gained.signal.reason).toBeInstanceOf(RecipeClosedError);
    expect(logA.map((e) => e.what)).toEqual(['gained', 'lost']);
    expect(logA[1]).toEqual({ what: 'lost', error: undefined });
    await eventually(() => logB.length === 1, 'B gains');
    const next = logB[0] as Extract<Event, { what: 'gained' }>;
    expect(next.term.fencingToken).toBeGreaterThan(gained.term.fencingToken);
  });

  it('@LeadershipHooks: a killed session ends the term with LeadershipLostError, and leadership is regained', async () => {
    const election = uniquePath('election');
    const log: Event[] = [];
    const Scheduler = schedulerClass(election, log);
    const scope = await open(backend.connectString);
    scope.resolve(Scheduler);
    await eventually(() => log.length === 1, 'gains');
    await killSession(frameworkOf(scope).client, backend.connectString);
    await eventually(() => log.length >= 3, 'lost and gained again', 30_000);
    const [first, lost, again] = log as [Extract<Event, { what: 'gained' }>, Extract<Event, { what: 'lost' }>, Extract<Event, { what: 'gained' }>];
    expect([first.what, lost.what, again.what]).toEqual(['gained', 'lost', 'gained']);
    expect(lost.error).toBeInstanceOf(LeadershipLostError);
    expect(first.signal.reason).toBe(lost.error);
    expect(again.signal.aborted).toBe(false);
    expect(again.term.fencingToken).toBeGreaterThan(first.term.fencingToken);
  });

  it('onLeadershipLost runs only after onLeadershipGained has returned; a failing hook is a warning', async () => {
    const election = uniquePath('election');
    const log: Event[] = [];
    const Scheduler = schedulerClass(election, log, { holdUntilAborted: true });
    const scope = await open(backend.connectString);
    scope.resolve(Scheduler);
    await eventually(() => log.length === 1, 'gains');
    await scope.dispose();
    expect(log.map((e) => e.what)).toEqual(['gained', 'gained-returned', 'lost']);

    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const failing: Event[] = [];
      const Failing = schedulerClass(uniquePath('election'), failing, { failGained: true });
      const other = await open(backend.connectString);
      other.resolve(Failing);
      await eventually(() => warnings.some((w) => w.includes('onLeadershipGained failed: gained hook failed')), 'the warning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a class may combine @LeadershipHooks and @LeaderOnly on one election: one participant per instance', async () => {
    const election = uniquePath('election');
    const gainedAt: bigint[] = [];

    @injectable()
    @LeadershipHooks(election)
    class Both {
      constructor(readonly zk: ZooKeeperFramework) {}
      onLeadershipGained(_signal: AbortSignal, term: LeadershipContext): void {
        gainedAt.push(term.fencingToken);
      }
      @LeaderOnly(election)
      async token(): Promise<bigint> {
        return currentLeadership().fencingToken;
      }
    }

    const both = (await open(backend.connectString)).resolve(Both);
    await eventually(() => gainedAt.length === 1, 'gains');
    expect(await both.token()).toBe(gainedAt[0]);
    expect(await both.zk.getChildren(election)).toHaveLength(1);
  });

  it('misuse: new on a class with elections, currentLeadership() outside, bad declarations', async () => {
    const scope = await open(backend.connectString);
    const Reports = reportsClass(uniquePath('election'));
    expect(() => new Reports(frameworkOf(scope))).toThrow(NotCoordinatedError);
    expect(() => new Reports(frameworkOf(scope))).toThrow(/must be resolved from a tsyringe container prepared with registerCoordination/);
    expect(() => currentLeadership()).toThrow(NoCurrentLeadershipError);
    expect(() => LeaderOnly('no-slash')).toThrow();
    expect(() => LeaderOnly('/e', { otherwise: 'wait' as never })({}, 'm', { value: async () => undefined })).toThrow(/otherwise/);
    class NoHooks {}
    expect(() => LeadershipHooks('/e')(NoHooks as never)).toThrow(/neither onLeadershipGained nor onLeadershipLost/);
  });
});
