// The three Redis operations of the mutex: SET key token NX PX ttl to take it, and two Lua
// scripts that act only while the key still holds this holder's token — PEXPIRE to renew,
// DEL to release (compare-and-delete). Counterpart: the single-instance algorithm of
// https://redis.io/docs/latest/develop/use/patterns/distributed-locks/ and Spring's
// RedisLockRegistry scripts.
import type { Redis } from 'ioredis';

/** Whose record the key holds when a script looked: this holder's, nobody's, or another's. */
export type KeyOwner = 'ours' | 'gone' | 'other';

export interface MutexCommands {
  /** True if the key was free and now holds `token` for `ttlMs`. */
  tryLock(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** PEXPIRE ttlMs if the key holds `token`. */
  renew(key: string, token: string, ttlMs: number): Promise<KeyOwner>;
  /** DEL if the key holds `token`. */
  release(key: string, token: string): Promise<KeyOwner>;
}

// Both scripts answer 1 (ours, acted), -1 (key absent) or 0 (another token).
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

const RENEW_COMMAND = 'zabkitMutexRenew';
const RELEASE_COMMAND = 'zabkitMutexRelease';

type ScriptCommand = (key: string, ...args: Array<string | number>) => Promise<unknown>;

function owner(reply: unknown): KeyOwner {
  if (reply === 1) return 'ours';
  if (reply === -1) return 'gone';
  if (reply === 0) return 'other';
  throw new Error(`unexpected reply from a lock script: ${String(reply)}`);
}

/**
 * Defines the scripts on `client` (ioredis sends EVALSHA and falls back to EVAL once per
 * connection) and returns the commands. Defining them twice on one client is harmless.
 */
export function mutexCommands(client: Redis): MutexCommands {
  client.defineCommand(RENEW_COMMAND, { numberOfKeys: 1, lua: RENEW_LUA });
  client.defineCommand(RELEASE_COMMAND, { numberOfKeys: 1, lua: RELEASE_LUA });
  const script = (name: string): ScriptCommand => {
    const command = (client as unknown as Record<string, ScriptCommand | undefined>)[name];
    if (typeof command !== 'function') throw new Error(`ioredis did not define the ${name} script command`);
    return command.bind(client);
  };
  const renewScript = script(RENEW_COMMAND);
  const releaseScript = script(RELEASE_COMMAND);
  return {
    tryLock: async (key, token, ttlMs) => (await client.set(key, token, 'PX', ttlMs, 'NX')) === 'OK',
    renew: async (key, token, ttlMs) => owner(await renewScript(key, token, ttlMs)),
    release: async (key, token) => owner(await releaseScript(key, token)),
  };
}
