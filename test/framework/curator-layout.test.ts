// Protected node names are laid out as Apache Curator 5.4 lays them out, so a Java service and a
// TypeScript one recognise each other's nodes: a real Curator InterProcessMutex (which creates
// protected ephemeral-sequential nodes) and our framework create nodes of the same shape under
// one parent, and our parser reads Curator's names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateMode, isProtectedName, normalizeProtectedName, normalizeProtectedPath, protectedIdOf, ZooKeeperClient,
} from '../../framework/index.js';
import { startCuratorAgent, type CuratorAgent } from '../support/curator-agent.js';
import { ZABKIT, type Backend } from '../client/support/backends.js';
import { FAST, uniquePath } from '../client/support/clients.js';
import { useFrameworks } from './support/frameworks.js';

describe('protected names shared with Java Curator (zabkit server)', () => {
  let backend: Backend;
  let agent: CuratorAgent;
  let admin: ZooKeeperClient;
  beforeAll(async () => {
    backend = await ZABKIT.start();
    agent = await startCuratorAgent(backend.connectString, { label: 'curator-layout' });
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
  }, 120_000);
  afterAll(async () => {
    await agent?.stop();
    await admin?.close();
    await backend?.stop();
  });
  const open = useFrameworks();

  it("Curator's protected lock node and ours have the same layout and parse alike", async () => {
    const parent = uniquePath('layout');
    const answer = await agent.mutexAcquire('m', parent);
    expect(answer.acquired).toBe(true);
    const zk = await open(backend.connectString);
    const ours = await zk.create(`${parent}/lock-`, null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL, withProtection: true });

    const names = (await admin.getChildren(parent)).children.sort((a, b) => normalizeProtectedName(a).localeCompare(normalizeProtectedName(b)));
    expect(names).toHaveLength(2);
    const [javaName, ourName] = names as [string, string];
    expect(`${parent}/${javaName}`).toBe(answer.node);
    expect(`${parent}/${ourName}`).toBe(ours);
    // Same shape: "_c_" + canonical UUID + "-" + "lock-" + 10-digit sequence.
    const shape = (name: string): string => name.replace(/[0-9a-f]/g, 'h').replace(/\d/g, 'd');
    expect(shape(ourName)).toBe(shape(javaName));
    for (const name of names) {
      expect(isProtectedName(name)).toBe(true);
      expect(protectedIdOf(name)).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(normalizeProtectedName(javaName)).toBe('lock-0000000000');
    expect(normalizeProtectedName(ourName)).toBe('lock-0000000001');
    expect(normalizeProtectedPath(answer.node!)).toBe(`${parent}/lock-0000000000`);
    expect(isProtectedName('lock-0000000000')).toBe(false);
    expect(isProtectedName('_c_not-a-uuid-lock-0000000000')).toBe(false);
    await agent.mutexRelease('m');
  });
});
