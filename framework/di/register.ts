// One call wires a ZooKeeper connection into a tsyringe container: registerZooKeeper(parent,
// options) makes a child container holding a started ZooKeeperFramework (one per call, so one
// child per ZooKeeper connection) and its state stream, client, retry and error policies.
// Application classes resolved from the child receive them by constructor injection.
// `await child.dispose()` closes the framework. The global root container is never touched.

import 'reflect-metadata';
import { inject, injectable, Lifecycle, type DependencyContainer } from 'tsyringe';
import type { FrameworkOptions } from '../core/options.js';
import { ZooKeeperFramework } from '../framework.js';
import {
  CONNECTION_STATE_ERROR_POLICY, CONNECTION_STATES, FRAMEWORK_OPTIONS, RETRY_POLICY, ZOOKEEPER_CLIENT, ZOOKEEPER_FRAMEWORK,
} from './tokens.js';

/** The framework as a container builds it: started at construction, closed by the container's dispose(). */
@injectable()
class ContainerManagedFramework extends ZooKeeperFramework {
  constructor(@inject(FRAMEWORK_OPTIONS) options: FrameworkOptions) {
    super(options);
    this.start();
  }

  /** Called by DependencyContainer.dispose(). */
  dispose(): Promise<void> {
    return this.close();
  }
}

/**
 * Creates a child of `parent` with a started ZooKeeperFramework for `options` and returns it.
 * Registered in the child: ZOOKEEPER_FRAMEWORK and the ZooKeeperFramework class, CONNECTION_STATES,
 * ZOOKEEPER_CLIENT, RETRY_POLICY, CONNECTION_STATE_ERROR_POLICY and FRAMEWORK_OPTIONS.
 */
export function registerZooKeeper(parent: DependencyContainer, options: FrameworkOptions): DependencyContainer {
  const child = parent.createChildContainer();
  child.register(FRAMEWORK_OPTIONS, { useValue: options });
  child.register(ZOOKEEPER_FRAMEWORK, { useClass: ContainerManagedFramework }, { lifecycle: Lifecycle.Singleton });
  child.register(ZooKeeperFramework, { useToken: ZOOKEEPER_FRAMEWORK });
  // Built now, by the child, so the child's dispose() closes it (and connecting starts at once).
  const framework = child.resolve<ZooKeeperFramework>(ZOOKEEPER_FRAMEWORK);
  child.register(CONNECTION_STATES, { useValue: framework.connectionState$ });
  child.register(ZOOKEEPER_CLIENT, { useFactory: () => framework.client });
  child.register(RETRY_POLICY, { useValue: framework.retryPolicy });
  child.register(CONNECTION_STATE_ERROR_POLICY, { useValue: framework.connectionStateErrorPolicy });
  return child;
}
