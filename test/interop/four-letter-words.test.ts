// Four-letter words on zabkit's client port, compared with real Apache ZooKeeper 3.8 holding the
// same state (one session with an ephemeral, two data-table watches and a child watch): exact
// text where the output is state-determined, and key sets / line shapes where values differ. On
// standalone servers, and on a follower of a 3-member zabkit ensemble next to an Apache follower.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/index.js';
import { fourLetterWord, startApacheZooKeeper } from '../support/apache-zookeeper.js';
import { connectNzk, zookeeper, type Nzk } from './nzk.js';
import { startApacheCounterpart, ZABKIT_STANDALONE, zabkitEnsemble, type InteropTarget } from './targets.js';

interface Target {
  port: number;
  client: Nzk;
  sid: string;
}

let server: InteropTarget;
let apache: InteropTarget;
let ours: Target;
let theirs: Target;

/** The same session state on both servers. */
async function populate(connectString: string, port: number): Promise<Target> {
  const client = await connectNzk(connectString);
  await client.create('/flw', Buffer.from('x'));
  await client.create('/flw/eph', null, zookeeper.CreateMode.EPHEMERAL);
  await client.getData('/flw', () => undefined);
  await client.getChildren('/flw', () => undefined);
  await client.exists('/flw-missing', () => undefined);
  return { port, client, sid: `0x${client.sessionId.toString(16)}` };
}

const both = (word: string): Promise<[string, string]> => Promise.all([fourLetterWord(ours.port, word), fourLetterWord(theirs.port, word)]);
const lines = (text: string): string[] => text.split('\n');
/** Keys of "key: value" / "key=value" / "key\tvalue" lines, in order. */
const keys = (text: string, sep: RegExp): string[] =>
  lines(text)
    .filter((l) => sep.test(l))
    .map((l) => l.split(sep)[0] ?? '');

const SRVR_LINES = [
  /^Zookeeper version: 3\.\d+\.\d+-.+, built on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/,
  /^Latency min\/avg\/max: \d+\/\d+\.\d+(E-?\d+)?\/\d+$/,
  /^Received: \d+$/,
  /^Sent: \d+$/,
  /^Connections: \d+$/,
  /^Outstanding: \d+$/,
  /^Zxid: 0x[0-9a-f]+$/,
  /^Mode: (standalone|follower)$/,
  /^Node count: \d+$/,
  /^$/,
];
/** stat's brief connection line. */
const CNXN_BRIEF = /^ \/127\.0\.0\.1:\d+\[[014]\]\(queued=\d+,recved=\d+,sent=\d+\)$/;
/** cons's full line for a connection with a session. */
const CNXN_FULL =
  /^ \/127\.0\.0\.1:\d+\[[014]\]\(queued=\d+,recved=\d+,sent=\d+,sid=0x[0-9a-f]+,lop=[A-Z0-9]+,est=\d+,to=\d+,lcxid=0x[0-9a-f]+,lzxid=0x[0-9a-f]+,lresp=\d+,llat=\d+,minlat=\d+,avglat=\d+,maxlat=\d+\)$/;
const JAVA_DATE = /(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{2} \d{2}:\d{2}:\d{2} [A-Z]{2,5} \d{4}/;

// The standalone servers; and a follower of a 3-member zabkit ensemble next to a follower of a
// 3-member Apache ensemble (both 3 voters with tickTime 2000, so conf's values and membership agree).
describe.each([ZABKIT_STANDALONE, zabkitEnsemble('follower', { tickTimeMs: 2000, observers: 0 })])('four-letter words on $name (vs Apache ZooKeeper 3.8)', (spec) => {
  beforeAll(async () => {
    [server, apache] = await Promise.all([spec.start(), startApacheCounterpart(spec.mode, { extendedTypes: true })]);
    [ours, theirs] = await Promise.all([populate(server.connectString, server.port), populate(apache.connectString, apache.port)]);
  });

  afterAll(async () => {
    await Promise.all([ours?.client.close().catch(() => undefined), theirs?.client.close().catch(() => undefined)]);
    await server?.close();
    await apache?.close();
  });

  it('ruok, isro and unknown words answer identically', async () => {
    for (const [word, expected] of [
      ['ruok', 'imok'],
      ['isro', 'rw'],
      // not a known word: read as a frame length far over jute.maxbuffer, so closed silently
      ['abcd', ''],
    ] as const) {
      expect(await both(word), word).toEqual([expected, expected]);
    }
  });

  it('srvr has the same lines, in order, ending in a newline', async () => {
    const [a, b] = await both('srvr');
    for (const text of [a, b]) {
      const ls = lines(text);
      expect(ls).toHaveLength(SRVR_LINES.length);
      ls.forEach((l, i) => expect(l).toMatch(SRVR_LINES[i]!));
    }
    expect(a).toMatch(new RegExp(`^Mode: ${server.mode}$`, 'm'));
    expect(b).toMatch(new RegExp(`^Mode: ${apache.mode}$`, 'm'));
    // five built-in entries (root counted twice) + /flw + /flw/eph on both
    expect(/^Node count: (\d+)$/m.exec(a)?.[1]).toBe('7');
    expect(/^Node count: (\d+)$/m.exec(b)?.[1]).toBe('7');
    // the asking connection counts: the client session plus this one
    expect(/^Connections: (\d+)$/m.exec(a)?.[1]).toBe('2');
    expect(/^Connections: (\d+)$/m.exec(b)?.[1]).toBe('2');
  });

  it('stat lists every connection, the asking one included, then the srvr lines', async () => {
    const [a, b] = await both('stat');
    for (const text of [a, b]) {
      const ls = lines(text);
      expect(ls[0]).toMatch(SRVR_LINES[0]!);
      expect(ls[1]).toBe('Clients:');
      expect(ls.slice(2, 4).every((l) => CNXN_BRIEF.test(l))).toBe(true);
      expect(ls[4]).toBe('');
      ls.slice(5).forEach((l, i) => expect(l).toMatch(SRVR_LINES[i + 1]!));
    }
  });

  it('cons prints one full line per connection (session fields only with a session), then a blank line', async () => {
    const [a, b] = await both('cons');
    for (const text of [a, b]) {
      expect(text.endsWith(')\n\n')).toBe(true);
      const ls = lines(text).slice(0, -2);
      expect(ls).toHaveLength(2);
      const withSession = ls.filter((l) => l.includes(',sid='));
      expect(withSession).toHaveLength(1);
      expect(withSession[0]).toMatch(CNXN_FULL);
      expect(ls.filter((l) => !l.includes(',sid='))[0]).toMatch(CNXN_BRIEF);
    }
    expect(a).toContain(`sid=${ours.sid},`);
    expect(b).toContain(`sid=${theirs.sid},`);
    // same key list inside the parentheses
    const fieldNames = (text: string): string[] =>
      (/\((.*sid=.*)\)$/m.exec(text)?.[1] ?? '').split(',').map((kv) => kv.split('=')[0] ?? '');
    expect(fieldNames(a)).toEqual(fieldNames(b));
  });

  it('conf and envi print the same keys in the same order', async () => {
    const [ca, cb] = await both('conf');
    expect(keys(ca, /=/)).toEqual(keys(cb, /=/));
    // A member adds its quorum settings and the membership ("membership: " then server.N lines).
    const member = server.mode === 'standalone' ? [] : [
      'initLimit', 'syncLimit', 'electionAlg', 'electionPort', 'quorumPort', 'peerType', 'server.1', 'server.2', 'server.3', 'version',
    ];
    expect(keys(ca, /=/)).toEqual([
      'clientPort', 'secureClientPort', 'dataDir', 'dataDirSize', 'dataLogDir', 'dataLogSize',
      'tickTime', 'maxClientCnxns', 'minSessionTimeout', 'maxSessionTimeout', 'clientPortListenBacklog', 'serverId', ...member,
    ]);
    if (server.mode !== 'standalone') {
      for (const k of ['initLimit=10', 'syncLimit=5', 'electionAlg=3', 'peerType=0', 'membership: ', 'version=0']) {
        expect(lines(ca)).toContain(k);
        expect(lines(cb)).toContain(k);
      }
    }
    expect(ca).toContain(`clientPort=${ours.port}\n`);
    for (const k of ['tickTime=2000', 'maxClientCnxns=0', 'minSessionTimeout=4000', 'maxSessionTimeout=40000']) {
      expect(ca).toContain(`${k}\n`);
      expect(cb).toContain(`${k}\n`);
    }
    const [ea, eb] = await both('envi');
    expect(lines(ea)[0]).toBe('Environment:');
    expect(lines(eb)[0]).toBe('Environment:');
    expect(keys(ea, /=/)).toEqual(keys(eb, /=/));
    for (const text of [ea, eb]) expect(text).toMatch(/^os\.memory\.free=\d+MB$/m);
  });

  it('mntr prints zk_<key>\\t<value> lines with the core keys and value types of ZooKeeper', async () => {
    const [a, b] = await both('mntr');
    const parse = (text: string): Map<string, string> => {
      const m = new Map<string, string>();
      for (const l of lines(text)) {
        if (l === '') continue;
        expect(l).toMatch(/^zk_\w+\t.*$/);
        const [k, v] = l.split('\t');
        m.set(k ?? '', v ?? '');
      }
      return m;
    };
    const ma = parse(a);
    const mb = parse(b);
    expect([...ma.keys()].slice(0, 2)).toEqual(['zk_version', 'zk_server_state']);
    expect([...mb.keys()].slice(0, 2)).toEqual(['zk_version', 'zk_server_state']);
    const INT = /^-?\d+$/;
    const DOUBLE = /^-?\d+\.\d+(E-?\d+)?$/;
    const core: Record<string, RegExp> = {
      zk_server_state: new RegExp(`^${server.mode}$`),
      zk_avg_latency: DOUBLE,
      zk_max_latency: INT,
      zk_min_latency: INT,
      zk_packets_received: INT,
      zk_packets_sent: INT,
      zk_num_alive_connections: INT,
      zk_outstanding_requests: INT,
      zk_znode_count: INT,
      zk_watch_count: INT,
      zk_ephemerals_count: INT,
      zk_approximate_data_size: INT,
      zk_open_file_descriptor_count: INT,
      zk_max_file_descriptor_count: INT,
      zk_uptime: INT,
      zk_global_sessions: INT,
      zk_local_sessions: INT,
      // the txn log's durable writes (ZooKeeper's ServerMetrics FSYNC_TIME and BATCH_SIZE summaries)
      zk_avg_fsynctime: DOUBLE,
      zk_min_fsynctime: INT,
      zk_max_fsynctime: INT,
      zk_cnt_fsynctime: INT,
      zk_sum_fsynctime: INT,
      zk_avg_sync_processor_batch_size: DOUBLE,
      zk_min_sync_processor_batch_size: INT,
      zk_max_sync_processor_batch_size: INT,
      zk_cnt_sync_processor_batch_size: INT,
      zk_sum_sync_processor_batch_size: INT,
    };
    for (const [k, shape] of Object.entries(core)) {
      expect(ma.get(k), `ours ${k}`).toMatch(shape);
      expect(mb.get(k), `apache ${k}`).toMatch(shape);
    }
    // state-determined values agree (a learner also reports its peer state and the quorum size)
    const learnerKeys = server.mode === 'standalone' ? [] : ['zk_peer_state', 'zk_quorum_size'];
    for (const k of ['zk_server_state', 'zk_znode_count', 'zk_watch_count', 'zk_ephemerals_count', 'zk_global_sessions', 'zk_num_alive_connections', ...learnerKeys]) {
      expect([k, ma.get(k)]).toEqual([k, mb.get(k)]);
    }
    // our member logged the populated txns (the standalone target keeps everything in memory; the
    // Apache counterparts' counts depend on their forceSync and role, so only their shapes are compared)
    if (server.mode !== 'standalone') expect(Number(ma.get('zk_cnt_fsynctime'))).toBeGreaterThan(0);
  });

  it('wchs, wchc and wchp agree on the data-table watches', async () => {
    const [sa, sb] = await both('wchs');
    expect(sa).toBe('1 connections watching 2 paths\nTotal watches:2\n');
    expect(sb).toBe(sa);

    // wchc: "0x<sid>" then "\t<path>" lines, then a blank line; paths in hash order
    const [ca, cb] = await both('wchc');
    const byConnection = (text: string, sid: string): string[] => {
      const ls = lines(text);
      expect(ls[0]).toBe(sid);
      expect(ls.slice(-2)).toEqual(['', '']);
      return ls.slice(1, -2).sort();
    };
    expect(byConnection(ca, ours.sid)).toEqual(['\t/flw', '\t/flw-missing']);
    expect(byConnection(cb, theirs.sid)).toEqual(['\t/flw', '\t/flw-missing']);

    const [pa, pb] = await both('wchp');
    const byPath = (text: string, sid: string): string[] => {
      expect(text.endsWith('\n\n')).toBe(true);
      return text.slice(0, -2).split(/\n(?=\/)/).map((block) => block.replace(sid, '<sid>')).sort();
    };
    expect(byPath(pa, ours.sid)).toEqual(['/flw\n\t<sid>', '/flw-missing\n\t<sid>']);
    expect(byPath(pb, theirs.sid)).toEqual(byPath(pa, ours.sid));
  });

  it('dump lists sessions by expiry, ephemerals per session, and connections', async () => {
    const [a, b] = await both('dump');
    const shape = (text: string, sid: string): string[] =>
      lines(text).map((l) =>
        l
          .replaceAll(sid, '<sid>')
          .replace(JAVA_DATE, '<date>')
          .replace(/127\.0\.0\.1:\d+/, '<addr>')
          .replace(/^\d+ expire at/, '<n> expire at')
          .replace(/\(\d+\)\/\(\d+\)/, '(<n>)/(<n>)'),
      );
    // A session touched on a tick boundary may leave its old expiry bucket listed, empty, for a
    // moment (ZooKeeper's ExpiryQueue does this too): an empty bucket says nothing, so drop it.
    const withoutEmptyBuckets = (s: string[]): string[] =>
      s.filter((l, i) => !(l === '<n> expire at <date>:' && !(s[i + 1] ?? '').startsWith('\t')));
    const sa = withoutEmptyBuckets(shape(a, ours.sid));
    const sb = withoutEmptyBuckets(shape(b, theirs.sid));
    // The session tracker part: sessions by expiry bucket on a standalone server (and a leader)...
    const bucketTracker = ['SessionTracker dump:', 'Session Sets (<n>)/(<n>):', '<n> expire at <date>:', '\t<sid>'];
    // ...while an Apache learner lists the sessions it knows with their timeouts.
    const learnerTracker = ['SessionTracker dump:', 'Global Sessions(1):', '<sid>\t10000ms'];
    const rest = [
      'ephemeral nodes dump:',
      'Sessions with Ephemerals (1):',
      '<sid>:',
      '\t/flw/eph',
      'Connections dump:',
      'Connections Sets (<n>)/(<n>):',
    ];
    const theirsHead = [...(server.mode === 'standalone' ? bucketTracker : learnerTracker), ...rest];
    // Known gap on learners (reported): a zabkit follower prints the bucket dump of the sessions
    // it serves, not Apache's "Global Sessions(n)" list. Pinned, so that closing the gap shows.
    const oursHead = [...bucketTracker, ...rest];
    expect(sa.slice(0, oursHead.length)).toEqual(oursHead);
    expect(sb.slice(0, theirsHead.length)).toEqual(theirsHead);
    // then buckets ("<n> expire at <date>:") holding "\tip: /<addr> sessionId: 0x<sid>" lines
    const connectionLines = (s: string[], from: number): string[] => s.slice(from).filter((l) => l.startsWith('\t')).sort();
    expect(connectionLines(sa, oursHead.length)).toEqual(['\tip: /<addr> sessionId: 0x0', '\tip: /<addr> sessionId: <sid>']);
    expect(connectionLines(sb, theirsHead.length)).toEqual(connectionLines(sa, oursHead.length));
    for (const [s, from] of [[sa, oursHead.length], [sb, theirsHead.length]] as const) {
      for (const l of s.slice(from)) expect(l).toMatch(/^(<n> expire at <date>:|\tip: \/<addr> sessionId: (0x0|<sid>)|)$/);
    }
  });

  it('srst and crst reset the statistics the same way', async () => {
    expect(await both('srst')).toEqual(['Server stats reset.\n', 'Server stats reset.\n']);
    for (const text of await both('srvr')) expect(text).toMatch(/^Latency min\/avg\/max: 0\/0\.0\/0$/m);
    // A client ping landing between crst and cons would refill the stats: retry (bounded) then.
    let a = '';
    let b = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(await both('crst')).toEqual(['Connection stats reset.\n', 'Connection stats reset.\n']);
      [a, b] = await both('cons');
      if (a.includes(',lop=NA,') && b.includes(',lop=NA,')) break;
    }
    const reset = (text: string, sid: string): string | undefined =>
      lines(text)
        .find((l) => l.includes(`sid=${sid},`))
        ?.replace(/^ \/127\.0\.0\.1:\d+/, '<addr>')
        .replace(sid, '<sid>')
        .replace(/,est=\d+/, ',est=<ms>');
    // no lcxid once reset (it is only printed when >= 0); lzxid -1 prints unsigned
    const expected = '<addr>[1](queued=0,recved=0,sent=0,sid=<sid>,lop=NA,est=<ms>,to=10000,lzxid=0xffffffffffffffff,lresp=0,llat=0,minlat=0,avglat=0,maxlat=0)';
    expect(reset(a, ours.sid)).toBe(expected);
    expect(reset(b, theirs.sid)).toBe(expected);
  });

  it('dirs and gtmk have ZooKeeper\'s shapes', async () => {
    const [da, db] = await both('dirs');
    for (const text of [da, db]) expect(text).toMatch(/^datadir_size: \d+\nlogdir_size: \d+\n$/);
    const [ga, gb] = await both('gtmk');
    for (const text of [ga, gb]) expect(text).toMatch(/^\d+$/);
  });
});

describe('four-letter words outside the whitelist (zabkit vs Apache ZooKeeper 3.8)', () => {
  it('refuses words outside the whitelist with ZooKeeper\'s message', async () => {
    const [restricted, restrictedApache] = await Promise.all([
      startServer({ host: '127.0.0.1', port: 0, fourLetterWords: ['srvr'], maxClientCnxns: 0 }),
      startApacheZooKeeper({ fourLetterWords: 'srvr' }),
    ]);
    try {
      for (const word of ['ruok', 'stat', 'mntr', 'cons', 'wchp', 'dump', 'envi']) {
        const [a, b] = await Promise.all([fourLetterWord(restricted.port, word), fourLetterWord(restrictedApache.port, word)]);
        expect(a).toBe(`${word} is not executed because it is not in the whitelist.\n`);
        expect(a).toBe(b);
      }
      expect(await fourLetterWord(restricted.port, 'srvr')).toMatch(/^Mode: standalone$/m);
      expect(await fourLetterWord(restricted.port, 'abcd')).toBe('');
    } finally {
      await Promise.all([restricted.close(), restrictedApache.stop()]);
    }
  });
});
