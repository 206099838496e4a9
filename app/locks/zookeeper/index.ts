export { ZooKeeperLockRegistry, ZOOKEEPER_LOCK_DEFAULTS, type ZooKeeperLockRegistryOptions } from './zookeeper-lock-registry.js';
export { type ZooKeeperHeldLock } from './zookeeper-held-lock.js';
