// The Redis semaphore: a sorted set whose members are the holders' tokens, scored by when each
// lease expires on Redis's own clock (TIME). Acquiring drops expired leases and adds ours if
// fewer than `permits` remain; renewing moves our expiry forward while our lease is still
// live; releasing removes it. The set's own TTL is stretched to cover its longest lease, so an
// abandoned set vanishes. Counterpart: Curator's InterProcessSemaphoreV2 (leases under one path), on Redis.
import type { Redis } from 'ioredis';
import { defineScript, keyOwner, type LeaseCommands } from './lease-commands.js';

// Redis 5+ replicates scripts by their effects, so reading TIME before writing is allowed.
const NOW_MS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)`;

// ARGV: token, permits, ttlMs. 1: acquired; 0: all permits leased.
const ACQUIRE_LUA = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 1`;

// ARGV: token, ttlMs. 1: renewed; -1: our lease is gone (or had expired, and is now dropped).
const RENEW_LUA = `${NOW_MS}
local expires = redis.call('ZSCORE', KEYS[1], ARGV[1])
if expires == false then
  return -1
end
if tonumber(expires) <= now then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return -1
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1`;

// ARGV: token. 1: released a live lease; -1: there was none (an expired one is dropped too).
const RELEASE_LUA = `${NOW_MS}
local expires = redis.call('ZSCORE', KEYS[1], ARGV[1])
if expires == false then
  return -1
end
redis.call('ZREM', KEYS[1], ARGV[1])
if tonumber(expires) <= now then
  return -1
end
return 1`;

export const SEMAPHORE_ACQUIRE_COMMAND = 'zabkitSemaphoreAcquire';
export const SEMAPHORE_RENEW_COMMAND = 'zabkitSemaphoreRenew';
export const SEMAPHORE_RELEASE_COMMAND = 'zabkitSemaphoreRelease';

/** Defines the scripts on `client` (harmless if already defined) and binds semaphore commands per key. */
export function semaphoreCommands(client: Redis): (redisKey: string, permits: number, ttlMs: number) => LeaseCommands {
  const acquire = defineScript(client, SEMAPHORE_ACQUIRE_COMMAND, ACQUIRE_LUA);
  const renew = defineScript(client, SEMAPHORE_RENEW_COMMAND, RENEW_LUA);
  const release = defineScript(client, SEMAPHORE_RELEASE_COMMAND, RELEASE_LUA);
  return (redisKey, permits, ttlMs) => ({
    tryAcquire: async (token) => (await acquire(redisKey, token, permits, ttlMs)) === 1,
    renew: async (token) => keyOwner(await renew(redisKey, token, ttlMs)),
    release: async (token) => keyOwner(await release(redisKey, token)),
  });
}
