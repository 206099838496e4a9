// What a @Coordinated() instance carries: the tsyringe container that built it (where the
// decorators find LOCK_REGISTRY and the framework) and its seats in the elections its class
// declares, joined when the instance is built and left when the container disposes it.
// Counterpart: the per-bean state Spring keeps behind its AOP proxies.

import type { DependencyContainer } from 'tsyringe';
import { ZOOKEEPER_FRAMEWORK, type ZooKeeperFramework } from '../../framework/index.js';
import type { ElectionDeclaration } from './class-plan.js';
import { ElectionSeat, type LeadershipHooksTarget } from './election-seat.js';

export class InstanceScope {
  private readonly seats = new Map<string, ElectionSeat>();
  private closing: Promise<void> | undefined;
  private markClosed!: () => void;
  private readonly closed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(
    readonly container: DependencyContainer,
    instance: object,
    elections: ReadonlyMap<string, ElectionDeclaration>,
    readonly owner: string,
  ) {
    if (elections.size === 0) return;
    const framework = container.resolve<ZooKeeperFramework>(ZOOKEEPER_FRAMEWORK);
    for (const declaration of elections.values()) {
      this.seats.set(declaration.path, new ElectionSeat(framework, declaration, instance as LeadershipHooksTarget, owner));
    }
  }

  /** The seat of `path` (declared by the class), undefined if the class does not join it. */
  seat(path: string): ElectionSeat | undefined {
    return this.seats.get(path);
  }

  /** Leaves every election (idempotent). */
  close(): Promise<void> {
    this.closing ??= Promise.all([...this.seats.values()].map((s) => s.close())).then(() => undefined);
    this.markClosed();
    return this.closing;
  }

  /** Resolves once close() has been called. */
  whenClosed(): Promise<void> {
    return this.closed;
  }

}
