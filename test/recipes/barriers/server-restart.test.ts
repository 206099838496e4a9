// Barriers through a server restart (zabkit's TestingServer, durable: sessions and data
// survive): a DistributedBarrier waiter and a double-barrier member keep waiting across it (the
// connection is SUSPENDED, then back on the same session), and are released by the real
// condition afterwards, not by the reconnect.
import { describe, expect, it } from 'vitest';
import { DistributedBarrier, DistributedDoubleBarrier } from '../../../recipes/barriers/index.js';
import { sleep, uniquePath } from '../../client/support/clients.js';
import { useRestartedServer } from '../restarted-server.js';
import { track } from '../../support/curator/observe.js';

describe('barriers across a server restart', () => {
  const server = useRestartedServer();

  it('waiters keep waiting through the restart and pass only when the condition holds', async () => {
    const root = uniquePath('restart');
    const coordinator = await server.openPatient();
    const gate = new DistributedBarrier(coordinator, `${root}/gate`);
    await gate.setBarrier();
    const waiterFw = await server.openPatient();
    const waiting = track(new DistributedBarrier(waiterFw, `${root}/gate`).waitOnBarrier());
    const member = new DistributedDoubleBarrier(waiterFw, `${root}/double`, 2);
    const entering = track(member.enter());
    await sleep(300);
    const session = waiterFw.client.sessionId;
    await server.restart();
    await sleep(1000);
    expect(waiting.settled() || entering.settled()).toBe(false);
    expect(waiterFw.client.sessionId).toBe(session);
    await gate.removeBarrier();
    await waiting.promise;
    const other = new DistributedDoubleBarrier(coordinator, `${root}/double`, 2);
    await other.enter();
    await entering.promise;
    await Promise.all([member.leave(), other.leave()]);
  });
});
