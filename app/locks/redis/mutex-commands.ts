// The Redis mutex: SET key token NX PX ttl to take it, and two Lua scripts that act only while
// the key still holds this holder's token — PEXPIRE to renew, DEL to release
// (compare-and-delete). Counterpart: the single-instance algorithm of
// https://redis.io/docs/latest/develop/use/patterns/distributed-locks/ and Spring's
// RedisLockRegistry scripts.
import type { Redis } from 'ioredis';
import { defineScript, keyOwner, type LeaseCommands } from './lease-commands.js';

const RENEW_LUA = `
local value = redis.call('GET', KEYS[1])
if value == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
elseif value == false then
  return -1
end
return 0`;

const RELEASE_LUA = `
local value = redis.call('GET', KEYS[1])
if value == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
elseif value == false then
  return -1
end
return 0`;

export const MUTEX_RENEW_COMMAND = 'zabkitMutexRenew';
export const MUTEX_RELEASE_COMMAND = 'zabkitMutexRelease';

/** Defines the scripts on `client` (harmless if already defined) and binds mutex commands per key. */
export function mutexCommands(client: Redis): (redisKey: string, ttlMs: number) => LeaseCommands {
  const renew = defineScript(client, MUTEX_RENEW_COMMAND, RENEW_LUA);
  const release = defineScript(client, MUTEX_RELEASE_COMMAND, RELEASE_LUA);
  return (redisKey, ttlMs) => ({
    tryAcquire: async (token) => (await client.set(redisKey, token, 'PX', ttlMs, 'NX')) === 'OK',
    renew: async (token) => keyOwner(await renew(redisKey, token, ttlMs)),
    release: async (token) => keyOwner(await release(redisKey, token)),
  });
}
