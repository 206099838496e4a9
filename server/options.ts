// The settings of one server, with ZooKeeper's defaults: a standalone server, or one member of
// an ensemble when `quorum` is set. zoo.cfg parsing (server/config) and the CLI both produce a
// ServerOptions; startServer consumes it.
// Counterpart: ServerConfig / QuorumPeerConfig fields used by ZooKeeperServerMain / QuorumPeerMain.

import { DEFAULT_SLOW_WRITE_WARNING_MS } from './storage/txn-log.js';

export type PeerRole = 'participant' | 'observer';

/** One member of an ensemble: `server.N=host:quorumPort:electionPort[:role][;[clientHost:]clientPort]`. */
export interface QuorumServerSpec {
  sid: number;
  host: string;
  quorumPort: number;
  electionPort: number;
  role: PeerRole;
  /** From the `;[clientHost:]clientPort` part (ZooKeeper 3.5+ dynamic-config form). */
  clientHost?: string;
  clientPort?: number;
}

/** What makes a server an ensemble member (its own id is `serverId`, ZooKeeper's myid). */
export interface QuorumSettings {
  /** Every member, this one included. */
  servers: readonly QuorumServerSpec[];
  /**
   * Fast Leader Election's clock, finer than tickTime: finalizeWait (200 ms) and the notification
   * back-off are counted in these ticks. Default 100 ms (never more than tickTime).
   */
  electionTickMs?: number;
  /** fastleader.maxNotificationInterval: the longest wait before notifications are re-sent (60 s). */
  maxNotificationIntervalMs?: number;
}

export interface ServerOptions {
  /** clientPortAddress; ZooKeeper binds every interface by default. */
  host: string;
  /** clientPort; 0 picks a free port. */
  port: number;
  tickTimeMs: number;
  /** Default 2 x tickTime. */
  minSessionTimeoutMs: number;
  /** Default 20 x tickTime. */
  maxSessionTimeoutMs: number;
  /** Connections per client IP; 0 = unlimited. */
  maxClientCnxns: number;
  /** 4lw.commands.whitelist: the enabled words, or '*' for all. */
  fourLetterWords: readonly string[] | '*';
  /** extendedTypesEnabled: TTL nodes. */
  extendedTypesEnabled: boolean;
  /** reconfigEnabled (only meaningful in an ensemble). */
  reconfigEnabled: boolean;
  /** zookeeper.DigestAuthenticationProvider.superDigest, e.g. "super:D/InIHSb7yEEbrWz8b9l71RjZJU=". */
  superDigest: string | undefined;
  /** jute.maxbuffer: the largest frame accepted or sent. */
  maxBufferBytes: number;
  /** znode.container.checkIntervalMs: how often container and TTL nodes are reaped. */
  containerCheckIntervalMs: number;
  /** znode.container.maxNeverUsedIntervalMs (0 = never reap never-used containers). */
  containerMaxNeverUsedIntervalMs: number;
  /** dataDir: snapshots (and the txn log unless dataLogDir is set); undefined = in memory only. */
  dataDir: string | undefined;
  /** dataLogDir: the txn log, ideally on its own disk; defaults to dataDir. */
  dataLogDir: string | undefined;
  /** snapCount: a snapshot every snapCount/2 + random(snapCount/2) txns. */
  snapCount: number;
  /** preAllocSize (KiB): txn log segments grow in steps of this size. */
  preAllocSizeKb: number;
  /** fsync.warningthresholdms: a durable txn log write slower than this is logged. */
  fsyncWarningThresholdMs: number;
  /** autopurge.snapRetainCount: snapshots kept by the purge (at least 3). */
  snapRetainCount: number;
  /** autopurge.purgeInterval (hours): how often to purge; 0 = never. */
  purgeIntervalHours: number;
  /** The server id (myid); standalone servers use 1. */
  serverId: number;
  /** initLimit: ticks a learner may take to connect and sync with its leader. */
  initLimit: number;
  /** syncLimit: ticks a learner may be silent (or behind) before it is dropped. */
  syncLimit: number;
  /** zookeeper.commitLogCount: committed txns a leader keeps in memory for DIFF sync (>= 500). */
  commitLogCount: number;
  /**
   * zookeeper.snapshotSizeFactor: a learner behind those is DIFFed from the on-disk log while
   * the txns weigh at most this fraction of the newest snapshot (0: no limit; negative: never).
   */
  snapshotSizeFactor: number;
  /** Set for an ensemble member; undefined for a standalone server. */
  quorum: QuorumSettings | undefined;
}

export const DEFAULT_TICK_TIME_MS = 2000;
/** ZKDatabase.DEFAULT_COMMIT_LOG_COUNT: also the least commitLogCount ZooKeeper accepts. */
export const DEFAULT_COMMIT_LOG_COUNT = 500;
/** ZKDatabase.DEFAULT_SNAPSHOT_SIZE_FACTOR. */
export const DEFAULT_SNAPSHOT_SIZE_FACTOR = 0.33;

export function defaultServerOptions(overrides: Partial<ServerOptions> = {}): ServerOptions {
  const tickTimeMs = overrides.tickTimeMs ?? DEFAULT_TICK_TIME_MS;
  return {
    host: '0.0.0.0',
    port: 2181,
    tickTimeMs,
    minSessionTimeoutMs: 2 * tickTimeMs,
    maxSessionTimeoutMs: 20 * tickTimeMs,
    maxClientCnxns: 60,
    fourLetterWords: ['srvr'],
    extendedTypesEnabled: false,
    reconfigEnabled: false,
    superDigest: undefined,
    maxBufferBytes: 0xfffff,
    containerCheckIntervalMs: 60_000,
    containerMaxNeverUsedIntervalMs: 0,
    dataDir: undefined,
    dataLogDir: undefined,
    snapCount: 100_000,
    preAllocSizeKb: 65_536,
    fsyncWarningThresholdMs: DEFAULT_SLOW_WRITE_WARNING_MS,
    snapRetainCount: 3,
    purgeIntervalHours: 0,
    serverId: 1,
    initLimit: 10,
    syncLimit: 5,
    commitLogCount: DEFAULT_COMMIT_LOG_COUNT,
    snapshotSizeFactor: DEFAULT_SNAPSHOT_SIZE_FACTOR,
    quorum: undefined,
    ...stripUndefined(overrides),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
