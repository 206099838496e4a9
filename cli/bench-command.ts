// `zabkit bench`: the same pipelined workload against zabkit and Apache ZooKeeper 3.8 (both
// started here, standalone and as 3-member loopback ensembles), then one side-by-side table on
// stdout and, with --json, the full results in a file. Progress goes to stderr. The `client` part
// adds a second table: our client vs node-zookeeper-client against one Apache ZooKeeper.
// Counterpart: ZooKeeper's zk-smoketest (zk-latencies.py) and YCSB-style load generators.

import type { Command } from 'commander';
import {
  BenchUsageError, DEFAULT_BENCH_OPTIONS, MODE_NAMES, OP_NAMES, SUITE_PARTS, TARGET_NAMES,
  resolveBenchOptions, type BenchFlags, type BenchOptions,
} from '../bench/options.js';
import { ProgressLine, type ProgressOutput } from '../bench/progress.js';
import { toJson, type BenchReport } from '../bench/results.js';
import { formatClientTable } from '../bench/client-table.js';
import { formatSnapshotTable } from '../bench/snapshot-table.js';
import { formatTable } from '../bench/table.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './server-command.js';

export interface BenchCommandDeps {
  runBench(options: BenchOptions, progress: ProgressLine): Promise<BenchReport>;
  stdout(text: string): void;
  /** Where the progress line goes. */
  stderr: ProgressOutput;
  writeFile(path: string, text: string): Promise<void>;
  exit(code: number): void;
}

/** Parses the flags, runs the bench, prints the table, writes the JSON. Exit 1 when a run failed. */
export async function runBenchCommand(flags: BenchFlags, deps: BenchCommandDeps): Promise<void> {
  let options: BenchOptions;
  try {
    options = resolveBenchOptions(flags);
  } catch (err) {
    if (!(err instanceof BenchUsageError)) throw err;
    deps.stderr.write(`zabkit bench: ${err.message}\n`);
    deps.exit(EXIT_USAGE);
    return;
  }
  const progress = new ProgressLine(options.progress ? deps.stderr : undefined);
  const report = await deps.runBench(options, progress);
  progress.done();
  const clients = report.clients ?? [];
  if (report.runs.length > 0 || clients.length === 0) deps.stdout(formatTable(report.runs));
  const snapshots = formatSnapshotTable(report.runs);
  if (snapshots !== '') deps.stdout(`\n${snapshots}`);
  if (clients.length > 0) deps.stdout(`${report.runs.length > 0 ? '\n' : ''}${formatClientTable(clients)}`);
  if (options.nodeFlags.length > 0) deps.stdout(`\nzabkit's servers ran with node flags: ${options.nodeFlags.join(' ')}\n`);
  if (options.jsonOut !== undefined) {
    await deps.writeFile(options.jsonOut, toJson(report));
    deps.stderr.write(`results written to ${options.jsonOut}\n`);
  }
  const failed = [...report.runs, ...clients].filter((r) => r.status === 'failed').length;
  if (failed > 0) deps.stderr.write(`zabkit bench: ${failed} run(s) failed\n`);
  deps.exit(failed > 0 ? EXIT_FAILURE : EXIT_OK);
}

export function registerBenchCommand(program: Command, deps: BenchCommandDeps): Command {
  const d = DEFAULT_BENCH_OPTIONS;
  return program
    .command('bench')
    .description('benchmark zabkit against Apache ZooKeeper 3.8 with the same pipelined load, side by side')
    .option('--duration <s>', `measured seconds per run`, String(d.durationS))
    .option('--warmup <s>', `unmeasured seconds before each run`, String(d.warmupS))
    .option('--sessions <n>', 'sessions per throughput run', String(d.sessions))
    .option('--outstanding <n>', 'requests each session keeps in flight', String(d.outstanding))
    .option('--read-pct <p>', 'percentage of getData in the mixed op (the rest setData)', String(d.readPct))
    .option('--payload <bytes>', 'data size of create/setData and of the znodes read (e.g. 100, 1k)', String(d.payloadBytes))
    .option('--ops <list>', `throughput ops, comma-separated: ${OP_NAMES.join(', ')}`, d.ops.join(','))
    .option('--targets <list>', `servers: ${TARGET_NAMES.join(', ')}`, d.targets.join(','))
    .option('--modes <list>', `${MODE_NAMES.join(', ')}`, d.modes.join(','))
    .option('--parts <list>', `${SUITE_PARTS.join(', ')} (1x1 latency runs, zk-latencies sequence, setData while snapshotting a big tree, client: our client vs node-zookeeper-client on one Apache ZooKeeper)`, d.parts.join(','))
    .option('--sequence-count <n>', 'znodes per zk-latencies phase', String(d.sequenceCount))
    .option('--watch-multiple <n>', 'watches per znode in the zk-latencies watch phase', String(d.watchMultiple))
    .option('--keys <n>', 'size of the read/write key space', String(d.keys))
    .option('--snapshot-nodes <n>', 'snapshot part: extra znodes in the tree its servers snapshot', String(d.snapshotNodes))
    .option('--snap-count <n>', 'snapshot part: its servers\' snapCount (a snapshot every snapCount/2 to snapCount txns)', String(d.snapCount))
    .option('--data-root <dir>', 'where the servers\' data directories go (default: the OS temp dir); use a real disk')
    .option('--json <file>', 'also write the full results as JSON')
    .option('--zabkit-cli <entry>', "run zabkit's server from this CLI entry (e.g. another checkout's cli/main.ts)")
    .option('--cpu-prof <dir>', "run zabkit's servers under node --cpu-prof, one .cpuprofile per server process in <dir>")
    .option('--node-flags <flags>', "extra node options for zabkit's server processes, space-separated (e.g. '--max-semi-space-size=8'); the report lists them")
    .option('--no-progress', 'no progress line on stderr')
    .addHelpText(
      'after',
      '\nStarts every server itself (Apache ZooKeeper from Debian\'s packages, installed if missing when run as root).\n' +
        'Exit codes: 0 done, 1 a run failed, 2 bad flags. Method and figures: docs/performance.md',
    )
    .action(async (flags: BenchFlags) => {
      await runBenchCommand(flags, deps);
    });
}
