// The zoo.cfg the bench gives every server, zabkit and Apache ZooKeeper alike: the same client
// settings (loopback, no per-IP connection cap, every four-letter word) and ZooKeeper's defaults
// for everything that decides durability (forceSync stays on, default group commit). Only the
// `snapshot` part sets one more thing, the same for both: a small snapCount, so that snapshots
// happen inside its measured window.

export const BENCH_HOST = '127.0.0.1';

export interface ZooCfgSpec {
  dataDir: string;
  clientPort: number;
  /** "server.N=host:quorumPort:electionPort" members; empty for a standalone server. */
  servers?: ReadonlyArray<{ id: number; quorumPort: number; electionPort: number }>;
  /** zookeeper.snapCount; ZooKeeper's default (100000) when absent. */
  snapCount?: number;
}

export function benchZooCfg(spec: ZooCfgSpec): string {
  const lines = [
    '# written by zabkit bench',
    'tickTime=2000',
    'initLimit=10',
    'syncLimit=5',
    `dataDir=${spec.dataDir}`,
    `clientPort=${spec.clientPort}`,
    `clientPortAddress=${BENCH_HOST}`,
    'maxClientCnxns=0',
    '4lw.commands.whitelist=*',
    'admin.enableServer=false',
    // Left at ZooKeeper's defaults on purpose: forceSync=yes, snapCount=100000 (unless set),
    // preAllocSize=65536 (KiB), globalOutstandingLimit=1000, autopurge off.
  ];
  if (spec.snapCount !== undefined) lines.push(`snapCount=${spec.snapCount}`);
  for (const s of spec.servers ?? []) lines.push(`server.${s.id}=${BENCH_HOST}:${s.quorumPort}:${s.electionPort}`);
  return `${lines.join('\n')}\n`;
}
