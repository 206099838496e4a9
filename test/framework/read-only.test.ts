// The framework with canBeReadOnly against Apache ZooKeeper 3.8 (readonlymode.enabled): a member
// cut off from its quorum gives READ_ONLY (reads work through the retry loop, writes fail with
// NotReadOnly and are not retried); when a read-write server is found the state becomes
// CONNECTED — the first read-write connection, as Curator reports it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionState, NotReadOnlyError, ZooKeeperClient } from '../../framework/index.js';
import { fourLetterWord } from '../support/apache-zookeeper.js';
import { apacheEnsembleSpec, ZABKIT, type Backend } from '../client/support/backends.js';
import { eventually, FAST } from '../client/support/clients.js';
import { inOrder } from '../client/support/faults.js';
import { useFrameworks } from './support/frameworks.js';

describe('framework in read-only mode (Apache ZooKeeper 3.8 ensemble, readonlymode.enabled)', () => {
  let ensemble: Backend;
  let zabkit: Backend;
  beforeAll(async () => {
    [ensemble, zabkit] = await Promise.all([apacheEnsembleSpec({
      jvmFlags: ['-Dreadonlymode.enabled=true'],
      extraConfig: { forceSync: 'no', localSessionsEnabled: true },
    }).start(), ZABKIT.start()]);
    const writer = await ZooKeeperClient.connect(ensemble.servers[2]!.connectString, FAST, 20_000);
    await writer.create('/ro-data', 'before the partition');
    await writer.close();
    await Promise.all([ensemble.servers[0]!.kill(), ensemble.servers[1]!.kill()]);
    const survivor = ensemble.servers[2]!;
    await eventually(async () => (await fourLetterWord(survivor.port, 'isro').catch(() => '')).startsWith('ro'), 40_000, 'read-only mode');
  }, 120_000);
  afterAll(async () => {
    await Promise.all([ensemble?.stop(), zabkit?.stop()]);
  });
  const open = useFrameworks();

  it('READ_ONLY: reads work, writes fail with NotReadOnlyError at once', async () => {
    const zk = await open(ensemble.servers[2]!.connectString, { canBeReadOnly: true });
    expect(zk.connectionState).toBe(ConnectionState.READ_ONLY);
    expect(zk.isConnected).toBe(true);
    expect((await zk.getData('/ro-data')).data?.toString()).toBe('before the partition');
    await expect(zk.create('/ro-new', 'x')).rejects.toBeInstanceOf(NotReadOnlyError);
  });

  it('READ_ONLY, then CONNECTED once the client moves to a read-write server', async () => {
    const zk = await open(`${ensemble.servers[2]!.connectString},${zabkit.connectString}`, { canBeReadOnly: true, client: { reconnectDelayMs: 50, spinDelayMs: 200, random: inOrder } });
    const seen: ConnectionState[] = [];
    zk.connectionState$.subscribe((s) => seen.push(s));
    await eventually(() => seen.includes(ConnectionState.CONNECTED), 30_000, 'read-write connection');
    expect(seen).toEqual([ConnectionState.READ_ONLY, ConnectionState.SUSPENDED, ConnectionState.CONNECTED]);
    expect(await zk.create('/rw-now', 'ok')).toBe('/rw-now');
  });
});
