// The result of a bench as data: one RunResult per (mode, scenario, target), including the ones
// that could not run ("n/a" with the reason, or "failed" with the error), plus what is needed to
// reproduce and judge it (options, machine, zabkit commit, server versions). This is the JSON
// written by --json; the table is made from it.

import type { ClientLibrary } from './client-driver.js';
import type { LatencySummary } from './histogram.js';
import type { BenchOptions, Mode, SuitePart, TargetName } from './options.js';
import type { SequencePhase } from './sequence.js';
import type { EventLoopLagReading } from './target.js';

export const RESULT_SCHEMA = 'zabkit-bench/1';

export type RunStatus = 'ok' | 'n/a' | 'failed';

export interface Measurement {
  ops: number;
  errors: number;
  elapsedMs: number;
  opsPerSec: number;
  /** Absent for the whole-sequence row, whose ops are of different kinds. */
  latencyMs?: { mean: number; p50: number; p99: number; p999: number; max: number };
  /** Peak VmRSS of the server process(es), MiB; undefined for sequence phases. */
  serverRssMb?: number;
  /** Server CPU over the window, % of one core (summed over members). */
  serverCpuPct?: number;
  /** This load generator's CPU over the window, % of one core. */
  clientCpuPct?: number;
  /** zabkit only: event-loop lag over the window (worst member). */
  eventLoopLagMs?: EventLoopLagReading;
  /** The same lag seen by an idle Node process over the window: what the machine alone caused (bench/lag-probe.ts). */
  probeLagMs?: EventLoopLagReading;
  /** The `snapshot` part: snapshot files the server(s) wrote during the window (summed over members). */
  snapshots?: number;
}

export interface RunResult {
  mode: Mode;
  target: TargetName;
  scenarioId: string;
  part: SuitePart;
  /** Row label in the table. */
  label: string;
  /** For sequence rows: which phase ('total' = the whole sequence). */
  phase?: SequencePhase | 'total';
  sessions: number;
  outstanding: number;
  payloadBytes: number;
  status: RunStatus;
  /** Why a run is n/a or failed. */
  reason?: string;
  result?: Measurement;
}

/** One client library's run in the `client` part: same Apache ZooKeeper standalone, same load. */
export interface ClientRunResult {
  /** e.g. "client/getData/4x100/100B"; the same for both libraries. */
  scenarioId: string;
  op: 'getData' | 'setData';
  /** Row label in the client table. */
  label: string;
  library: ClientLibrary;
  libraryVersion: string;
  /** The server both libraries talked to, e.g. "Apache ZooKeeper 3.8.0 standalone". */
  server: string;
  sessions: number;
  outstanding: number;
  payloadBytes: number;
  status: RunStatus;
  reason?: string;
  result?: Measurement;
}

export interface TargetInfo {
  target: TargetName;
  mode: Mode;
  status: RunStatus;
  reason?: string;
  version?: string;
  notes: string[];
}

export interface BenchReport {
  schema: typeof RESULT_SCHEMA;
  startedAt: string;
  finishedAt: string;
  zabkit: { commit: string | undefined; uncommittedChanges: boolean | undefined; cli: string | undefined };
  machine: {
    cpus: number;
    cpuModel: string;
    memoryMb: number;
    node: string;
    kernel: string;
    /** 1/5/15-minute load averages when the bench started and when it finished: other work on the machine shows here. */
    loadAverageAtStart: number[];
    loadAverage: number[];
  };
  options: Omit<BenchOptions, 'progress'>;
  targets: TargetInfo[];
  runs: RunResult[];
  /** The `client` part (our client vs node-zookeeper-client on one Apache ZooKeeper), when run. */
  clients?: ClientRunResult[];
}

export function measurement(
  r: { ops: number; errors: number; elapsedMs: number; opsPerSec: number; latency: LatencySummary },
  extra: Omit<Measurement, 'ops' | 'errors' | 'elapsedMs' | 'opsPerSec' | 'latencyMs'> = {},
): Measurement {
  const l = r.latency;
  return {
    ops: r.ops,
    errors: r.errors,
    elapsedMs: r.elapsedMs,
    opsPerSec: r.opsPerSec,
    latencyMs: { mean: l.meanMs, p50: l.p50Ms, p99: l.p99Ms, p999: l.p999Ms, max: l.maxMs },
    ...extra,
  };
}

/** Rounds every number to at most 3 decimals (microseconds for ms), so the JSON stays readable. */
export function toJson(report: BenchReport): string {
  return `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v), 2)}\n`;
}
