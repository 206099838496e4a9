// Four-letter words on the client port, with ZooKeeper's output formats: ruok, srvr, stat, mntr,
// conf, cons, envi, wchs, wchc, wchp, dump, isro, crst, srst, dirs, gtmk, stmk, hash. They show
// the real mode (standalone, leader, follower, observer); an ensemble member that is not
// serving answers only ruok, envi and isro ("null"), as ZooKeeper does.
// Counterpart: org.apache.zookeeper.server.command.*, ServerStats.toString,
// QuorumZooKeeperServer.dumpConf and LeaderZooKeeperServer's metrics.

import { readdirSync } from 'node:fs';
import os from 'node:os';
import { toHexString } from '../../protocol/zxid.js';
import type { ClientConnection } from './client-connection.js';
import type { RequestProcessor } from '../requests/request-processor.js';
import type { ClientListener, QuorumStatus } from './client-listener.js';
import type { AvgMinMax } from '../metrics/avg-min-max.js';

/** FourLetterCommands.ZK_NOT_SERVING */
export const ZK_NOT_SERVING = 'This ZooKeeper instance is not currently serving requests\n';

type Host = ClientListener;

export const ZABKIT_VERSION = '0.1.0';
/** Reported like ZooKeeper's, so tools that parse "x.y.z" see the protocol level we implement. */
export const VERSION_LINE = `3.9.2-zabkit-${ZABKIT_VERSION}, built on 2026-11-21 00:00 UTC`;

const WORDS = ['ruok', 'srvr', 'stat', 'mntr', 'conf', 'cons', 'envi', 'wchs', 'wchc', 'wchp', 'dump', 'isro',
  'crst', 'srst', 'dirs', 'gtmk', 'stmk', 'hash'] as const;
type Word = (typeof WORDS)[number];

/** The int the word's 4 ASCII bytes form (as the length field would read them) → the word. */
export const FOUR_LETTER_WORDS: ReadonlyMap<number, Word> = new Map(
  WORDS.map((w) => [Buffer.from(w, 'ascii').readInt32BE(0), w]),
);

const hex = (v: bigint) => `0x${toHexString(v)}`;

/** Java prints doubles with at least one decimal: 0.0, 1.5. */
function javaDouble(v: number): string {
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

/** java.util.Date.toString in UTC: "Sat Nov 21 20:27:30 UTC 2026". */
function javaDate(ms: number): string {
  const d = new Date(ms);
  const day = d.toUTCString().slice(0, 3);
  const month = d.toUTCString().slice(8, 11);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day} ${month} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** `asking` is the connection running the word: ZooKeeper lists it too, with interest ops 0. */
function connectionInfo(c: ClientConnection, full: boolean, asking?: ClientConnection): string {
  const s = c.stats;
  const ops = c === asking || c.isClosed ? 0 : 1;
  let out = ` /${c.remoteIp}:${c.remotePort}[${ops}](queued=0,recved=${s.packetsReceived},sent=${s.packetsSent}`;
  if (full) {
    if (c.sessionId !== 0n) {
      out += `,sid=${hex(c.sessionId)},lop=${s.lastOp},est=${c.establishedAt},to=${c.sessionTimeoutMs}`;
      if (s.lastCxid >= 0) out += `,lcxid=0x${s.lastCxid.toString(16)}`;
      out += `,lzxid=${hex(s.lastZxid)},lresp=${s.lastResponseTime},llat=${s.lastLatency}`;
      // ServerCnxn.getAvgLatency is a long (integer division), unlike the server-wide average
      out += `,minlat=${s.latency.minOrZero},avglat=${Math.floor(s.latency.avg)},maxlat=${s.latency.max}`;
    }
  }
  return `${out})\n`;
}

function serverStatsText(server: Host, processor: RequestProcessor): string {
  const { stats } = server;
  const lines = [
    `Latency min/avg/max: ${stats.latency.minOrZero}/${javaDouble(stats.latency.avg)}/${stats.latency.max}`,
    `Received: ${stats.packetsReceived}`,
    `Sent: ${stats.packetsSent}`,
    `Connections: ${server.connections.size}`,
    `Outstanding: ${processor.pendingTxns}`,
    `Zxid: ${hex(processor.lastProcessedZxid)}`,
    `Mode: ${server.serving.mode}`,
    `Node count: ${processor.tree.nodeCount}`,
  ];
  const quorum = server.serving.quorumStatus?.();
  if (server.serving.mode === 'leader' && quorum) {
    const p = quorum.proposalSizes;
    lines.push(`Proposal sizes last/min/max: ${p.last}/${p.min}/${p.max}`);
  }
  return `${lines.join('\n')}\n`;
}

/** mntr's leader-only (and learner) gauges, as LeaderZooKeeperServer registers them. */
function quorumMetrics(mode: string, q: QuorumStatus): [string, string | number][] {
  const out: [string, string | number][] = [
    ['peer_state', `${mode === 'leader' ? 'leading' : mode === 'follower' ? 'following' : 'observing'} - broadcast`],
    ['quorum_size', q.votingMembers],
  ];
  if (mode === 'leader') {
    out.push(
      ['followers', q.learners], // the 3.5 name
      ['learners', q.learners],
      ['synced_followers', q.syncedFollowers],
      ['synced_non_voting_followers', 0],
      ['synced_observers', q.syncedObservers],
      ['pending_syncs', q.pendingSyncs],
      ['last_proposal_size', q.proposalSizes.last],
      ['max_proposal_size', q.proposalSizes.max],
      ['min_proposal_size', q.proposalSizes.min],
    );
  }
  return out;
}

function mntr(server: Host, processor: RequestProcessor): string {
  const { stats } = server;
  const quorum = server.serving.quorumStatus?.();
  const watch = processor.watches;
  const lag = stats.eventLoopLag;
  const txnLog = server.serving.txnLogStats?.();
  const metrics: [string, string | number][] = [
    ['version', VERSION_LINE],
    ['server_state', server.serving.mode],
    ['avg_latency', javaDouble(stats.latency.avg)],
    ['max_latency', stats.latency.max],
    ['min_latency', stats.latency.minOrZero],
    ['packets_received', stats.packetsReceived],
    ['packets_sent', stats.packetsSent],
    ['num_alive_connections', server.connections.size],
    ['outstanding_requests', processor.pendingTxns],
    ['znode_count', processor.tree.nodeCount],
    ['watch_count', watch.totalWatchCount],
    ['ephemerals_count', processor.tree.ephemeralCount],
    ['approximate_data_size', processor.tree.approximateDataSize],
    ['open_file_descriptor_count', openFileDescriptors()],
    ['max_file_descriptor_count', -1],
    ['uptime', Date.now() - server.startedAt],
    ['global_sessions', processor.sessions.size],
    ['local_sessions', 0],
    // FileTxnLog's fsynctime and SyncRequestProcessor's batch size (0s without a data directory)
    ...summary('fsynctime', txnLog?.syncMs),
    ...summary('sync_processor_batch_size', txnLog?.batchSize),
    ...(quorum ? quorumMetrics(server.serving.mode, quorum) : [
      ['last_proposal_size', -1],
      ['max_proposal_size', -1],
      ['min_proposal_size', -1],
    ] as [string, number][]),
    // zabkit only: how late this process's event loop ran (sampled, since start or srst)
    ['event_loop_lag_p50_ms', lag.p50Ms.toFixed(3)],
    ['event_loop_lag_p99_ms', lag.p99Ms.toFixed(3)],
    ['event_loop_lag_max_ms', lag.maxMs.toFixed(3)],
    ['event_loop_lag_samples', lag.samples],
    // zabkit only: lone txns the log wrote on the event loop's thread (see TxnLog)
    ['txn_log_writes_on_event_loop', txnLog?.loneWritesInline ?? 0],
  ];
  return metrics.map(([k, v]) => `zk_${k}\t${v}\n`).join('');
}

/** An AvgMinMaxCounter as mntr prints it: avg_, min_, max_, cnt_, sum_ of `name`. */
function summary(name: string, s: AvgMinMax | undefined): [string, string | number][] {
  return [
    [`avg_${name}`, javaDouble(s?.avg ?? 0)],
    [`min_${name}`, s?.minOrZero ?? 0],
    [`max_${name}`, s?.max ?? 0],
    [`cnt_${name}`, s?.count ?? 0],
    [`sum_${name}`, s?.total ?? 0],
  ];
}

function openFileDescriptors(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

function conf(server: Host): string {
  const o = server.options;
  const quorum = server.serving.quorumStatus?.();
  const lines = [
    `clientPort=${server.address.port}`,
    `secureClientPort=-1`,
    `dataDir=${o.dataDir ?? ''}`,
    `dataDirSize=0`,
    `dataLogDir=${o.dataDir ?? ''}`,
    `dataLogSize=0`,
    `tickTime=${o.tickTimeMs}`,
    `maxClientCnxns=${o.maxClientCnxns}`,
    `minSessionTimeout=${o.minSessionTimeoutMs}`,
    `maxSessionTimeout=${o.maxSessionTimeoutMs}`,
    `clientPortListenBacklog=-1`,
    `serverId=${quorum?.myid ?? 0}`,
  ];
  if (!quorum) return `${lines.join('\n')}\n`;
  lines.push(
    `initLimit=${quorum.initLimit}`,
    `syncLimit=${quorum.syncLimit}`,
    `electionAlg=3`,
    `electionPort=${quorum.electionPort}`,
    `quorumPort=${quorum.quorumPort}`,
    `peerType=${quorum.peerType}`,
    `membership: `,
  );
  return `${lines.join('\n')}\n${quorum.membership}`;
}

function envi(): string {
  const mem = process.memoryUsage();
  const mb = (n: number) => `${Math.round(n / 1024 / 1024)}MB`;
  const lines: [string, string][] = [
    ['zookeeper.version', VERSION_LINE],
    ['host.name', os.hostname()],
    ['java.version', `n/a (node ${process.version})`],
    ['java.vendor', 'n/a'],
    ['java.home', process.execPath],
    ['java.class.path', ''],
    ['java.library.path', ''],
    ['java.io.tmpdir', os.tmpdir()],
    ['java.compiler', '<NA>'],
    ['os.name', os.type()],
    ['os.arch', os.arch()],
    ['os.version', os.release()],
    ['user.name', os.userInfo().username],
    ['user.home', os.homedir()],
    ['user.dir', process.cwd()],
    ['os.memory.free', mb(mem.heapTotal - mem.heapUsed)],
    ['os.memory.max', mb(os.totalmem())],
    ['os.memory.total', mb(mem.heapTotal)],
  ];
  return `Environment:\n${lines.map(([k, v]) => `${k}=${v}\n`).join('')}`;
}

function dump(server: Host, processor: RequestProcessor): string {
  const buckets = processor.sessions.bucketsByTime();
  let out = 'SessionTracker dump:\n';
  out += `Session Sets (${buckets.length})/(${processor.sessions.size}):\n`;
  for (const [time, sessions] of buckets) {
    out += `${sessions.length} expire at ${javaDate(time)}:\n`;
    for (const s of sessions) out += `\t${hex(s.id)}\n`;
  }
  const owners = processor.tree.ephemeralOwners();
  out += 'ephemeral nodes dump:\n';
  out += `Sessions with Ephemerals (${owners.size}):\n`;
  for (const [sid, paths] of owners) {
    out += `${hex(sid)}:\n`;
    for (const p of paths) out += `\t${p}\n`;
  }
  out += 'Connections dump:\n';
  out += `Connections Sets (${server.connections.size > 0 ? 1 : 0})/(${server.connections.size}):\n`;
  if (server.connections.size > 0) {
    out += `${server.connections.size} expire at ${javaDate(Date.now() + server.options.tickTimeMs)}:\n`;
    // NIOServerCnxn.toString()
    for (const c of server.connections) out += `\tip: /${c.remoteIp}:${c.remotePort} sessionId: ${hex(c.sessionId)}\n`;
  }
  return out;
}

export function fourLetterWordText(word: Word, server: Host, self: ClientConnection): string {
  const processor = server.processor;
  switch (word) {
    case 'ruok': return 'imok';
    case 'envi': return envi();
    case 'isro': return processor ? 'rw' : 'null';
  }
  if (!processor) return ZK_NOT_SERVING;
  const all = () => [...server.connections];
  switch (word) {
    case 'srvr': return `Zookeeper version: ${VERSION_LINE}\n${serverStatsText(server, processor)}`;
    case 'stat': {
      const clients = all().map((c) => connectionInfo(c, false, self)).join('');
      return `Zookeeper version: ${VERSION_LINE}\nClients:\n${clients}\n${serverStatsText(server, processor)}`;
    }
    case 'cons': return `${all().map((c) => connectionInfo(c, true, self)).join('')}\n`;
    case 'mntr': return mntr(server, processor);
    case 'conf': return conf(server);
    case 'wchs': {
      const s = processor.watches.summary();
      return `${s.connections} connections watching ${s.paths} paths\nTotal watches:${s.watches}\n`;
    }
    case 'wchc': {
      let out = '';
      for (const [watcher, paths] of processor.watches.dataWatchesByWatcher()) {
        out += `${hex((watcher as ClientConnection).sessionId)}\n`;
        for (const p of paths) out += `\t${p}\n`;
      }
      return `${out}\n`;
    }
    case 'wchp': {
      let out = '';
      for (const [path, watchers] of processor.watches.dataWatchesByPath()) {
        out += `${path}\n`;
        for (const w of watchers.keys()) out += `\t${hex((w as ClientConnection).sessionId)}\n`;
      }
      return `${out}\n`;
    }
    case 'dump': return dump(server, processor);
    case 'crst':
      for (const c of server.connections) c.stats.reset();
      return 'Connection stats reset.\n';
    case 'srst':
      server.stats.reset();
      return 'Server stats reset.\n';
    case 'dirs': return 'datadir_size: 0\nlogdir_size: 0\n';
    case 'gtmk': return '0';
    case 'stmk': return '0';
    case 'hash': return '';
  }
}
