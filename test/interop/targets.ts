// The zabkit servers the interop tests run real clients against: the standalone server, and a
// 3-voter + 1-observer zabkit ensemble (in-process TestingCluster) where the client's connect
// string names ONE follower — or the observer — only, so every write is forwarded to the leader
// and every read and watch is served by a learner. For comparisons, the Apache side is a
// standalone ZooKeeper 3.8 or a follower of a 3-member Apache ensemble. Test files run their
// bodies with describe.each over these, one target started per describe block.

import { TestingCluster } from '../../framework/testing/index.js';
import { defaultServerOptions, startServer, type ServerOptions } from '../../server/index.js';
import {
  fourLetterWord, startApacheEnsemble, startApacheZooKeeper, type ApacheZooKeeperOptions,
} from '../support/apache-zookeeper.js';

export type TargetMode = 'standalone' | 'follower' | 'observer';

export interface InteropTarget {
  /** "zabkit", "zabkit-ensemble follower", ... */
  readonly name: string;
  /** What `srvr` says on the port clients use. */
  readonly mode: TargetMode;
  /** The one server clients connect to. */
  readonly connectString: string;
  readonly port: number;
  /** The id of that server (myid; 1 for zabkit standalone): the top byte of the session ids it hands out. */
  readonly serverId: number;
  /** Every member ("host:port,..."); the server itself when standalone. */
  readonly allMembers: string;
  /**
   * The server's own log, to explain a failure: an Apache counterpart's output, per member (the
   * member under test last). With `from` (a logMark()), only what was logged after that mark.
   */
  logs?(from?: number[]): string;
  /** Where each member's log stands now: a mark for logs(from). */
  logMark?(): number[];
  close(): Promise<void>;
}

export interface InteropTargetSpec {
  readonly name: string;
  readonly mode: TargetMode;
  start(): Promise<InteropTarget>;
}

/** The server settings interop tests use everywhere (TTL nodes, quick container reaping, all 4lw). */
export interface ZabkitTargetOptions {
  tickTimeMs?: number;
  /** Observers of the ensemble besides its 3 voters. Default 1 (none when compared with an Apache ensemble's membership). */
  observers?: number;
  /** Other settings; `host`, `port` and the ensemble's own settings stay the target's. */
  server?: Partial<ServerOptions>;
}

const INTEROP_SERVER: Partial<ServerOptions> = {
  fourLetterWords: '*', extendedTypesEnabled: true, containerCheckIntervalMs: 1000, maxClientCnxns: 0,
};

export function zabkitStandalone(o: ZabkitTargetOptions = {}): InteropTargetSpec {
  return {
    name: 'zabkit',
    mode: 'standalone',
    async start() {
      const options = defaultServerOptions({
        host: '127.0.0.1', port: 0, ...INTEROP_SERVER, ...o.server, ...(o.tickTimeMs !== undefined ? { tickTimeMs: o.tickTimeMs } : {}),
      });
      const s = await startServer(options);
      return {
        name: 'zabkit', mode: 'standalone', connectString: s.connectString, port: s.port, serverId: options.serverId,
        allMembers: s.connectString, close: () => s.close(),
      };
    },
  };
}

/** A zabkit ensemble of 3 voters and (by default) 1 observer; clients get the first follower, or the observer. */
export function zabkitEnsemble(mode: 'follower' | 'observer', o: ZabkitTargetOptions = {}): InteropTargetSpec {
  const name = `zabkit-ensemble ${mode}`;
  return {
    name,
    mode,
    async start() {
      if (mode === 'observer' && (o.observers ?? 1) < 1) throw new Error('an observer target needs an observer');
      const cluster = await TestingCluster.start({
        size: 3, observers: o.observers ?? 1, tickTimeMs: o.tickTimeMs ?? 500, fourLetterWords: '*',
        server: { ...INTEROP_SERVER, ...o.server },
      });
      const member = cluster.members.find((m) => m.mode === mode);
      if (!member) {
        await cluster.close();
        throw new Error(`no ${mode} in ${cluster.toString()}`);
      }
      return {
        name, mode, connectString: member.connectString, port: member.port, serverId: member.sid,
        allMembers: cluster.connectString, close: () => cluster.close(),
      };
    },
  };
}

export const ZABKIT_STANDALONE = zabkitStandalone();
export const ZABKIT_FOLLOWER = zabkitEnsemble('follower');
export const ZABKIT_OBSERVER = zabkitEnsemble('observer');

/** slf4j-simple levels for the Apache counterparts: INFO for the server, not for elections. */
const SERVER_INFO_LOGGING = [
  '-Dorg.slf4j.simpleLogger.log.org.apache.zookeeper.server=info',
  '-Dorg.slf4j.simpleLogger.log.org.apache.zookeeper.server.quorum.FastLeaderElection=warn',
  '-Dorg.slf4j.simpleLogger.log.org.apache.zookeeper.server.quorum.QuorumCnxManager=warn',
  '-Dorg.slf4j.simpleLogger.showDateTime=true',
  '-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS',
];

/** The Apache ZooKeeper 3.8 counterpart of a target: standalone, or a follower of a 3-member ensemble. */
export async function startApacheCounterpart(mode: TargetMode, o: ApacheZooKeeperOptions = {}): Promise<InteropTarget> {
  // Both kinds log their server side at INFO (session expiry and closeSession, a follower
  // re-syncing or shutting down, a client's end of stream): a failure message prints these lines,
  // and the differential tests read the session expiries in them. Election chatter stays at WARN.
  const logged = { ...o, jvmFlags: [...SERVER_INFO_LOGGING, ...(o.jvmFlags ?? [])] };
  if (mode === 'standalone') {
    const zk = await startApacheZooKeeper(logged);
    return {
      name: 'apache-3.8', mode, connectString: zk.connectString, port: zk.port, serverId: 0, allMembers: zk.connectString,
      logs: (from) => zk.output(from?.[0]), logMark: () => [zk.outputMark()], close: () => zk.stop(),
    };
  }
  if (mode === 'observer') throw new Error('the Apache counterpart has no observer');
  // forceSync=no: these comparisons are about protocol behaviour, not durability, and with fsync
  // on, one disk stall on the shared CI machine longer than syncLimit (10 s) makes the Apache
  // leader drop followers whose oldest proposal is un-ACKed (LearnerHandler's SyncLimitCheck) and
  // then step down, closing every client of the follower under test mid-sequence.
  const ensemble = await startApacheEnsemble(3, { ...logged, extraConfig: { forceSync: 'no', ...o.extraConfig } });
  const modes = await Promise.all(ensemble.members.map(async (m) => /^Mode: (\w+)$/m.exec(await fourLetterWord(m.port, 'srvr'))?.[1]));
  const follower = ensemble.members[modes.indexOf('follower')];
  if (!follower) {
    await ensemble.stop();
    throw new Error(`no follower in the Apache ensemble (modes ${modes.join(', ')})`);
  }
  return {
    name: 'apache-3.8-ensemble follower', mode, connectString: follower.connectString, port: follower.port, serverId: follower.myid,
    allMembers: ensemble.connectString, close: () => ensemble.stop(),
    // The follower under test is printed last, so that a truncated failure message keeps its lines.
    logs: (from) => ensemble.members
      .map((m, i) => ({ m, text: m.output(from?.[i]) }))
      .sort((a, b) => Number(a.m === follower) - Number(b.m === follower))
      .map(({ m, text }) => `--- member ${m.myid}${m === follower ? ' (the follower under test)' : ''}\n${text}`)
      .join('\n'),
    logMark: () => ensemble.members.map((m) => m.outputMark()),
  };
}
