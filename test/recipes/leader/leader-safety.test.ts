// Safety of the leader recipes under faults, on zabkit's server and Apache ZooKeeper 3.8. Four
// participants, each with its own framework behind its own TCP proxy (standard error policy), go
// through a seeded random sequence of faults: connection drops, partitions long and short (a
// long one expires the session on the server), sessions killed from outside, the leader's node
// deleted by an operator, participants closed and restarted. Every leadership change is recorded
// in one timeline (one process, so its order is real): at no point may two participants lead at
// once, and each new term's fencing token must be above the previous term's. In the end the
// election settles on exactly one leader that all participants agree on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperClient, type ZooKeeperFramework } from '../../../framework/index.js';
import { killSession } from '../../../framework/testing/index.js';
import { sortChildren, standardFixForSorting } from '../../../recipes/internal/index.js';
import { LATCH_LOCK_NAME, LeaderLatch, LeaderSelector } from '../../../recipes/leader/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, sleep, uniquePath } from '../../client/support/clients.js';
import { useFrameworks } from '../../framework/support/frameworks.js';
import { seededRandom } from '../../support/prng.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { LeadershipTimeline } from './support.js';

/** Long enough that a partitioned client notices (read timeout, 2/3 of it) well before the server expires it. */
const SESSION_TIMEOUT_MS = 8000;
const PARTICIPANTS = 4;
const STEPS = 14;
const SEED = Number(process.env.LEADER_SAFETY_SEED ?? 20261121);

type Fault = 'drop' | 'short-partition' | 'long-partition' | 'kill-session' | 'delete-leader-node' | 'restart';
const FAULTS: readonly Fault[] = ['drop', 'drop', 'short-partition', 'kill-session', 'delete-leader-node', 'restart', 'long-partition'];

interface Slot {
  readonly name: string;
  readonly proxy: TcpProxy;
  readonly framework: ZooKeeperFramework;
}

describe.each([ZABKIT, APACHE_STANDALONE])('leader safety under faults on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperClient;
  const proxies: TcpProxy[] = [];
  const open = useFrameworks();
  beforeAll(async () => {
    backend = await spec.start();
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await admin?.close();
    await backend?.stop();
  });

  async function slots(): Promise<Slot[]> {
    const result: Slot[] = [];
    for (let i = 0; i < PARTICIPANTS; i++) {
      const proxy = await startTcpProxy({ port: backend.servers[0]!.port });
      proxies.push(proxy);
      const framework = await open(proxy.connectString, { sessionTimeoutMs: SESSION_TIMEOUT_MS, connectionTimeoutMs: 3000 });
      result.push({ name: `p${i}`, proxy, framework });
    }
    return result;
  }

  /**
   * Runs the seeded fault sequence, aimed at the current leader (`leader()`) two times in three;
   * `leaderNode` finds the leader's node for the operator's delete.
   */
  async function runFaults(
    random: () => number, all: Slot[], leader: () => string | undefined, restart: (slot: Slot) => Promise<void>,
    leaderNode: () => Promise<string | undefined>, log: string[],
  ): Promise<void> {
    for (let step = 0; step < STEPS; step++) {
      const fault = FAULTS[Math.floor(random() * FAULTS.length)]!;
      const aimAtLeader = random() < 2 / 3;
      const pick = all[Math.floor(random() * all.length)]!;
      const slot = (aimAtLeader ? all.find((s) => s.name === leader()) : undefined) ?? pick;
      log.push(`${step}: ${fault} ${slot.name}`);
      switch (fault) {
        case 'drop':
          slot.proxy.dropConnections();
          break;
        case 'short-partition':
          slot.proxy.partition();
          await sleep(500 + random() * 1500);
          slot.proxy.heal();
          break;
        case 'long-partition':
          // Past the session timeout: the server expires the session, the client must have given up leadership first.
          slot.proxy.partition();
          await sleep(SESSION_TIMEOUT_MS + 2000);
          slot.proxy.heal();
          break;
        case 'kill-session':
          await killSession(slot.framework.client, backend.connectString).catch((e: unknown) => log.push(`  kill failed: ${String(e)}`));
          break;
        case 'delete-leader-node': {
          const node = await leaderNode();
          if (node !== undefined) await admin.delete(node).catch(() => undefined);
          break;
        }
        case 'restart':
          await restart(slot);
          break;
      }
      await sleep(random() * 1500);
    }
    for (const s of all) s.proxy.heal();
  }

  it(`LeaderLatch: never two leaders at once, tokens grow, one leader in the end (seed ${SEED})`, { timeout: 240_000 }, async () => {
    const random = seededRandom(SEED);
    const path = uniquePath('latch-safety');
    const timeline = new LeadershipTimeline();
    const all = await slots();
    const latches = new Map<string, LeaderLatch>();
    const startLatch = (slot: Slot): void => {
      const latch = new LeaderLatch(slot.framework, path, { id: slot.name });
      timeline.follow(slot.name, latch);
      latches.set(slot.name, latch);
      latch.start();
    };
    for (const slot of all) startLatch(slot);
    const log: string[] = [];
    try {
      await runFaults(
        random,
        all,
        () => [...latches.values()].find((l) => l.hasLeadership)?.id,
        async (slot) => {
          await latches.get(slot.name)!.close().catch(() => undefined);
          startLatch(slot);
        },
        async () => {
          const children = (await admin.getChildren(path).catch(() => ({ children: [] }))).children;
          const first = sortChildren(children, LATCH_LOCK_NAME, { fixForSorting: standardFixForSorting })[0];
          return first === undefined ? undefined : `${path}/${first}`;
        },
        log,
      );
      // Settle: exactly one leader, everyone present and agreeing.
      const leaders = (): string[] => [...latches.values()].filter((l) => l.hasLeadership).map((l) => l.id);
      await eventually(async () => {
        if (leaders().length !== 1) return false;
        const views = await Promise.all([...latches.values()].map((l) => l.getParticipants()));
        return views.every((v) => v.length === PARTICIPANTS && v[0]!.id === leaders()[0] && JSON.stringify(v) === JSON.stringify(views[0]));
      }, 60_000, 'one agreed leader');
    } catch (e) {
      throw new Error(`${String(e)}\nfaults:\n${log.join('\n')}\ntimeline:\n${timeline.describe()}`);
    } finally {
      await Promise.all([...latches.values()].map((l) => (l.state === 'STARTED' ? l.close() : undefined)));
    }
    expect(timeline.violations, `faults:\n${log.join('\n')}\ntimeline:\n${timeline.describe()}`).toEqual([]);
    expect(timeline.terms).toBeGreaterThanOrEqual(3); // the faults did move leadership around
  });

  it(`LeaderSelector: never two callbacks leading at once, tokens grow, leadership keeps moving (seed ${SEED + 1})`, { timeout: 240_000 }, async () => {
    const random = seededRandom(SEED + 1);
    const holdTimes = seededRandom(SEED + 2);
    const path = uniquePath('selector-safety');
    const timeline = new LeadershipTimeline();
    const all = await slots();
    const selectors = new Map<string, LeaderSelector>();
    const startSelector = (slot: Slot): void => {
      const selector = new LeaderSelector(slot.framework, path, async (signal, leadership) => {
        timeline.record(slot.name, { type: 'isLeader', leadership });
        // Lead until interrupted (the leadership ends right there) or for a while.
        await new Promise<void>((resolve) => {
          const end = (): void => {
            clearTimeout(timer);
            signal.removeEventListener('abort', end);
            timeline.record(slot.name, { type: 'notLeader', leadership, error: leadership.lostError });
            resolve();
          };
          const timer = setTimeout(end, 200 + holdTimes() * 800);
          signal.addEventListener('abort', end, { once: true });
        });
      }, { id: slot.name, autoRequeue: true });
      selectors.set(slot.name, selector);
      selector.start();
    };
    for (const slot of all) startSelector(slot);
    const log: string[] = [];
    try {
      await runFaults(
        random,
        all,
        () => [...selectors.values()].find((s) => s.hasLeadership)?.id,
        async (slot) => {
          await selectors.get(slot.name)!.close().catch(() => undefined);
          startSelector(slot);
        },
        async () => {
          const leading = [...selectors.values()].find((s) => s.hasLeadership);
          return leading?.leadership?.nodePath;
        },
        log,
      );
      const termsBefore = timeline.terms;
      await eventually(() => timeline.terms >= termsBefore + PARTICIPANTS, 60_000, 'leadership rotating again after the faults');
    } catch (e) {
      throw new Error(`${String(e)}\nfaults:\n${log.join('\n')}\ntimeline:\n${timeline.describe()}`);
    } finally {
      await Promise.all([...selectors.values()].map((s) => (s.state === 'STARTED' ? s.close() : undefined)));
    }
    expect(timeline.violations, `faults:\n${log.join('\n')}\ntimeline:\n${timeline.describe()}`).toEqual([]);
  });
});
