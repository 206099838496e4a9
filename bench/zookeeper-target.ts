// Apache ZooKeeper 3.8 (Debian's jars) as a bench target: standalone or a loopback ensemble, one
// JVM per member, started the way zkServer.sh does (QuorumPeerMain, -Xmx1000m as zkEnv.sh's
// default heap) with the bench's zoo.cfg, so forceSync and group commit are ZooKeeper's defaults.
// Debian's `zookeeper` package is installed first if missing (as root).

import { ensureDebianZookeeper, JAVA_PATH, ZOOKEEPER_CLASSPATH } from './debian-zookeeper.js';
import { fourLetterWord } from './four-letter-words.js';
import { startMembers, type StartedMembers } from './members.js';
import type { Mode } from './options.js';
import type { RunningTarget, TargetLauncher, TargetSettings } from './target.js';
import { BENCH_HOST } from './zoo-cfg.js';

export const ZOOKEEPER_JVM_FLAGS: readonly string[] = [
  '-Xmx1000m',
  '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
  '-Dzookeeper.admin.enableServer=false',
];

/** A RunningTarget over started members, shared by both kinds of server. */
export function runningTarget(
  name: RunningTarget['name'],
  mode: Mode,
  started: StartedMembers,
  notes: string[],
  readLag: RunningTarget['readEventLoopLag'],
): RunningTarget {
  return {
    name,
    mode,
    addresses: started.members.map((m) => ({ host: BENCH_HOST, port: m.port })),
    pids: started.members.map((m) => m.pid),
    dataDirs: started.members.map((m) => m.dataDir),
    version: started.version,
    notes,
    resetStats: async () => {
      await Promise.all(started.members.map((m) => fourLetterWord(BENCH_HOST, m.port, 'srst')));
    },
    readEventLoopLag: readLag,
    stop: () => started.stop(),
  };
}

export function zookeeperLauncher(mode: Mode, dataRoot: string | undefined): TargetLauncher {
  return {
    name: 'zookeeper',
    mode,
    async start(settings: TargetSettings = {}) {
      await ensureDebianZookeeper();
      const size = mode === 'standalone' ? 1 : 3;
      const started = await startMembers({
        label: `zookeeper-${mode}`,
        size,
        dataRoot,
        startTimeoutMs: 60_000,
        snapCount: settings.snapCount,
        command: (cfgPath) => ({
          command: JAVA_PATH,
          args: [...ZOOKEEPER_JVM_FLAGS, '-cp', ZOOKEEPER_CLASSPATH, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', cfgPath],
        }),
      });
      const modes = started.members.map((m) => m.mode).join('/');
      return runningTarget('zookeeper', mode, started, [`Apache ZooKeeper ${started.version} (${modes}), forceSync=yes`], async () => undefined);
    },
  };
}
