// The example service of examples/billing run as two "processes" (two containers, two sessions)
// against zabkit's bundled server, each test in a chroot of its own: racing settlements charge
// each invoice once, the config node drives the late fee (a bad write keeps the last good
// value), only the leader runs the late-fee job and the follower's manual call is refused,
// leadership moves when the leader stops, and a stale fencing token cannot overwrite newer work.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperFramework } from '../../framework/index.js';
import { NotLeaderError } from '../../app/index.js';
import { startBilling, type BillingApp } from '../../examples/billing/start-billing.js';
import { StaleFencingTokenError } from '../../examples/billing/invoice-store.js';
import { ZABKIT, type Backend } from '../client/support/backends.js';
import { uniquePath } from '../client/support/clients.js';
import { FAST_FRAMEWORK } from '../framework/support/frameworks.js';
import { eventually } from './support/scopes.js';

describe('examples/billing on zabkit', () => {
  let backend: Backend;
  const apps: BillingApp[] = [];
  const admins: ZooKeeperFramework[] = [];

  beforeAll(async () => {
    backend = await ZABKIT.start();
  });
  afterEach(async () => {
    await Promise.allSettled(apps.splice(0).map((a) => a.stop()));
    await Promise.allSettled(admins.splice(0).map((a) => a.close()));
  });
  afterAll(async () => {
    await backend?.stop();
  });

  /** Two instances of the service and an admin client, all in a fresh chroot. */
  async function deployment(lateFeeIntervalMs = 100) {
    const chroot = uniquePath('billing');
    const root = ZooKeeperFramework.start({ ...FAST_FRAMEWORK, connectString: backend.connectString });
    admins.push(root);
    await root.create(chroot);
    const connectString = `${backend.connectString}${chroot}`;
    const admin = ZooKeeperFramework.start({ ...FAST_FRAMEWORK, connectString });
    admins.push(admin);
    const [a, b] = [0, 1].map(() => startBilling({ ...FAST_FRAMEWORK, connectString, lateFeeIntervalMs }));
    apps.push(a!, b!);
    return { a: a!, b: b!, admin };
  }

  async function leaderOf(a: BillingApp, b: BillingApp): Promise<[BillingApp, BillingApp]> {
    await eventually(() => a.billing.lateFeeRuns + b.billing.lateFeeRuns > 0, 'a late-fee run');
    return a.billing.lateFeeRuns > 0 ? [a, b] : [b, a];
  }

  it('settlements racing on two instances charge every invoice exactly once', async () => {
    const { a, b } = await deployment(60_000);
    const ids = ['inv-1', 'inv-2', 'inv-3', 'inv-4'];
    for (const [i, id] of ids.entries()) await a.billing.createInvoice(id, 1000 * (i + 1));
    const results = await Promise.all(ids.flatMap((id) => [a.billing.settle(id), b.billing.settle(id), a.billing.settle(id)]));
    for (const [i, id] of ids.entries()) {
      const three = results.slice(3 * i, 3 * i + 3);
      expect(three.filter((r) => r.status === 'settled')).toHaveLength(1);
      expect(three.filter((r) => r.status === 'already-paid')).toHaveLength(2);
      expect(await a.billing.store.payments(id)).toEqual([{ cents: 1000 * (i + 1), fence: expect.stringMatching(/^\d+$/) }]);
      expect((await b.billing.store.get(id)).status).toBe('paid');
    }
  });

  it('the config node sets the late fee; only the leader runs the job; a bad config keeps the last good one', async () => {
    const { a, b, admin } = await deployment();
    await a.billing.createInvoice('late-1', 2000);
    const [leader, follower] = await leaderOf(a, b);
    expect(follower.billing.lateFeeRuns).toBe(0);
    await expect(follower.billing.chargeLateFees()).rejects.toBeInstanceOf(NotLeaderError);
    expect((await a.billing.store.get('late-1')).lateFeeCents).toBe(0); // the default: 0 %

    await admin.create('/billing/config', JSON.stringify({ lateFeePercent: 10 }), { creatingParentsIfNeeded: true });
    await eventually(async () => (await a.billing.store.get('late-1')).lateFeeCents === 200, 'the late fee charged by the leader');
    await eventually(() => follower.billing.lateFeePercent === 10, 'the follower sees the config too');

    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      await admin.setData('/billing/config', JSON.stringify({ lateFeePercent: 500 }));
      await eventually(() => warnings.filter((w) => w.includes('lateFeePercent must be a number from 0 to 50')).length >= 2, 'both instances report it');
    } finally {
      process.off('warning', onWarning);
    }
    expect([leader.billing.lateFeePercent, follower.billing.lateFeePercent]).toEqual([10, 10]);
    expect(await follower.billing.settle('late-1')).toMatchObject({ status: 'settled', cents: 2200 });
    expect(follower.billing.lateFeeRuns).toBe(0);
  });

  it('when the leader stops, the other instance takes the job over', async () => {
    const { a, b } = await deployment();
    const [leader, follower] = await leaderOf(a, b);
    await leader.stop();
    apps.splice(apps.indexOf(leader), 1);
    await eventually(() => follower.billing.lateFeeRuns > 0, 'the follower runs the job');
    expect(await follower.billing.chargeLateFees()).toBe(0);
  });

  it('a write with an older fencing token is refused', async () => {
    const { a } = await deployment(60_000);
    await a.billing.createInvoice('fenced', 500);
    const settled = await a.billing.settle('fenced');
    expect(settled.status).toBe('settled');
    const token = (settled as { fencingToken: bigint }).fencingToken;
    await expect(a.billing.store.update('fenced', token - 1n, { status: 'open' })).rejects.toBeInstanceOf(StaleFencingTokenError);
    expect((await a.billing.store.get('fenced')).status).toBe('paid');
  });
});
