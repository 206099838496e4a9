// GroupMember on zabkit's server and Apache ZooKeeper 3.8: Curator's layout (an ephemeral
// "<path>/<id>" node with the payload), every member sees the whole group with payloads and their
// changes, a member that leaves or whose session is killed drops out and (for the killed one)
// comes back on its new session, a deleted member node is re-created.
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperClient } from '../../../framework/index.js';
import { killSession } from '../../../framework/testing/index.js';
import { GroupMember, type GroupMembers } from '../../../recipes/nodes/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, uniquePath } from '../../client/support/clients.js';
import { useFrameworks } from '../../framework/support/frameworks.js';
import { useClosing } from './support.js';

function asText(members: GroupMembers): Record<string, string> {
  return Object.fromEntries([...members].map(([id, data]) => [id, data.toString()]));
}

describe.each([ZABKIT, APACHE_STANDALONE])('GroupMember on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperClient;
  const open = useFrameworks();
  const closing = useClosing();
  beforeAll(async () => {
    backend = await spec.start();
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterAll(async () => {
    await admin?.close();
    await backend?.stop();
  });

  async function member(path: string, id: string, payload: string): Promise<GroupMember> {
    const m = closing(new GroupMember(await open(backend.connectString), path, id, { payload }));
    m.start();
    return m;
  }

  async function sees(m: GroupMember, expected: Record<string, string>): Promise<void> {
    let last: Record<string, string> = {};
    await eventually(() => isDeepStrictEqual((last = asText(m.currentMembers())), expected), 20_000, `${m.thisId} sees ${JSON.stringify(expected)}`).catch((e: unknown) => {
      throw new Error(`${String(e)}; last seen ${JSON.stringify(last)}`);
    });
  }

  it("every member sees the group with payloads, data changes and departures; Curator's layout", async () => {
    const path = `${uniquePath('group')}/members`;
    const a = await member(path, 'a', 'pa');
    const b = await member(path, 'b', 'pb');
    const c = await member(path, 'c', 'pc');
    const all = { a: 'pa', b: 'pb', c: 'pc' };
    for (const m of [a, b, c]) await sees(m, all);
    const node = await admin.getData(`${path}/b`);
    expect(node.data?.toString()).toBe('pb');
    expect(node.stat.ephemeralOwner).not.toBe(0n);
    expect((await admin.getChildren(path)).children.sort()).toEqual(['a', 'b', 'c']);

    const seenByA: Array<Record<string, string>> = [];
    a.members$.subscribe((m) => seenByA.push(asText(m)));
    expect(seenByA[0]).toEqual(all); // the current members first

    await b.setThisData('pb2');
    for (const m of [a, b, c]) await sees(m, { a: 'pa', b: 'pb2', c: 'pc' });
    await c.close();
    for (const m of [a, b]) await sees(m, { a: 'pa', b: 'pb2' });
    expect(await admin.exists(`${path}/c`)).toBeNull();
    expect(seenByA.at(-1)).toEqual({ a: 'pa', b: 'pb2' });
    expect(a.idFromPath(`${path}/b`)).toBe('b');
  });

  it('a member counts itself even before its node is seen, and members$ completes on close', async () => {
    const path = `${uniquePath('group')}/members`;
    const m = closing(new GroupMember(await open(backend.connectString), path, 'me', { payload: 'mine' }));
    expect(asText(m.currentMembers())).toEqual({ me: 'mine' });
    m.start();
    expect(await m.waitForInitialCreate(20_000)).toBe(true);
    await sees(m, { me: 'mine' });
    let completed = false;
    m.members$.subscribe({ complete: () => (completed = true) });
    await m.close();
    expect(completed).toBe(true);
    expect(await admin.exists(`${path}/me`)).toBeNull();
  });

  it('a member whose session is killed drops out and comes back on its new session; a deleted member node comes back', async () => {
    const path = `${uniquePath('group')}/members`;
    const watcher = await member(path, 'watcher', 'w');
    const victimFw = await open(backend.connectString);
    const victim = closing(new GroupMember(victimFw, path, 'victim', { payload: 'v' }));
    victim.start();
    await sees(watcher, { watcher: 'w', victim: 'v' });
    const history: string[][] = [];
    watcher.members$.subscribe((m) => history.push([...m.keys()].sort()));
    const oldSession = victimFw.client.sessionId;
    await killSession(victimFw.client, backend.connectString);
    await eventually(async () => {
      const stat = await admin.exists(`${path}/victim`);
      return stat !== null && stat.ephemeralOwner === victimFw.client.sessionId && stat.ephemeralOwner !== oldSession;
    }, 30_000, 'victim back on its new session');
    await sees(watcher, { watcher: 'w', victim: 'v' });
    expect(history).toContainEqual(['watcher']); // it was seen gone in between
    expect(asText(victim.currentMembers())).toEqual({ watcher: 'w', victim: 'v' });

    const before = (await admin.exists(`${path}/watcher`))!.czxid;
    await admin.delete(`${path}/watcher`);
    await eventually(async () => ((await admin.exists(`${path}/watcher`))?.czxid ?? before) > before, 20_000, 'watcher node re-created');
    await sees(victim, { watcher: 'w', victim: 'v' });
  });

  it('rejects bad ids and paths', async () => {
    const fw = await open(backend.connectString);
    expect(() => new GroupMember(fw, '/g', '')).toThrow(/member id/);
    expect(() => new GroupMember(fw, '/g', 'a/b')).toThrow(/member id/);
    expect(() => new GroupMember(fw, 'g', 'a')).toThrow(/BadArguments/);
  });
});
