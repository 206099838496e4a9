// Counters through server restarts (zabkit's TestingServer, durable: sessions and data survive):
// two clients keep incrementing a DistributedAtomicLong while the server is restarted twice.
// Writes in flight at a restart may be applied with their reply lost: each reported success must
// count exactly once (every one saw its own value), and an increment whose outcome cannot be
// resolved any more is reported as WriteOutcomeUnknownError, never silently applied twice.
import { describe, expect, it } from 'vitest';
import { RetryNTimes } from '../../../framework/index.js';
import { DistributedAtomicLong, SharedCount } from '../../../recipes/counters/index.js';
import { WriteOutcomeUnknownError } from '../../../recipes/errors.js';
import { eventually, sleep, uniquePath } from '../../client/support/clients.js';
import { useRestartedServer } from '../restarted-server.js';

describe('counters across server restarts', () => {
  const server = useRestartedServer();

  it('increments from two clients during two restarts are never counted twice nor lost; unresolvable ones say so', async () => {
    const path = `${uniquePath('restart')}/n`;
    const retry = new RetryNTimes({ n: 1000, sleepMsBetweenRetries: 1 });
    const counters = await Promise.all([0, 1].map(async () => new DistributedAtomicLong(await server.openPatient(), path, retry)));
    await counters[0]!.initialize(0n);
    const perClient = 40;
    let done = 0;
    let unknown = 0;
    const running = Promise.all(counters.map(async (c) => {
      const posts: bigint[] = [];
      for (let i = 0; i < perClient; i++) {
        try {
          const r = await c.increment();
          expect(r.succeeded).toBe(true);
          expect(r.postValue - r.preValue).toBe(1n);
          posts.push(r.postValue);
        } catch (e) {
          // A lost reply whose write was overtaken by the other client before it could be checked.
          if (!(e instanceof WriteOutcomeUnknownError)) throw e;
          unknown++;
        }
        done++;
      }
      return posts;
    }));
    for (const at of [15, 45]) {
      await eventually(() => done >= at, 60_000, `${at} increments`);
      await server.restart();
    }
    const posts = (await running).flat().sort((a, b) => (a < b ? -1 : 1));
    const final = (await counters[0]!.get()).preValue;
    // Every reported success saw its own value (none counted twice), and the final value is the
    // successes plus at most the increments whose outcome was reported unknown (none lost).
    expect(new Set(posts).size).toBe(posts.length);
    expect(posts.length + unknown).toBe(2 * perClient);
    expect(final >= BigInt(posts.length) && final <= BigInt(posts.length + unknown)).toBe(true);
    for (const p of posts) expect(p <= final).toBe(true);
    if (unknown === 0) expect(posts).toEqual(Array.from({ length: 2 * perClient }, (_, i) => BigInt(i + 1)));
  });

  it('a SharedCount keeps following the node after a restart', async () => {
    const path = `${uniquePath('restart')}/c`;
    const count = new SharedCount(await server.openPatient(), path, 1);
    await count.start();
    const writer = new SharedCount(await server.openPatient(), path, 1);
    await writer.start();
    await server.restart();
    await sleep(100);
    await writer.setCount(2);
    await eventually(() => count.count === 2, 30_000, 'the change after the restart is seen');
    await count.close();
    await writer.close();
  });
});
