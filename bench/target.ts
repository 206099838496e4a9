// What the bench needs from a server under test, whoever it is: where to connect, which processes
// to watch, how to reset and read its stats, how to stop it. A launcher that cannot provide a
// target (e.g. `zabkit ensemble` does not exist yet) throws TargetUnavailable, and the report
// prints "n/a (reason)" for it instead of a number.

import type { Mode, TargetName } from './options.js';
import type { SessionAddress } from './session.js';

export interface EventLoopLagReading {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface RunningTarget {
  readonly name: TargetName;
  readonly mode: Mode;
  /** Client ports; sessions are spread over them round-robin. */
  readonly addresses: readonly SessionAddress[];
  /** Server processes (JVMs, node) whose memory and CPU are reported, summed. */
  readonly pids: readonly number[];
  /** Each member's dataDir (where its snapshots are written). */
  readonly dataDirs: readonly string[];
  /** The `srvr` version line, e.g. "3.8.0-…" or "3.9.2-zabkit-0.1.0 …". */
  readonly version: string;
  /** Facts the report should carry (durability, warnings the server printed). */
  readonly notes: readonly string[];
  /** Resets server-side stats (srst) as a measured window opens. */
  resetStats(): Promise<void>;
  /** Event-loop lag since the last reset; undefined for servers without the metric. */
  readEventLoopLag(): Promise<EventLoopLagReading | undefined>;
  stop(): Promise<void>;
}

/** What a run sets beyond the bench's common zoo.cfg, the same for every target. */
export interface TargetSettings {
  /** zookeeper.snapCount (ZooKeeper's default, 100000, when absent). */
  readonly snapCount?: number;
}

export interface TargetLauncher {
  readonly name: TargetName;
  readonly mode: Mode;
  start(settings?: TargetSettings): Promise<RunningTarget>;
}

export class TargetUnavailable extends Error {
  override readonly name = 'TargetUnavailable';
}
