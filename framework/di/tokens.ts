// Injection tokens for what registerZooKeeper puts into a container. The framework can also be
// injected by its class (constructor parameter typed ZooKeeperFramework, via decorator metadata).
// Counterpart: none in Curator (Spring users wire CuratorFramework beans by hand).

import 'reflect-metadata';
import { inject } from 'tsyringe';

/** The ZooKeeperFramework of the container (also registered under the class itself). */
export const ZOOKEEPER_FRAMEWORK = Symbol('zabkit.ZooKeeperFramework');
/** Observable<ConnectionState>: the framework's connection-state stream (current state first). */
export const CONNECTION_STATES = Symbol('zabkit.ConnectionStates');
/** The framework's current ZooKeeperClient (resolved anew each time: a new one after session expiry). */
export const ZOOKEEPER_CLIENT = Symbol('zabkit.ZooKeeperClient');
/** The framework's RetryPolicy. */
export const RETRY_POLICY = Symbol('zabkit.RetryPolicy');
/** The framework's ConnectionStateErrorPolicy. */
export const CONNECTION_STATE_ERROR_POLICY = Symbol('zabkit.ConnectionStateErrorPolicy');
/** The FrameworkOptions the framework was built from. */
export const FRAMEWORK_OPTIONS = Symbol('zabkit.FrameworkOptions');

/** Parameter decorator: inject the container's ZooKeeperFramework. */
export const injectFramework = (): ParameterDecorator => inject(ZOOKEEPER_FRAMEWORK) as ParameterDecorator;
/** Parameter decorator: inject the container's connection-state stream. */
export const injectConnectionStates = (): ParameterDecorator => inject(CONNECTION_STATES) as ParameterDecorator;
