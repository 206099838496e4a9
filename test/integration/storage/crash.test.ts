// kill -9 of a real `zabkit server` process under pipelined write load from a real client
// (node-zookeeper-client): after a restart on the same data directory every acknowledged
// write is there, and no multi is half-applied.

import { fileURLToPath } from 'node:url';
import zookeeper from 'node-zookeeper-client';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../support/ports.js';
import { exited, signalGroup, spawnTracked, tail, waitClosed } from '../../support/processes.js';
import { removeDataDir, tempDataDir } from '../../support/data-dirs.js';
import type { ChildProcess } from 'node:child_process';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const children: ChildProcess[] = [];
const clients: zookeeper.Client[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const child of children.splice(0)) {
    signalGroup(child, 'SIGKILL');
    await waitClosed(child, 5000);
  }
});

/** One node process (no tsx wrapper), so SIGKILL hits the server itself. */
async function startZabkit(port: number, dataDir: string): Promise<ChildProcess> {
  const child = spawnTracked(process.execPath, [
    '--import', 'tsx', 'cli/main.ts', 'server', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir,
  ], { cwd: ROOT });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!out.includes('listening on')) {
    if (exited(child) || Date.now() > deadline) throw new Error(`zabkit server did not start:\n${tail(out)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return child;
}

function connect(port: number): Promise<zookeeper.Client> {
  const client = zookeeper.createClient(`127.0.0.1:${port}`, { sessionTimeout: 10_000, retries: 0 });
  clients.push(client);
  return new Promise((resolve) => {
    client.once('connected', () => resolve(client));
    client.connect();
  });
}

const create = (c: zookeeper.Client, path: string): Promise<void> =>
  new Promise((resolve, reject) => c.create(path, Buffer.from(path), zookeeper.ACL.OPEN_ACL_UNSAFE, 0, (e) => (e ? reject(e) : resolve())));

const pair = (c: zookeeper.Client, i: number): Promise<void> =>
  new Promise((resolve, reject) => c.transaction()
    .create(`/m/a${i}`, Buffer.from('a'), zookeeper.ACL.OPEN_ACL_UNSAFE, 0)
    .create(`/m/b${i}`, Buffer.from('b'), zookeeper.ACL.OPEN_ACL_UNSAFE, 0)
    .commit((e) => (e ? reject(e) : resolve())));

const children$ = (c: zookeeper.Client, path: string): Promise<Set<string>> =>
  new Promise((resolve, reject) => c.getChildren(path, undefined, (e, kids) => (e ? reject(e) : resolve(new Set(kids)))));

describe('kill -9 under write load', () => {
  it('every acknowledged create and multi survives; no multi is half-applied', async () => {
    const port = await freePort();
    const dataDir = tempDataDir('zabkit-crash');
    try {
      const server = await startZabkit(port, dataDir);
      const c = await connect(port);
      await create(c, '/c');
      await create(c, '/m');
      const acked = new Set<string>();
      const ackedPairs = new Set<number>();
      let issued = 0;
      let killed = false;
      const load = async (worker: number): Promise<void> => {
        for (let i = worker; !killed; i += 16) {
          issued++;
          try {
            if (i % 3 === 0) {
              await pair(c, i);
              ackedPairs.add(i);
            } else {
              await create(c, `/c/k${i}`);
              acked.add(`k${i}`);
            }
          } catch {
            return; // the connection is gone
          }
        }
      };
      const workers = Array.from({ length: 16 }, (_, w) => load(w));
      while (acked.size + ackedPairs.size < 1500) await new Promise((r) => setTimeout(r, 20));
      killed = true;
      signalGroup(server, 'SIGKILL');
      await waitClosed(server, 10_000);
      expect(server.signalCode).toBe('SIGKILL');
      await Promise.race([Promise.all(workers), new Promise((r) => setTimeout(r, 15_000))]);
      c.close();

      await startZabkit(port, dataDir);
      const d = await connect(port);
      const present = await children$(d, '/c');
      const missing = [...acked].filter((k) => !present.has(k));
      expect(missing, `acknowledged creates lost (of ${acked.size} acked, ${issued} issued)`).toEqual([]);
      const pairs = await children$(d, '/m');
      for (const i of ackedPairs) expect(pairs.has(`a${i}`) && pairs.has(`b${i}`), `acked multi ${i}`).toBe(true);
      for (const name of pairs) {
        const i = name.slice(1);
        expect(pairs.has(`a${i}`) && pairs.has(`b${i}`), `multi ${i} half-applied`).toBe(true);
      }
    } finally {
      removeDataDir(dataDir);
    }
  }, 90_000);
});
