// The ZooKeeper C client CLI (Debian's zookeeper-bin: cli_st where packaged, else cli_mt, which
// has the same commands) against zabkit: connect, create (all modes), set/get with Stat, ls/ls2,
// exists with a watch, sync, addauth and delete, cross-checked from node-zookeeper-client; on the
// standalone server and on a 3-member ensemble (+ observer) through a follower, and an observer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliSt } from '../support/real-clients.js';
import { connectNzk, long, type Nzk } from './nzk.js';
import { ZABKIT_FOLLOWER, ZABKIT_OBSERVER, ZABKIT_STANDALONE, type InteropTarget } from './targets.js';

let server: InteropTarget;
let observer: Nzk;

/** The C CLI's Stat printout → fields (czxid/mzxid hex, versions, owner). */
function cStat(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (text ?? '').matchAll(/(czxid|mzxid|version|aversion|ephemeralOwner)\s*=\s*([0-9a-f]+)/g)) {
    if (m[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}

// The standalone server, and a zabkit ensemble reached through one follower or the observer only.
describe.each([ZABKIT_STANDALONE, ZABKIT_FOLLOWER, ZABKIT_OBSERVER])('C client CLI against $name', (spec) => {
  beforeAll(async () => {
    server = await spec.start();
    // On the same server as the C client: it sees every write that client saw answered.
    observer = await connectNzk(server.connectString);
  });

  afterAll(async () => {
    await observer?.close().catch(() => undefined);
    await server?.close();
  });

  it('connects, creates, sets, gets, lists, watches and deletes', async () => {
    const r = await runCliSt(server.connectString, [
      'create /cst',
      'create +e /cst/eph',
      'create +s /cst/seq',
      'create2 /cst/two',
      'create +c /cst-cont',
      'create +t=600000 /cst-ttl',
      'set /cst hello',
      'get /cst',
      'ls /cst',
      'ls2 /cst',
      'exists /cst',
      'wexists /cst-late',
      'create /cst-late',
      'sync /cst',
      'addauth digest cuser:pw',
      'delete /cst',
      'delete /cst/two',
      'delete /cst-late',
      'get /cst-late',
      'myid',
    ]);
    const s = r.sections;
    expect(s[0]).toBe('Creating [/cst] node (mode: 0)\n[/cst]: rc = 0\n\tname = /cst');
    expect(s[1]).toBe('Creating [/cst/eph] node (mode: 1)\n[/cst/eph]: rc = 0\n\tname = /cst/eph');
    // the sequence suffix counts children ever created under /cst: eph was the first
    expect(s[2]).toBe('Creating [/cst/seq] node (mode: 2)\n[/cst/seq]: rc = 0\n\tname = /cst/seq0000000001');
    expect(s[3]).toMatch(/^Creating \[\/cst\/two\] node \(mode: 0\)\n\[\/cst\/two\]: rc = 0\n\tname = \/cst\/two\n\tctime = /);
    expect(cStat(s[3])).toMatchObject({ version: '0', aversion: '0', ephemeralOwner: '0' });
    expect(s[4]).toBe('Creating [/cst-cont] node (mode: 4)\n[/cst-cont]: rc = 0\n\tname = /cst-cont');
    expect(s[5]).toBe('Creating [/cst-ttl] node (mode: 5)\n[/cst-ttl]: rc = 0\n\tname = /cst-ttl');
    expect(s[6]).toMatch(/^\/cst: rc = 0 Stat:\n/);
    const afterSet = cStat(s[6]);
    expect(afterSet.version).toBe('1');
    expect(s[7]).toMatch(/^\/cst: rc = 0\n value_len = 5\nhello\nStat:\n/);
    expect(cStat(s[7])).toEqual(afterSet);
    expect(s[8]?.split('\n')[0]).toBe('/cst: rc = 0');
    expect(s[8]?.split('\n').slice(1).sort()).toEqual(['\teph', '\tseq0000000001', '\ttwo']);
    expect(s[9]).toMatch(/^\/cst: rc = 0\n(\t\w+\n){3}\tctime = /);
    expect(s[10]).toBe(''); // exists prints nothing when the node is there
    expect(s[11]).toBe('Error -101 for /cst-late');
    expect(s[12]).toBe(
      'Creating [/cst-late] node (mode: 0)\nWatcher CREATED_EVENT state = CONNECTED_STATE for path /cst-late\n[/cst-late]: rc = 0\n\tname = /cst-late',
    );
    expect(s[13]).toBe('[/cst]: rc = 0\n\tname = /cst');
    expect(s[14]).toBe('');
    expect(s[15]).toBe('/cst: rc = -111');
    // the CLI's ls left a child watch on /cst, which this delete fires
    expect(s[16]).toBe('Watcher CHILD_EVENT state = CONNECTED_STATE for path /cst\n/cst/two: rc = 0');
    expect(s[17]).toBe('/cst-late: rc = 0');
    expect(s[18]).toBe('/cst-late: rc = -101\nStat:\nnull');
    const sid = /^session Id = ([0-9a-f]+)$/.exec(s[19] ?? '')?.[1];
    expect(sid).toBeDefined();
    expect(BigInt(`0x${sid}`) >> 56n).toBe(BigInt(server.serverId));

    // Cross-check from another client: same zxids and versions; the C session's ephemeral is gone.
    const seen = await observer.getData('/cst');
    expect(seen.data?.toString()).toBe('hello');
    expect(long(seen.stat.czxid).toString(16)).toBe(afterSet.czxid);
    expect(long(seen.stat.mzxid).toString(16)).toBe(afterSet.mzxid);
    expect((await observer.getChildren('/cst')).children.sort()).toEqual(['seq0000000001']);
    // the C CLI creates nodes with the data "new"
    expect((await observer.getData('/cst-cont')).data?.toString()).toBe('new');
    expect(long((await observer.getData('/cst-ttl')).stat.ephemeralOwner)).toBe(0n);
  });
});
