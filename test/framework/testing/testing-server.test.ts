// TestingServer (zabkit/testing): a per-test zabkit server that a client can use at once, whose
// restart keeps the tree and the open sessions (temp dataDir), whose in-memory mode forgets,
// with four-letter words off unless asked, a kept port, and close() removing its temp dir.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CreateMode, KeeperState, ZooKeeperClient } from '../../../framework/index.js';
import { TestingServer, type TestingServerOptions } from '../../../framework/testing/index.js';
import { fourLetterWord } from '../../support/apache-zookeeper.js';
import { freePort } from '../../support/ports.js';
import { FAST, nextState } from '../../client/support/clients.js';

const started: TestingServer[] = [];
const clients: ZooKeeperClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function server(options: TestingServerOptions = {}): Promise<TestingServer> {
  const s = await TestingServer.start(options);
  started.push(s);
  return s;
}

async function client(connectString: string): Promise<ZooKeeperClient> {
  const c = await ZooKeeperClient.connect(connectString, FAST, 20_000);
  clients.push(c);
  return c;
}

describe('TestingServer', () => {
  it('serves clients on 127.0.0.1 at the port it reports', async () => {
    const s = await server();
    expect(s.port).toBeGreaterThan(0);
    expect(s.connectString).toBe(`127.0.0.1:${s.port}`);
    expect(s.isRunning).toBe(true);
    const c = await client(s.connectString);
    await c.create('/a', 'x');
    expect((await c.getData('/a')).data?.toString()).toBe('x');
  });

  it('keeps four-letter words off unless asked', async () => {
    const quiet = await server();
    expect(await fourLetterWord(quiet.port, 'ruok')).toBe('ruok is not executed because it is not in the whitelist.\n');
    const chatty = await server({ fourLetterWords: ['ruok'] });
    expect(await fourLetterWord(chatty.port, 'ruok')).toBe('imok');
  });

  it('restart() keeps the port, the tree and the open sessions', async () => {
    const s = await server();
    const port = s.port;
    const c = await client(s.connectString);
    const sessionId = c.sessionId;
    await c.create('/kept', 'data');
    await c.create('/mine', null, { mode: CreateMode.EPHEMERAL });
    const disconnected = nextState(c, KeeperState.Disconnected);
    const reconnected = nextState(c, KeeperState.SyncConnected, 30_000);
    await s.restart();
    await disconnected;
    await reconnected;
    expect(s.port).toBe(port);
    expect(c.sessionId).toBe(sessionId);
    expect((await c.getData('/kept')).data?.toString()).toBe('data');
    expect((await c.exists('/mine'))?.ephemeralOwner).toBe(sessionId);
  });

  it('stop() keeps the data for a later restart(); clients wait meanwhile', async () => {
    const s = await server();
    const c = await client(s.connectString);
    await c.create('/before', 'b');
    const disconnected = nextState(c, KeeperState.Disconnected);
    await s.stop();
    await disconnected;
    expect(s.isRunning).toBe(false);
    const pending = c.create('/during', 'd').catch((e: Error) => e);
    await s.restart();
    const outcome = await pending;
    // A request sent while disconnected fails with ConnectionLoss or completes after reconnecting.
    if (outcome instanceof Error) expect(outcome.name).toBe('ConnectionLossError');
    await c.waitForConnected(30_000);
    expect((await c.getData('/before')).data?.toString()).toBe('b');
  });

  it('in memory, restart() starts from an empty tree', async () => {
    const s = await server({ inMemory: true });
    expect(s.dataDir).toBeUndefined();
    const c = await client(s.connectString);
    await c.create('/gone', 'x');
    await c.close();
    await s.restart();
    const fresh = await client(s.connectString);
    expect(await fresh.exists('/gone')).toBeNull();
  });

  it('starts on a given port', async () => {
    const port = await freePort();
    const s = await server({ port });
    expect(s.port).toBe(port);
    const c = await client(`127.0.0.1:${port}`);
    expect(c.isConnected).toBe(true);
  });

  it('clamps session timeouts to a short tickTime', async () => {
    const s = await server({ tickTimeMs: 100 });
    expect(s.tickTimeMs).toBe(100);
    const c = await client(s.connectString);
    expect(c.negotiatedSessionTimeoutMs).toBe(2000);
  });

  it('close() removes its temp dataDir, is idempotent and refuses restart()', async () => {
    const s = await TestingServer.start();
    const dir = s.dataDir!;
    expect(existsSync(dir)).toBe(true);
    const c = await ZooKeeperClient.connect(s.connectString, FAST);
    await c.create('/x');
    await c.close();
    expect(readdirSync(dir).length).toBeGreaterThan(0);
    await s.close();
    await s.close();
    expect(existsSync(dir)).toBe(false);
    expect(s.isRunning).toBe(false);
    await expect(s.restart()).rejects.toThrow(/after close/);
  });

  it('leaves a dataDir it was given in place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zabkit-given-'));
    try {
      const s = await TestingServer.start({ dataDir: dir });
      const c = await ZooKeeperClient.connect(s.connectString, FAST);
      await c.create('/persisted', 'p');
      await c.close();
      await s.close();
      expect(existsSync(dir)).toBe(true);
      const again = await server({ dataDir: dir });
      const c2 = await client(again.connectString);
      expect((await c2.getData('/persisted')).data?.toString()).toBe('p');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is AsyncDisposable: `await using` stops it at the end of the scope', async () => {
    let dir: string | undefined;
    let port = 0;
    {
      await using s = await TestingServer.start();
      dir = s.dataDir;
      port = s.port;
      expect(await fourLetterWord(port, 'srvr')).toMatch(/not in the whitelist/);
    }
    expect(existsSync(dir!)).toBe(false);
    await expect(fourLetterWord(port, 'srvr', 1000)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses inMemory together with a dataDir', async () => {
    await expect(TestingServer.start({ inMemory: true, dataDir: '/tmp/x' })).rejects.toThrow(TypeError);
  });
});
