// zabkit's locks and real Apache Curator 5.4 (Java agents, see test/support/curator-agent.ts)
// contending for the SAME locks, on zabkit's server and on Apache ZooKeeper 3.8: InterProcessMutex
// (mutual exclusion and token order over many rounds with a shared holders counter and a
// lost-update counter), InterProcessReadWriteLock (no writer beside anyone, in either language)
// and InterProcessSemaphoreV2 (never more than maxLeases); and the nodes zabkit creates look
// exactly like Curator's — names, protection prefix, mode, data, container parents, and who
// watches whom across the two languages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperClient, type ZooKeeperFramework } from '../../framework/index.js';
import { killSession } from '../../framework/testing/index.js';
import { InterProcessMutex, InterProcessReadWriteLock, InterProcessSemaphoreV2 } from '../../recipes/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../client/support/backends.js';
import { FAST, uniquePath } from '../client/support/clients.js';
import { useFrameworks } from '../framework/support/frameworks.js';
import { startCuratorAgent, type CuratorAgent } from '../support/curator-agent.js';
import { ascending, dataWatchesUnder, inSequenceOrder, layoutOf, track } from '../support/curator/observe.js';
import { childrenOf, expectDataWatches, Holders, waitChildren } from '../recipes/locks/support.js';

describe.each([ZABKIT, APACHE_STANDALONE])('zabkit locks and Apache Curator 5.4 on one path, on $name', (spec) => {
  let backend: Backend;
  let zk: ZooKeeperClient;
  let agents: CuratorAgent[] = [];
  /** Curator's default node data (the agent host's address); zabkit frameworks here use the same. */
  let localAddress: string;
  const open = useFrameworks();

  beforeAll(async () => {
    backend = await spec.start();
    const started = await Promise.allSettled(
      ['a', 'b'].map((name) => startCuratorAgent(backend.connectString, { label: `curator-${name}@${spec.name}` })),
    );
    agents = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    zk = await ZooKeeperClient.connect(backend.connectString, FAST);
    localAddress = (await agent(0).session()).localAddress;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await zk?.close();
    await backend?.stop();
  });

  function agent(i: number): CuratorAgent {
    const a = agents[i];
    if (!a) throw new Error(`agent ${i} did not start`);
    return a;
  }

  const zabkit = (): Promise<ZooKeeperFramework> => open(backend.connectString, { defaultData: localAddress, sessionTimeoutMs: 10_000 });

  /** Session id → name: agents 'a', 'b', zabkit frameworks by the names given. */
  async function owners(named: Record<string, ZooKeeperFramework>): Promise<Map<bigint, string>> {
    const sessions = await Promise.all(agents.map((a) => a.session()));
    const map = new Map(sessions.map((s, i) => [s.sessionId, `curator-${'ab'[i]}`]));
    for (const [name, fw] of Object.entries(named)) map.set(fw.client.sessionId, name);
    return map;
  }

  it('mutex: two Curator agents and two zabkit sessions over many rounds — one holder at a time, no lost update, grants in czxid order', async () => {
    const path = `${uniquePath('interop-mutex')}/lock`;
    const counter = uniquePath('interop-mutex-counter');
    await zk.create(counter, '0');
    const [x, y] = await Promise.all([zabkit(), zabkit()]);
    const holders = new Holders();
    const tokens: bigint[] = [];
    const ROUNDS = 8;
    /** The critical section, the same for both languages: a read-modify-write that loses updates unless turns are taken. */
    const critical = async (node: string): Promise<void> => {
      holders.enter();
      tokens.push((await zk.exists(node))!.czxid);
      const { data } = await zk.getData(counter);
      await zk.setData(counter, String(Number(data?.toString()) + 1));
      holders.leave();
    };
    await Promise.all([
      ...agents.map(async (a) => {
        for (let round = 0; round < ROUNDS; round++) {
          const answer = await a.mutexAcquire('interop', path);
          expect(answer.acquired).toBe(true);
          await critical(answer.node!);
          await a.mutexRelease('interop');
        }
      }),
      ...[x!, y!].map(async (fw) => {
        const mutex = new InterProcessMutex(fw, path);
        for (let round = 0; round < ROUNDS; round++) await mutex.withLock((lease) => critical(lease.nodePath));
      }),
    ]);
    expect(holders.maxSeen).toBe(1);
    expect(holders.entries).toBe(4 * ROUNDS);
    expect(String((await zk.getData(counter)).data)).toBe(String(4 * ROUNDS));
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]!).toBeGreaterThan(tokens[i - 1]!);
    expect(await childrenOf(zk, path)).toEqual([]);
  });

  it("mutex layout: zabkit's and Curator's nodes are indistinguishable, and each language's waiter watches the other's node", async () => {
    const root = uniquePath('interop-mutex-layout');
    const path = `${root}/mutex`;
    const x = await zabkit();
    const [a] = [agent(0)];
    const held = await a.mutexAcquire('layout', path);
    const zabkitWaiter = track(new InterProcessMutex(x, path).acquire());
    await waitChildren(zk, path, 2);
    const curatorWaiter = track(agent(1).mutexAcquire('layout', path));
    await waitChildren(zk, path, 3);
    const names = await owners({ zabkit: x });
    expect(layoutOf(await a.nodes(root), root, names)).toEqual([
      { path: '', data: '', owner: null },
      { path: '/mutex', data: '', owner: null },
      { path: '/mutex/_c_<uuid>-lock-0000000000', data: localAddress, owner: 'curator-a' },
      { path: '/mutex/_c_<uuid>-lock-0000000001', data: localAddress, owner: 'zabkit' },
      { path: '/mutex/_c_<uuid>-lock-0000000002', data: localAddress, owner: 'curator-b' },
    ]);
    const nodes = inSequenceOrder(await a.nodes(path)).slice(1).map((n) => n.path);
    const bSession = (await agent(1).session()).sessionId;
    await expectDataWatches(backend.servers[0]!.port, root, new Map([
      [nodes[0]!, [x.client.sessionId]],
      [nodes[1]!, [bSession]],
    ]));
    await a.mutexRelease('layout');
    const lease = await zabkitWaiter.promise;
    expect(lease.nodePath).toBe(nodes[1]);
    expect(curatorWaiter.settled()).toBe(false);
    await lease.release();
    expect((await curatorWaiter.promise).node).toBe(nodes[2]);
    await agent(1).mutexRelease('layout');
  });

  it('read-write lock: Curator and zabkit readers share, writers of either language exclude everyone, over many rounds', async () => {
    const path = uniquePath('interop-rw');
    const [x, y] = await Promise.all([zabkit(), zabkit()]);
    const readers = new Holders();
    const writers = new Holders();
    let violations = 0;
    const enter = (write: boolean): void => {
      (write ? writers : readers).enter();
      if (writers.current > 1 || (writers.current > 0 && readers.current > 0)) violations++;
    };
    const hold = async (write: boolean): Promise<void> => {
      enter(write);
      await zk.sync(path);
      (write ? writers : readers).leave();
    };
    const ROUNDS = 6;
    await Promise.all([
      ...agents.map(async (a, i) => {
        for (let round = 0; round < ROUNDS; round++) {
          const write = (round + i) % 3 === 0;
          const answer = write ? await a.rwWriteAcquire('rw', path) : await a.rwReadAcquire('rw', path);
          expect(answer.acquired).toBe(true);
          await hold(write);
          if (write) await a.rwWriteRelease('rw');
          else await a.rwReadRelease('rw');
        }
      }),
      ...[x!, y!].map(async (fw, i) => {
        const rw = new InterProcessReadWriteLock(fw, path);
        for (let round = 0; round < ROUNDS; round++) {
          const write = (round + i + 1) % 3 === 0;
          await (write ? rw.writeLock : rw.readLock).withLock(() => hold(write));
        }
      }),
    ]);
    expect(violations).toBe(0);
    expect(writers.entries).toBeGreaterThan(0);
    expect(readers.entries + writers.entries).toBe(4 * ROUNDS);
    expect(await childrenOf(zk, path)).toEqual([]);
  });

  it('read-write lock layout and hand-over: a zabkit writer queued behind Curator readers, a Curator reader behind it', async () => {
    const path = uniquePath('interop-rw-layout');
    const x = await zabkit();
    const [a, b] = [agent(0), agent(1)];
    expect((await a.rwReadAcquire('rwl', path)).acquired).toBe(true);
    const writer = track(new InterProcessReadWriteLock(x, path).writeLock.acquire());
    await waitChildren(zk, path, 2);
    const lateReader = track(b.rwReadAcquire('rwl', path));
    await waitChildren(zk, path, 3);
    const names = await owners({ zabkit: x });
    expect(layoutOf(await a.nodes(path), path, names)).toEqual([
      { path: '', data: '', owner: null },
      { path: '/_c_<uuid>-__READ__0000000000', data: localAddress, owner: 'curator-a' },
      { path: '/_c_<uuid>-__WRIT__0000000001', data: localAddress, owner: 'zabkit' },
      { path: '/_c_<uuid>-__READ__0000000002', data: localAddress, owner: 'curator-b' },
    ]);
    const watches = await dataWatchesUnder(backend.servers[0]!.port, path);
    const bSession = (await b.session()).sessionId;
    expect([...watches.values()].flat().sort(ascending)).toEqual([x.client.sessionId, bSession].sort(ascending));
    await a.rwReadRelease('rwl');
    const writeLease = await writer.promise;
    expect(lateReader.settled()).toBe(false);
    await writeLease.release();
    expect((await lateReader.promise).acquired).toBe(true);
    await b.rwReadRelease('rwl');
  });

  it('semaphore: Curator and zabkit share two leases (one layout: locks/ and leases/), never more than two holders', async () => {
    const path = uniquePath('interop-semaphore');
    const [x, y] = await Promise.all([zabkit(), zabkit()]);
    // Layout first: a Curator lease and a zabkit lease, a third (zabkit) waiting inside locks/.
    expect((await agent(0).semaphoreAcquire('sem', path, 2)).acquired).toBe(true);
    const zabkitLease = await new InterProcessSemaphoreV2(x!, path, 2).acquire();
    const waiter = track(new InterProcessSemaphoreV2(y!, path, 2).acquire());
    await waitChildren(zk, `${path}/leases`, 3);
    await waitChildren(zk, `${path}/locks`, 1);
    const names = await owners({ x: x!, y: y! });
    // (locks/ empties between acquirers, so the server may reap and re-create it: its sequence is not fixed.)
    const layout = layoutOf(await agent(0).nodes(path), path, names).map((e) => ({ ...e, path: e.path.replace(/(\/locks\/.*-lock-)\d{10}$/, '$1<seq>') }));
    expect(layout).toEqual([
      { path: '', data: '', owner: null },
      { path: '/leases', data: '', owner: null },
      { path: '/leases/_c_<uuid>-lease-0000000000', data: localAddress, owner: 'curator-a' },
      { path: '/leases/_c_<uuid>-lease-0000000001', data: localAddress, owner: 'x' },
      { path: '/leases/_c_<uuid>-lease-0000000002', data: localAddress, owner: 'y' },
      { path: '/locks', data: '', owner: null },
      { path: '/locks/_c_<uuid>-lock-<seq>', data: localAddress, owner: 'y' },
    ]);
    // A Curator acquirer queues on the internal mutex behind the zabkit waiter.
    const curatorWaiter = track(agent(1).semaphoreAcquire('sem', path, 2));
    await waitChildren(zk, `${path}/locks`, 2);
    await agent(0).semaphoreRelease('sem');
    const yLease = await waiter.promise;
    expect(curatorWaiter.settled()).toBe(false);
    await zabkitLease.release();
    expect((await curatorWaiter.promise).acquired).toBe(true);
    await yLease.release();
    await agent(1).semaphoreRelease('sem');

    const holders = new Holders();
    const ROUNDS = 5;
    await Promise.all([
      ...agents.map(async (a) => {
        for (let round = 0; round < ROUNDS; round++) {
          expect((await a.semaphoreAcquire('sem', path, 2)).acquired).toBe(true);
          holders.enter();
          await zk.sync(path);
          holders.leave();
          await a.semaphoreRelease('sem');
        }
      }),
      ...[x!, y!].map(async (fw) => {
        const semaphore = new InterProcessSemaphoreV2(fw, path, 2);
        for (let round = 0; round < ROUNDS; round++) {
          const lease = await semaphore.acquire();
          holders.enter();
          await zk.sync(path);
          holders.leave();
          await lease.release();
        }
      }),
    ]);
    expect(holders.entries).toBe(4 * ROUNDS);
    expect(holders.maxSeen).toBeLessThanOrEqual(2);
    expect(await childrenOf(zk, `${path}/leases`)).toEqual([]);
  });

  it('a zabkit holder whose session is killed reports lost$ before the Curator waiter is granted', async () => {
    const path = uniquePath('interop-expiry');
    const x = await zabkit();
    const lease = await new InterProcessMutex(x, path).acquire();
    const log: string[] = [];
    lease.lost$.subscribe(() => log.push('zabkit lost'));
    const heir = agent(0).mutexAcquire('expiry', path).then((answer) => {
      log.push('curator acquired');
      return answer;
    });
    await waitChildren(zk, path, 2);
    await killSession(x.client, backend.connectString);
    expect((await heir).acquired).toBe(true);
    expect(log).toEqual(['zabkit lost', 'curator acquired']);
    expect(lease.isHeld).toBe(false);
    await agent(0).mutexRelease('expiry');
    await lease.release();
  });

  it('no agent logged a Curator or ZooKeeper ERROR along the way', () => {
    expect(agents.flatMap((a) => a.loggedErrors.map((line) => `${a.label}: ${line}`))).toEqual([]);
  });
});
