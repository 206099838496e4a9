// Runs every ```ts example of docs/lock-registry.md (see test/support/doc-examples.ts) against a
// real redis-server; the runner's `connectString` parameter carries the server's redis:// URL.
// The keyspace is flushed before each example.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docExamples, exampleWorkspace, runDocExample } from '../../support/doc-examples.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';

const ALL = docExamples('docs/lock-registry.md');
const work = exampleWorkspace('lock-registry');

describe('docs/lock-registry.md examples on a real redis-server', () => {
  let server: RedisServer;
  let admin: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
    await work.remove();
  });

  it('the page has examples with expected output', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(3);
    for (const ex of ALL) expect(ex.expected.length, `example ${ex.index}`).toBeGreaterThan(0);
  });

  it.each(ALL.map((ex) => [ex.index, ex] as const))('example %i prints what the page says', async (_i, example) => {
    await admin.flushall();
    const printed = await runDocExample(work.dir, example, server.url);
    expect(printed).toEqual(example.expected);
  });
});
