// `zabkit bench` flags as commander hands them over (strings) → validated BenchOptions, with the
// defaults that keep a whole default run to a few minutes. Pure: no I/O, throws BenchUsageError.

export const TARGET_NAMES = ['zabkit', 'zookeeper'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export const MODE_NAMES = ['standalone', 'ensemble'] as const;
export type Mode = (typeof MODE_NAMES)[number];

export const SUITE_PARTS = ['throughput', 'latency', 'sequence', 'snapshot', 'client'] as const;
export type SuitePart = (typeof SUITE_PARTS)[number];

export const OP_NAMES = ['create', 'setData', 'getData', 'exists', 'mixed'] as const;
export type OpName = (typeof OP_NAMES)[number];

export interface BenchOptions {
  /** Measured seconds per throughput/latency run (after the warm-up). */
  durationS: number;
  /** Unmeasured seconds before each run (JIT, caches, connection setup). */
  warmupS: number;
  sessions: number;
  /** Requests each session keeps in flight. */
  outstanding: number;
  /** Percentage of reads (getData) in the `mixed` op; the rest are setData. */
  readPct: number;
  /** Bytes of data per create / setData, and of the znodes read. */
  payloadBytes: number;
  /** Throughput ops to run, in this order. */
  ops: OpName[];
  targets: TargetName[];
  modes: Mode[];
  parts: SuitePart[];
  /** Znodes per zk-latencies phase (create, set, get, delete). */
  sequenceCount: number;
  /** Watches per znode in the sequence's watch phase (sessions setting them). */
  watchMultiple: number;
  /** Size of the read/write key space each target is seeded with. */
  keys: number;
  /** The `snapshot` part: znodes of `payloadBytes` in the tree its servers snapshot. */
  snapshotNodes: number;
  /** The `snapshot` part: its servers' snapCount (a snapshot every snapCount/2 to snapCount txns). */
  snapCount: number;
  /** Where the servers' data directories go (a real disk: fsync must mean something). */
  dataRoot: string | undefined;
  /** Also write the results as JSON to this file. */
  jsonOut: string | undefined;
  /** Run `zabkit server` from this CLI entry (cli/main.ts or dist/cli/main.js) instead of our own. */
  zabkitCli: string | undefined;
  /** Run zabkit's servers under `node --cpu-prof`, writing the profiles (.cpuprofile) here. */
  cpuProfDir: string | undefined;
  /** Extra node options for zabkit's server processes (e.g. --max-semi-space-size=8). */
  nodeFlags: string[];
  /** Progress line on stderr. */
  progress: boolean;
}

/** What commander hands over: every value a string, absent when the flag was not given. */
export interface BenchFlags {
  duration?: string;
  warmup?: string;
  sessions?: string;
  outstanding?: string;
  readPct?: string;
  payload?: string;
  ops?: string;
  targets?: string;
  modes?: string;
  parts?: string;
  sequenceCount?: string;
  watchMultiple?: string;
  keys?: string;
  snapshotNodes?: string;
  snapCount?: string;
  dataRoot?: string;
  json?: string;
  zabkitCli?: string;
  cpuProf?: string;
  nodeFlags?: string;
  progress?: boolean;
}

export const DEFAULT_BENCH_OPTIONS: Readonly<BenchOptions> = Object.freeze({
  durationS: 6,
  warmupS: 2,
  sessions: 4,
  outstanding: 100,
  readPct: 90,
  payloadBytes: 100,
  ops: ['setData', 'getData', 'exists', 'mixed', 'create'],
  targets: ['zabkit', 'zookeeper'],
  modes: ['standalone', 'ensemble'],
  parts: ['throughput', 'latency', 'sequence', 'snapshot', 'client'],
  sequenceCount: 10_000,
  watchMultiple: 5,
  keys: 1000,
  snapshotNodes: 100_000,
  snapCount: 10_000,
  dataRoot: undefined,
  jsonOut: undefined,
  zabkitCli: undefined,
  cpuProfDir: undefined,
  nodeFlags: [],
  progress: true,
}) as Readonly<BenchOptions>;

export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

function number(flag: string, raw: string, min: number, max: number, integer: boolean): number {
  const text = raw.trim();
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) throw new BenchUsageError(`${flag} must be a number, not '${raw}'`);
  if (integer && !Number.isInteger(value)) throw new BenchUsageError(`${flag} must be a whole number, not '${raw}'`);
  if (value < min || value > max) throw new BenchUsageError(`${flag} must be between ${min} and ${max}, not ${text}`);
  return value;
}

/** A comma-separated list of names from `allowed`, without repeats, in the order given. */
function list<T extends string>(flag: string, raw: string, allowed: readonly T[]): T[] {
  const out: T[] = [];
  for (const part of raw.split(',')) {
    const name = part.trim();
    if (name === '') continue;
    const match = allowed.find((a) => a.toLowerCase() === name.toLowerCase());
    if (match === undefined) throw new BenchUsageError(`${flag}: unknown '${name}' (choose from ${allowed.join(', ')})`);
    if (!out.includes(match)) out.push(match);
  }
  if (out.length === 0) throw new BenchUsageError(`${flag} needs at least one of ${allowed.join(', ')}`);
  return out;
}

/** Space-separated node options, each starting with `--` (a program or script would change what runs). */
function nodeOptions(flag: string, raw: string): string[] {
  const options = raw.split(/\s+/).filter((o) => o !== '');
  if (options.length === 0) throw new BenchUsageError(`${flag} must not be empty`);
  const stray = options.find((o) => !/^--[a-z]/i.test(o));
  if (stray !== undefined) throw new BenchUsageError(`${flag} takes node options such as --max-semi-space-size=8, not '${stray}'`);
  return options;
}

/** "100", "4k", "1KiB", "2kb" → bytes (k = 1024). */
export function parseSize(flag: string, raw: string): number {
  const m = /^\s*(\d+)\s*(k|kb|kib)?\s*$/i.exec(raw);
  if (m === null) throw new BenchUsageError(`${flag} must be a byte count such as 100 or 4k, not '${raw}'`);
  const bytes = Number(m[1]) * (m[2] === undefined ? 1 : 1024);
  // jute.maxbuffer is 1 MiB - 1 for the whole request, path and header included
  if (bytes > 512 * 1024) throw new BenchUsageError(`${flag} must be at most 512k, not ${raw.trim()}`);
  return bytes;
}

export function resolveBenchOptions(flags: BenchFlags): BenchOptions {
  const d = DEFAULT_BENCH_OPTIONS;
  const nonEmpty = (flag: string, v: string | undefined): string | undefined => {
    if (v !== undefined && v.trim() === '') throw new BenchUsageError(`${flag} must not be empty`);
    return v;
  };
  return {
    durationS: flags.duration === undefined ? d.durationS : number('--duration', flags.duration, 0.5, 3600, false),
    warmupS: flags.warmup === undefined ? d.warmupS : number('--warmup', flags.warmup, 0, 600, false),
    sessions: flags.sessions === undefined ? d.sessions : number('--sessions', flags.sessions, 1, 1000, true),
    outstanding: flags.outstanding === undefined ? d.outstanding : number('--outstanding', flags.outstanding, 1, 10_000, true),
    readPct: flags.readPct === undefined ? d.readPct : number('--read-pct', flags.readPct, 0, 100, true),
    payloadBytes: flags.payload === undefined ? d.payloadBytes : parseSize('--payload', flags.payload),
    ops: flags.ops === undefined ? [...d.ops] : list('--ops', flags.ops, OP_NAMES),
    targets: flags.targets === undefined ? [...d.targets] : list('--targets', flags.targets, TARGET_NAMES),
    modes: flags.modes === undefined ? [...d.modes] : list('--modes', flags.modes, MODE_NAMES),
    parts: flags.parts === undefined ? [...d.parts] : list('--parts', flags.parts, SUITE_PARTS),
    sequenceCount:
      flags.sequenceCount === undefined ? d.sequenceCount : number('--sequence-count', flags.sequenceCount, 1, 1_000_000, true),
    watchMultiple:
      flags.watchMultiple === undefined ? d.watchMultiple : number('--watch-multiple', flags.watchMultiple, 1, 100, true),
    keys: flags.keys === undefined ? d.keys : number('--keys', flags.keys, 1, 1_000_000, true),
    snapshotNodes:
      flags.snapshotNodes === undefined ? d.snapshotNodes : number('--snapshot-nodes', flags.snapshotNodes, 0, 10_000_000, true),
    // ZooKeeper refuses a snapCount below 2 (it snapshots every snapCount/2 + random(snapCount/2) txns)
    snapCount: flags.snapCount === undefined ? d.snapCount : number('--snap-count', flags.snapCount, 2, 100_000_000, true),
    dataRoot: nonEmpty('--data-root', flags.dataRoot),
    jsonOut: nonEmpty('--json', flags.json),
    zabkitCli: nonEmpty('--zabkit-cli', flags.zabkitCli),
    cpuProfDir: nonEmpty('--cpu-prof', flags.cpuProf),
    nodeFlags: flags.nodeFlags === undefined ? [...d.nodeFlags] : nodeOptions('--node-flags', flags.nodeFlags),
    progress: flags.progress ?? d.progress,
  };
}
