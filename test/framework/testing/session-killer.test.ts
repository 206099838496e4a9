// killSession / waitForSessionExpired (zabkit/testing) against zabkit's server and Apache
// ZooKeeper 3.8: the victim's session is closed on the server (its ephemerals go), the victim
// sees Expired on reconnecting and its operations fail with SessionExpiredError.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateMode, KeeperState, SessionExpiredError, ZooKeeperClient } from '../../../framework/index.js';
import { ClientClosedError } from '../../../framework/client/index.js';
import { killSession, killSessionAndWait, waitForSessionExpired } from '../../../framework/testing/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { FAST, nextState, uniquePath, useClients } from '../../client/support/clients.js';

describe.each([ZABKIT, APACHE_STANDALONE])('session killer on $name', (spec) => {
  let backend: Backend;
  const open = useClients();
  beforeAll(async () => {
    backend = await spec.start();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  it('killSession closes the session on the server; the victim then sees Expired', async () => {
    const victim = await open(backend.connectString);
    const observer = await open(backend.connectString);
    const path = uniquePath('victim');
    await victim.create(path, null, { mode: CreateMode.EPHEMERAL });
    const expired = waitForSessionExpired(victim);
    await killSession(victim, backend.connectString);
    // Resolved only once the server answers "expired": the ephemeral is already gone.
    expect(await observer.exists(path)).toBeNull();
    await expired;
    expect(victim.phase).toBe('expired');
    await expect(victim.getData('/')).rejects.toBeInstanceOf(SessionExpiredError);
  });

  it('killSessionAndWait returns once the victim itself has seen Expired', async () => {
    const victim = await open(backend.connectString);
    await killSessionAndWait(victim, backend.connectString);
    expect(victim.phase).toBe('expired');
  });

  it('a session that is already gone is killed at once; waitForSessionExpired replays Expired', async () => {
    const victim = await open(backend.connectString);
    await killSessionAndWait(victim, backend.connectString);
    await killSession(victim, backend.connectString);
    await waitForSessionExpired(victim, 1000);
  });

  it('kills a victim that fights back with instant reconnects', async () => {
    const victim = await open(backend.connectString, { reconnectDelayMs: 0, spinDelayMs: 0 });
    await killSessionAndWait(victim, backend.connectString);
    expect(victim.phase).toBe('expired');
  });

  it('waitForSessionExpired rejects when the client closes first, and on timeout', async () => {
    const c = new ZooKeeperClient(backend.connectString, FAST);
    await c.waitForConnected(20_000);
    const waiting = waitForSessionExpired(c);
    await c.close();
    await expect(waiting).rejects.toBeInstanceOf(ClientClosedError);
    const alive = await open(backend.connectString);
    await expect(waitForSessionExpired(alive, 200)).rejects.toThrow(/not expired within 200 ms/);
    expect(alive.isConnected).toBe(true);
  });

  it('refuses a client without a session', async () => {
    await expect(killSession({ sessionId: 0n, sessionPassword: Buffer.alloc(16) }, backend.connectString)).rejects.toThrow(TypeError);
  });

  it('the killed session is not resumed by the victim: it must open a new one', async () => {
    const victim = await open(backend.connectString);
    const old = victim.sessionId;
    const lost = nextState(victim, KeeperState.Expired);
    await killSession(victim, backend.connectString);
    await lost;
    const again = await open(backend.connectString);
    expect(again.sessionId).not.toBe(old);
  });
});
