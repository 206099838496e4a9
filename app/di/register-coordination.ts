// One call prepares a tsyringe container (usually the child registerZooKeeper returned) for the
// app layer: a LockRegistry under LOCK_REGISTRY (ZooKeeper on the container's framework by
// default, or any backend from a factory), a ConfigService under CONFIG_SERVICE (and its class),
// and the resolving-container token @Coordinated() classes need. The registry and the config
// service belong to the container: its dispose() closes them. Nothing global is touched.
// Counterpart: a Spring @Configuration declaring LockRegistry and config beans.

import 'reflect-metadata';
import { inject, injectable, Lifecycle, type DependencyContainer } from 'tsyringe';
import { ZOOKEEPER_FRAMEWORK, type ZooKeeperFramework } from '../../framework/index.js';
import { ConfigService } from '../config/config-service.js';
import { leaveElectionsOf } from '../decorators/coordinated.js';
import type { LockRegistry } from '../locks/lock-registry.js';
import { ZooKeeperLockRegistry, type ZooKeeperLockRegistryOptions } from '../locks/zookeeper/index.js';
import { CONFIG_SERVICE, COORDINATION_OPTIONS, LOCK_REGISTRY, RESOLVING_CONTAINER } from './tokens.js';

export interface CoordinationOptions {
  /**
   * Builds the container's LockRegistry (called once, with the container). Default: a
   * ZooKeeperLockRegistry on the container's ZooKeeperFramework with `zookeeperLocks`.
   * The registry is closed when the container is disposed; a connection you gave it stays open.
   */
  readonly lockRegistry?: (container: DependencyContainer) => LockRegistry;
  /** Options of the default ZooKeeper registry (root, default '/locks'). */
  readonly zookeeperLocks?: ZooKeeperLockRegistryOptions;
}

/** Builds and owns the app layer's services of one container; the container disposes it. */
@injectable()
class CoordinationServices {
  readonly locks: LockRegistry;
  readonly config: ConfigService;

  constructor(@inject(RESOLVING_CONTAINER) container: DependencyContainer, @inject(COORDINATION_OPTIONS) options: CoordinationOptions) {
    this.locks = options.lockRegistry
      ? options.lockRegistry(container)
      : new ZooKeeperLockRegistry(container.resolve<ZooKeeperFramework>(ZOOKEEPER_FRAMEWORK), options.zookeeperLocks);
    this.config = new ConfigService(container.resolve<ZooKeeperFramework>(ZOOKEEPER_FRAMEWORK));
  }

  /** Called first by the container's dispose() (see registerCoordination), then again by tsyringe: idempotent. */
  dispose(): Promise<void> {
    this.config.dispose();
    return (this.closing ??= this.locks.close());
  }

  private closing: Promise<void> | undefined;
}

/**
 * Registers the app layer in `container` (which must provide ZOOKEEPER_FRAMEWORK, as the child
 * of registerZooKeeper does) and returns it. Registered: LOCK_REGISTRY, CONFIG_SERVICE and the
 * ConfigService class, COORDINATION_OPTIONS. Classes using @WithLock, @LeaderOnly,
 * @LeadershipHooks or @InjectConfig must be resolved from this container or its children.
 * The container's dispose() then first makes the instances it built leave their elections and
 * closes the registry, and only then disposes the rest (the framework among it). Dispose child
 * containers that built coordinated instances before this one.
 */
export function registerCoordination(container: DependencyContainer, options: CoordinationOptions = {}): DependencyContainer {
  container.register(RESOLVING_CONTAINER, { useFactory: (c) => c });
  container.register(COORDINATION_OPTIONS, { useValue: options });
  container.register(CoordinationServices, { useClass: CoordinationServices }, { lifecycle: Lifecycle.Singleton });
  // Built now, by this container, so its dispose() closes them.
  const services = container.resolve(CoordinationServices);
  container.register(LOCK_REGISTRY, { useValue: services.locks });
  container.register(CONFIG_SERVICE, { useValue: services.config });
  container.register(ConfigService, { useValue: services.config });
  // tsyringe disposes in construction order, so the framework (built first) would close before
  // the instances leave their elections and before the registry releases its locks: leaders
  // would see a lost session instead of leaving, waiting acquires a closed client instead of a
  // closed registry. Do those first, while the framework is still open.
  const disposeContainer = container.dispose.bind(container);
  container.dispose = async () => {
    await leaveElectionsOf(container);
    await services.dispose();
    await disposeContainer();
  };
  return container;
}
