// Wiring the example: one tsyringe container per process — registerZooKeeper (the framework),
// registerCoordination (ZooKeeper locks, config), the service as a singleton — and a stop()
// that disposes the container (leaving the election, closing the lock registry and the framework).

import 'reflect-metadata';
import { container, Lifecycle } from 'tsyringe';
import { registerZooKeeper, type FrameworkOptions } from '../../framework/index.js';
import { registerCoordination } from '../../app/index.js';
import { BillingService, LATE_FEE_INTERVAL_MS } from './billing-service.js';

export interface BillingApp {
  readonly billing: BillingService;
  stop(): Promise<void>;
}

export function startBilling(options: FrameworkOptions & { readonly lateFeeIntervalMs?: number }): BillingApp {
  const { lateFeeIntervalMs = 60_000, ...framework } = options;
  const scope = registerCoordination(registerZooKeeper(container.createChildContainer(), framework), { zookeeperLocks: { root: '/billing/locks' } });
  scope.register(LATE_FEE_INTERVAL_MS, { useValue: lateFeeIntervalMs });
  scope.register(BillingService, { useClass: BillingService }, { lifecycle: Lifecycle.Singleton });
  const billing = scope.resolve(BillingService);
  return {
    billing,
    stop: async () => {
      await scope.dispose();
    },
  };
}
