// The Redis backend of the LockRegistry (public part).
export { RedisLockRegistry, REDIS_LOCK_DEFAULTS, type RedisLockRegistryOptions } from './redis-lock-registry.js';
