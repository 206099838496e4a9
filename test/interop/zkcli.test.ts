// Debian's zkCli.sh (the Java client, ZooKeeper 3.8.0) against zabkit: every command family the
// CLI offers for a standalone server, checked line by line, plus one transcript replayed against
// real Apache ZooKeeper 3.8 and compared after masking times and session ids. On the standalone
// server, and on a 3-member zabkit ensemble through a follower (compared with an Apache follower).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fourLetterWord } from '../support/apache-zookeeper.js';
import { runZkCli, type CliResult } from '../support/real-clients.js';
import { connectNzk, long, watchProbe, withTimeout, type Nzk } from './nzk.js';
import { startApacheCounterpart, ZABKIT_FOLLOWER, ZABKIT_STANDALONE, type InteropTarget } from './targets.js';

let server: InteropTarget;
let apache: InteropTarget | undefined;
let observer: Nzk;

const zkCli = (commands: string[]): Promise<CliResult> => runZkCli(server.connectString, commands);

/** "key = value" lines of zkCli's Stat printout → record. */
function statLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+) = (.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}

const STAT_KEYS = ['cZxid', 'ctime', 'mZxid', 'mtime', 'pZxid', 'cversion', 'dataVersion', 'aclVersion', 'ephemeralOwner', 'dataLength', 'numChildren'];
/** java.util.Date.toString(), e.g. "Sat Nov 21 20:36:35 UTC 2026". */
const JAVA_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{2} \d{2}:\d{2}:\d{2} [A-Z]{2,5} \d{4}$/;
const hex = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;
const watchedEvents = (r: CliResult): string[] =>
  r.output.split('\n').filter((l) => l.startsWith('WatchedEvent ') && !l.includes('type:None'));

// The standalone server (transcript compared with a standalone Apache ZooKeeper), and a zabkit
// ensemble reached through one follower only (compared with a follower of an Apache ensemble).
describe.each([ZABKIT_STANDALONE, ZABKIT_FOLLOWER])('zkCli.sh against $name', (spec) => {
  beforeAll(async () => {
    [server, apache] = await Promise.all([spec.start(), startApacheCounterpart(spec.mode, { extendedTypes: true })]);
    // On the same server as zkCli: it sees every write zkCli saw answered.
    observer = await connectNzk(server.connectString);
  });

  afterAll(async () => {
    await observer?.close().catch(() => undefined);
    await server?.close();
    await apache?.close();
  });

  it('creates persistent, sequential-ephemeral, container and TTL nodes, and lists them', async () => {
    const r = await zkCli([
      'create /zkcli-c hello',
      'create -s -e /zkcli-c/s x',
      'create -s -e /zkcli-c/s y',
      'create -c /zkcli-c/cont',
      'create -t 600000 /zkcli-c/ttl t',
      'ls /zkcli-c',
      'ls -s /zkcli-c',
      'get -s /zkcli-c',
      'stat /zkcli-c/s0000000000',
      'stat /zkcli-c/cont',
      'stat /zkcli-c/ttl',
      'create /zkcli-c hello',
      'create /zkcli-missing/x',
      'create -e /zkcli-c/s0000000000/kid',
    ]);
    const s = r.sections;
    expect(s.slice(0, 5)).toEqual([
      'Created /zkcli-c',
      'Created /zkcli-c/s0000000000',
      'Created /zkcli-c/s0000000001',
      'Created /zkcli-c/cont',
      'Created /zkcli-c/ttl',
    ]);
    expect(s[5]).toBe('[cont, s0000000000, s0000000001, ttl]');
    // ls -s: the children, then the parent's Stat.
    const lsS = (s[6] ?? '').split('\n');
    expect(lsS[0]).toBe('[cont, s0000000000, s0000000001, ttl]');
    expect(Object.keys(statLines(s[6] ?? ''))).toEqual(STAT_KEYS);

    // get -s: the data, then the Stat lines in zkCli's order, consistent with another client's view.
    const get = (s[7] ?? '').split('\n');
    expect(get[0]).toBe('hello');
    expect(get.slice(1).map((l) => l.split(' = ')[0])).toEqual(STAT_KEYS);
    const st = statLines(s[7] ?? '');
    const seen = await observer.getData('/zkcli-c');
    expect(st).toMatchObject({
      cZxid: hex(long(seen.stat.czxid)),
      mZxid: hex(long(seen.stat.mzxid)),
      cversion: '4',
      dataVersion: '0',
      aclVersion: '0',
      ephemeralOwner: '0x0',
      dataLength: '5',
      numChildren: '4',
    });
    expect(st.cZxid).toBe(st.mZxid);
    expect(BigInt(st.pZxid ?? '0')).toBeGreaterThan(BigInt(st.cZxid ?? '0'));
    // The observer looks after zkCli quit: its ephemerals' deletion moved pZxid on.
    expect(long(seen.stat.pzxid)).toBeGreaterThan(BigInt(st.pZxid ?? '0'));
    expect(st.ctime).toMatch(JAVA_DATE);
    expect(st.mtime).toBe(st.ctime);

    const eph = statLines(s[8] ?? '');
    expect(eph.ephemeralOwner).toMatch(/^0x[0-9a-f]+$/);
    expect(eph.ephemeralOwner).not.toBe('0x0');
    expect(eph.dataLength).toBe('1');
    // Container and TTL nodes report ephemeralOwner 0.
    expect(statLines(s[9] ?? '').ephemeralOwner).toBe('0x0');
    expect(statLines(s[10] ?? '').ephemeralOwner).toBe('0x0');

    expect(s[11]).toBe('Node already exists: /zkcli-c');
    expect(s[12]).toBe('Node does not exist: /zkcli-missing/x');
    expect(s[13]).toBe('Ephemerals cannot have children: /zkcli-c/s0000000000/kid');

    // The ephemerals died with zkCli's session (it sends closeSession on quit).
    expect((await observer.getChildren('/zkcli-c')).children.sort()).toEqual(['cont', 'ttl']);
  });

  it('sets with versions, stats, deletes and deletealls', async () => {
    const r = await zkCli([
      'create /zkcli-v one',
      'create /zkcli-v/a',
      'create /zkcli-v/a/b x',
      'set -v 0 /zkcli-v two',
      'set -v 0 /zkcli-v three',
      'get -s /zkcli-v',
      'set -s /zkcli-v four',
      'stat /zkcli-v',
      'stat /zkcli-v/none',
      'delete /zkcli-v',
      'delete -v 7 /zkcli-v/a/b',
      'delete -v 0 /zkcli-v/a/b',
      'ls /zkcli-v/a',
      'deleteall /zkcli-v',
      'ls /zkcli-v',
      'get /zkcli-v',
    ]);
    const s = r.sections;
    expect(s.slice(0, 5)).toEqual(['Created /zkcli-v', 'Created /zkcli-v/a', 'Created /zkcli-v/a/b', '', 'version No is not valid : /zkcli-v']);
    expect(s[5]?.split('\n')[0]).toBe('two');
    expect(statLines(s[5] ?? '')).toMatchObject({ dataVersion: '1', dataLength: '3', numChildren: '1' });
    const afterSet = statLines(s[6] ?? '');
    expect(afterSet).toMatchObject({ dataVersion: '2', dataLength: '4' });
    expect(BigInt(afterSet.mZxid ?? '0')).toBeGreaterThan(BigInt(afterSet.cZxid ?? '0'));
    expect(statLines(s[7] ?? '')).toEqual(afterSet);
    expect(s[8]).toBe('Node does not exist: /zkcli-v/none');
    expect(s[9]).toBe('Node not empty: /zkcli-v');
    expect(s[10]).toBe('version No is not valid : /zkcli-v/a/b');
    expect(s.slice(11)).toEqual(['', '[]', '', 'Node does not exist: /zkcli-v', 'Node does not exist: /zkcli-v']);
    expect(await observer.exists('/zkcli-v')).toBeNull();
  });

  it('has container and TTL nodes reaped by the server', async () => {
    await zkCli(['create -c /zkcli-reap', 'create /zkcli-reap/kid', 'create -t 300 /zkcli-ttl-reap v']);
    const containerGone = watchProbe();
    const ttlGone = watchProbe();
    expect(await observer.exists('/zkcli-reap', containerGone.watcher)).not.toBeNull();
    // The TTL node may already be gone if the reaper ran since; otherwise wait for NodeDeleted.
    const ttlStat = await observer.exists('/zkcli-ttl-reap', ttlGone.watcher);
    const r = await zkCli(['delete /zkcli-reap/kid']);
    expect(r.sections).toEqual(['']);
    const ev = await withTimeout(containerGone.event, 8000, 'container reaped');
    expect(ev.getName()).toBe('NODE_DELETED');
    expect(ev.getPath()).toBe('/zkcli-reap');
    if (ttlStat !== null) {
      const ttlEv = await withTimeout(ttlGone.event, 8000, 'TTL node reaped');
      expect([ttlEv.getName(), ttlEv.getPath()]).toEqual(['NODE_DELETED', '/zkcli-ttl-reap']);
    }
    expect(await observer.exists('/zkcli-ttl-reap')).toBeNull();
  });

  it('authenticates with digest, sets and gets ACLs, and refuses other sessions', async () => {
    const digest = `alice:${createHash('sha1').update('alice:pw1').digest('base64')}`;
    const owner = await zkCli([
      'addauth digest alice:pw1',
      'create /zkcli-acl secret',
      'setAcl /zkcli-acl auth::cdrwa',
      'getAcl /zkcli-acl',
      'create /zkcli-acl-open x',
      'setAcl -v 3 /zkcli-acl-open world:anyone:r',
      'setAcl -v 0 /zkcli-acl-open world:anyone:r',
      'getAcl /zkcli-acl-open',
      'set /zkcli-acl-open y',
      'setAcl /zkcli-acl-open world:anyone:cdrwa',
      'setAcl /zkcli-acl-open world:nobody:r',
      'whoami',
    ]);
    const o = owner.sections;
    expect(o.slice(0, 3)).toEqual(['', 'Created /zkcli-acl', '']);
    expect(o[3]).toBe(`'digest,'${digest}\n: cdrwa`);
    expect(o[5]).toBe('version No is not valid : /zkcli-acl-open');
    expect(o[6]).toBe('');
    expect(o[7]).toBe("'world,'anyone\n: r");
    expect(o[8]).toBe('Insufficient permission : /zkcli-acl-open');
    // No ADMIN left on the node; but an invalid ACL is reported before permissions are checked.
    expect(o[9]).toBe('Insufficient permission : /zkcli-acl-open');
    expect(o[10]).toBe('Acl is not valid : /zkcli-acl-open');
    expect(new Set(o[11]?.split('\n'))).toEqual(new Set(['Auth scheme: User', 'ip: 127.0.0.1', 'digest: alice']));

    const stranger = await zkCli([
      'get /zkcli-acl',
      'ls /zkcli-acl',
      'getAcl /zkcli-acl',
      'set /zkcli-acl nope',
      'create /zkcli-acl/kid',
      'addauth digest alice:wrong',
      'get /zkcli-acl',
      'addauth digest alice:pw1',
      'get /zkcli-acl',
      'create /zkcli-acl/kid',
      'setAcl /zkcli-acl digest:bob:cdrwa',
      'setAcl /zkcli-acl digest:bob:not-a-real-hash:cdrwa',
      'get /zkcli-acl',
    ]);
    const t = stranger.sections;
    expect(t.slice(0, 5)).toEqual([
      'Insufficient permission : /zkcli-acl',
      'Insufficient permission : /zkcli-acl',
      'Insufficient permission : /zkcli-acl',
      'Insufficient permission : /zkcli-acl',
      'Insufficient permission : /zkcli-acl/kid',
    ]);
    expect(t.slice(5)).toEqual([
      '',
      'Insufficient permission : /zkcli-acl',
      '',
      'secret',
      'Created /zkcli-acl/kid',
      // a digest id needs exactly one ':'; any "user:hash" shape is accepted as is
      'Acl is not valid : /zkcli-acl',
      '',
      'Insufficient permission : /zkcli-acl',
    ]);
    // The node created under it carries the ACL zkCli asked for (world:anyone), not the parent's.
    expect((await observer.getACL('/zkcli-acl/kid')).acls.map((a) => [a.permission, a.id.scheme, a.id.id])).toEqual([[31, 'world', 'anyone']]);
  });

  it('prints WATCHER events for addWatch (recursive and persistent) and one-shot -w watches', async () => {
    const r = await zkCli([
      'create /zkcli-w',
      'create /zkcli-p',
      'addWatch /zkcli-w',
      'addWatch -m PERSISTENT /zkcli-p',
      'set /zkcli-w a',
      'create /zkcli-w/c',
      'set /zkcli-w/c b',
      'delete /zkcli-w/c',
      'create /zkcli-p/c',
      'create /zkcli-p/c/grand',
      'set /zkcli-p x',
      'get -w /zkcli-p/c',
      'set /zkcli-p/c 1',
      'set /zkcli-p/c 2',
      'stat -w /zkcli-w-missing',
      'create /zkcli-w-missing',
      'ls -w /zkcli-p/c',
      'delete /zkcli-p/c/grand',
    ]);
    expect(watchedEvents(r)).toEqual([
      'WatchedEvent state:SyncConnected type:NodeDataChanged path:/zkcli-w',
      'WatchedEvent state:SyncConnected type:NodeCreated path:/zkcli-w/c',
      'WatchedEvent state:SyncConnected type:NodeDataChanged path:/zkcli-w/c',
      'WatchedEvent state:SyncConnected type:NodeDeleted path:/zkcli-w/c',
      'WatchedEvent state:SyncConnected type:NodeChildrenChanged path:/zkcli-p',
      // no event for /zkcli-p/c/grand: PERSISTENT is not recursive
      'WatchedEvent state:SyncConnected type:NodeDataChanged path:/zkcli-p',
      // get -w fires once, then is gone
      'WatchedEvent state:SyncConnected type:NodeDataChanged path:/zkcli-p/c',
      'WatchedEvent state:SyncConnected type:NodeCreated path:/zkcli-w-missing',
      'WatchedEvent state:SyncConnected type:NodeChildrenChanged path:/zkcli-p/c',
    ]);
    // each event is announced by a "WATCHER::" line (plus the connect and close events)
    expect(r.stdout.split('\n').filter((l) => l === 'WATCHER::')).toHaveLength(9 + 2);
    expect(r.stdout).toMatch(/^WatchedEvent state:Closed type:None path:null$/m);
  });

  it('answers whoami, getEphemerals, getAllChildrenNumber, sync and version', async () => {
    const r = await zkCli([
      'whoami',
      'create /zkcli-n',
      'create /zkcli-n/a',
      'create /zkcli-n/a/b',
      'create -e /zkcli-n/e1',
      'create -e /zkcli-n/a/e2',
      'create -e /zkcli-n-other',
      'getEphemerals /zkcli-n',
      'getEphemerals',
      'getAllChildrenNumber /zkcli-n',
      'getAllChildrenNumber /zkcli-n/a/b',
      'getAllChildrenNumber /zkcli-n-none',
      'sync /zkcli-n',
      'version',
    ]);
    const s = r.sections;
    expect(s[0]).toBe('Auth scheme: User\nip: 127.0.0.1');
    const list = (text: string | undefined): string[] => (text ?? '').replace(/^\[|\]$/g, '').split(', ').sort();
    // The prefix is a plain string prefix of the whole path, as in ZooKeeper.
    expect(list(s[7])).toEqual(['/zkcli-n-other', '/zkcli-n/a/e2', '/zkcli-n/e1']);
    // No path: everything this session owns.
    expect(list(s[8])).toEqual(['/zkcli-n-other', '/zkcli-n/a/e2', '/zkcli-n/e1']);
    expect(s.slice(9, 13)).toEqual(['4', '0', 'Node does not exist: /zkcli-n-none', 'Sync is OK']);
    expect(s[13]).toMatch(/^ZooKeeper CLI version: 3\.8\.\d+/);
  });

  it('serves srvr/ruok/isro consistently with what zkCli did', async () => {
    const r = await zkCli(['create /zkcli-4lw x', 'set /zkcli-4lw y']);
    expect(r.sections).toEqual(['Created /zkcli-4lw', '']);
    const { stat } = await observer.getData('/zkcli-4lw');
    const srvr = await fourLetterWord(server.port, 'srvr');
    expect(srvr).toMatch(/^Zookeeper version: 3\.\d+\.\d+-.*, built on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/m);
    expect(srvr).toMatch(new RegExp(`^Mode: ${server.mode}$`, 'm'));
    const zxid = /^Zxid: (0x[0-9a-f]+)$/m.exec(srvr)?.[1];
    expect(zxid).toBeDefined();
    // zkCli's closeSession is the last write; it comes after the setData.
    expect(BigInt(zxid ?? '0')).toBeGreaterThan(long(stat.mzxid));
    expect(await fourLetterWord(server.port, 'ruok')).toBe('imok');
    expect(await fourLetterWord(server.port, 'isro')).toBe('rw');
  });

  it('prints the same transcript as Apache ZooKeeper 3.8 (times, session ids and zxid base masked)', async () => {
    if (!apache) throw new Error('Apache ZooKeeper did not start');
    const script = [
      'create /zkd hello',
      'create -s -e /zkd/s x',
      'create -c /zkd/cont',
      'create -t 600000 /zkd/ttl t',
      'create -t 0 /zkd/ttl0',
      'create -c -s /zkd/cs',
      'ls /zkd',
      'ls -s /zkd',
      'get -s /zkd',
      'set -v 0 /zkd v1',
      'set -v 0 /zkd v2',
      'stat /zkd',
      'stat /zkd/s0000000000',
      'stat /zkd/nope',
      'whoami',
      'getEphemerals /zkd',
      'getAllChildrenNumber /zkd',
      'sync /zkd',
      'addauth digest bob:secret',
      'whoami',
      'create /zkd/sec s',
      'setAcl /zkd/sec auth::cdrwa',
      'getAcl /zkd/sec',
      'setAcl /zkd/sec world:nobody:r',
      'setAcl /zkd/sec digest:bob:x:cdrwa',
      'getAcl /zookeeper/config',
      'get /zookeeper/config',
      'addWatch /zkd',
      'set /zkd v3',
      'create /zkd/kid',
      'get -w /zkd/kid',
      'removewatches /zkd/kid',
      'removewatches /zkd/kid',
      'create /zkd/kid/g',
      'delete /zkd/kid',
      'delete -v 9 /zkd/kid/g',
      'deleteall /zkd',
      'ls -R /zkd',
      'delete /zookeeper',
      'create /zookeeper/x',
      'delete /zookeeper/x',
      'create /zkd-e',
      'create -e /zkd-e/e',
      'create /zkd-e/e/c',
      'deleteall /zkd-e',
    ];
    const [ours, theirs] = await Promise.all([zkCli(script), runZkCli(apache.connectString, script)]);
    const normalise = (r: CliResult): string[] => {
      const zxids = [...r.output.matchAll(/^[cmp]Zxid = (0x[0-9a-f]+)$/gm)].map((m) => BigInt(m[1] ?? '0'));
      const base = zxids.length > 0 ? zxids.reduce((a, b) => (a < b ? a : b)) : 0n;
      return r.sections.map((section) =>
        section
          .split('\n')
          // watch events are printed by zkCli's event thread, so they interleave freely; compared below
          .filter((line) => !line.startsWith('WatchedEvent '))
          .map((line) =>
            line
              .replace(/^([cmp]Zxid) = (0x[0-9a-f]+)$/, (_, k: string, v: string) => `${k} = base+${BigInt(v) - base}`)
              .replace(/^([cm]time) = .*$/, '$1 = <time>')
              .replace(/^ephemeralOwner = 0x[0-9a-f]*[1-9a-f][0-9a-f]*$/, 'ephemeralOwner = <session>'),
          )
          // whoami lists the connection's ids in hash order
          .sort((a, b) => (section.startsWith('Auth scheme:') ? a.localeCompare(b) : 0))
          .join('\n'),
      );
    };
    const a = normalise(ours);
    const b = normalise(theirs);
    for (let i = 0; i < script.length; i++) {
      if (server.mode !== 'standalone' && script[i] === 'get /zookeeper/config') {
        // Known gap (docs/zab.md, "Not modelled yet"): a zabkit member's /zookeeper/config does
        // not hold the membership text an Apache member's does. Pinned, so closing it shows here.
        expect(a[i]).toBe('');
        expect(b[i]).toMatch(/^server\.1=127\.0\.0\.1:\d+:\d+:participant\nserver\.2=.*\nserver\.3=.*\nversion=0$/);
        continue;
      }
      expect({ cmd: script[i], out: a[i] }).toEqual({ cmd: script[i], out: b[i] });
    }
    expect(watchedEvents(ours)).toEqual(watchedEvents(theirs));
  });
});
