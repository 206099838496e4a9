// The shared LockRegistry contract (lock-registry-contract.ts) on the Redis backend, against a
// REAL redis-server started here: the same behaviour the ZooKeeper registry is held to, minus
// what Redis does not offer (read / write locks, fencing tokens). Redis has no queue of
// waiters, so "a contender is waiting" is observed as its attempts (SET NX for a mutex, a Lua
// script for a semaphore) reaching the server again.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { RedisLockRegistry, type LockRegistry } from '../../../app/index.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { eventually } from '../support/scopes.js';
import { lockRegistryContract } from './lock-registry-contract.js';

/** Lock commands the server has answered: SET and Lua scripts (ioredis runs defined commands as EVALSHA, falling back to EVAL). */
async function lockCommands(admin: Redis): Promise<number> {
  const stats = await admin.info('commandstats');
  let calls = 0;
  for (const m of stats.matchAll(/^cmdstat_(?:set|evalsha|eval):calls=(\d+)/gm)) calls += Number(m[1]);
  return calls;
}

describe('the Redis backend', () => {
  let server: RedisServer;
  let admin: Redis;
  const clients: Redis[] = [];
  const registries: LockRegistry[] = [];
  let keys = 0;

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });
  afterEach(async () => {
    await Promise.allSettled(registries.splice(0).map((r) => r.close()));
    for (const c of clients.splice(0)) c.disconnect();
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  lockRegistryContract('redis', () => ({
    async registry() {
      const client = new Redis(server.url);
      client.on('error', () => undefined);
      clients.push(client);
      const made = new RedisLockRegistry({ client, pollMaxMs: 50 });
      registries.push(made);
      return made;
    },
    key: (label) => `contract-${process.pid}-${label}-${++keys}`,
    async contenders() {
      const before = await lockCommands(admin);
      await eventually(async () => (await lockCommands(admin)) >= before + 2, 'the waiter polling again');
    },
    fencing: false,
    kinds: ['mutex', 'semaphore'],
  }));
});
