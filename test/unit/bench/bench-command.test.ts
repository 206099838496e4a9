// `zabkit bench` as a command: flags reach the runner parsed, the table goes to stdout, the JSON
// to --json's file, and the exit code says whether a run failed or the flags were bad.

import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { registerBenchCommand, runBenchCommand, type BenchCommandDeps } from '../../../cli/bench-command.js';
import type { BenchOptions } from '../../../bench/options.js';
import { RESULT_SCHEMA, type BenchReport, type ClientRunResult, type RunResult } from '../../../bench/results.js';

function fakeReport(o: BenchOptions, runs: RunResult[]): BenchReport {
  const { progress: _p, ...options } = o;
  return {
    schema: RESULT_SCHEMA, startedAt: 's', finishedAt: 'f',
    zabkit: { commit: undefined, uncommittedChanges: undefined, cli: undefined },
    machine: { cpus: 1, cpuModel: 'm', memoryMb: 1, node: 'v', kernel: 'k', loadAverageAtStart: [], loadAverage: [] },
    options, targets: [], runs,
  };
}

const okRun: RunResult = {
  mode: 'standalone', target: 'zookeeper', scenarioId: 'x', part: 'throughput', label: 'getData 1x1 100B',
  sessions: 1, outstanding: 1, payloadBytes: 100, status: 'ok',
  result: { ops: 10, errors: 0, elapsedMs: 1000, opsPerSec: 10, latencyMs: { mean: 1, p50: 1, p99: 1, p999: 1, max: 1 } },
};

function deps(runs: RunResult[] = [okRun]) {
  const out: string[] = [];
  const err: string[] = [];
  const files = new Map<string, string>();
  const seen: BenchOptions[] = [];
  const d: BenchCommandDeps = {
    runBench: async (o) => {
      seen.push(o);
      return fakeReport(o, runs);
    },
    stdout: (t) => void out.push(t),
    stderr: { isTTY: false, write: (t: string) => err.push(t) },
    writeFile: async (p, t) => void files.set(p, t),
    exit: vi.fn(),
  };
  return { d, out, err, files, seen };
}

describe('zabkit bench command', () => {
  it('parses flags through commander, prints the table, writes the JSON, exits 0', async () => {
    const { d, out, files, seen } = deps();
    const program = new Command('zabkit').exitOverride();
    registerBenchCommand(program, d);
    await program.parseAsync(['node', 'zabkit', 'bench', '--duration', '1', '--targets', 'zookeeper', '--modes', 'standalone', '--json', 'r.json', '--no-progress']);
    expect(seen[0]).toMatchObject({ durationS: 1, warmupS: 2, targets: ['zookeeper'], modes: ['standalone'], jsonOut: 'r.json', progress: false });
    expect(out.join('')).toContain('| standalone | getData 1x1 100B');
    expect(JSON.parse(files.get('r.json')!)).toMatchObject({ schema: 'zabkit-bench/1', runs: [{ label: 'getData 1x1 100B' }] });
    expect(d.exit).toHaveBeenCalledWith(0);
  });

  it('--node-flags reach the runner as a list, and the output says the servers ran with them', async () => {
    const { d, out, seen } = deps();
    const program = new Command('zabkit').exitOverride();
    registerBenchCommand(program, d);
    await program.parseAsync(['node', 'zabkit', 'bench', '--node-flags', '--max-semi-space-size=8 --single-threaded-gc', '--no-progress']);
    expect(seen[0]!.nodeFlags).toEqual(['--max-semi-space-size=8', '--single-threaded-gc']);
    expect(out.join('')).toContain("zabkit's servers ran with node flags: --max-semi-space-size=8 --single-threaded-gc");
  });

  it('bad flags: a message on stderr, exit 2, nothing run', async () => {
    const { d, err, seen } = deps();
    await runBenchCommand({ sessions: 'many' }, d);
    expect(err.join('')).toMatch(/^zabkit bench: --sessions must be a number/);
    expect(seen).toEqual([]);
    expect(d.exit).toHaveBeenCalledWith(2);
  });

  it('a failed run still prints the table, and exits 1; n/a alone does not fail', async () => {
    const failed: RunResult = { ...okRun, target: 'zabkit', status: 'failed', reason: 'boom' };
    const a = deps([okRun, failed]);
    await runBenchCommand({}, a.d);
    expect(a.out.join('')).toContain('failed[1]');
    expect(a.err.join('')).toContain('1 run(s) failed');
    expect(a.d.exit).toHaveBeenCalledWith(1);

    const b = deps([okRun, { ...failed, status: 'n/a', reason: 'zabkit ensemble not available' }]);
    await runBenchCommand({}, b.d);
    expect(b.d.exit).toHaveBeenCalledWith(0);
  });
  it('client part: its table after the server table, its runs in the JSON, a failed client run exits 1', async () => {
    const { d, out, files } = deps([]);
    const client: ClientRunResult = {
      scenarioId: 'client/getData/4x100/100B', op: 'getData', label: 'getData 4x100 100B', library: 'zabkit',
      libraryVersion: '0.1.0', server: 'Apache ZooKeeper 3.8.0 standalone', sessions: 4, outstanding: 100, payloadBytes: 100,
      status: 'ok', result: { ops: 10, errors: 0, elapsedMs: 1000, opsPerSec: 10, latencyMs: { mean: 1, p50: 1, p99: 1, p999: 1, max: 1 } },
    };
    const failed: ClientRunResult = { ...client, library: 'node-zookeeper-client', libraryVersion: '1.1.3', status: 'failed', reason: 'boom', result: undefined };
    d.runBench = async (o) => ({ ...fakeReport(o, []), clients: [client, failed] });
    await runBenchCommand({ parts: 'client', json: 'c.json' }, d);
    const text = out.join('');
    expect(text).not.toContain('| mode');
    expect(text).toContain('| getData 4x100 100B | 10 / failed[1]');
    expect(JSON.parse(files.get('c.json')!)).toMatchObject({ clients: [{ library: 'zabkit' }, { library: 'node-zookeeper-client', status: 'failed' }] });
    expect(d.exit).toHaveBeenCalledWith(1);
  });
});
