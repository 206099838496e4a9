// zabkit as a bench target: each server is `zabkit server --config <zoo.cfg>` in a child process,
// started through the same CLI users run (cli/main.ts under tsx, dist/cli/main.js after a build,
// or another checkout's with --zabkit-cli), with the zoo.cfg Apache ZooKeeper gets. Standalone is
// one such process; an ensemble is three, started as ZooKeeper's members are (server.N lines and
// a myid each), and reported only if they come up as leader/followers — a CLI from before
// ensembles existed runs them standalone, and the target is then n/a with that reason. Each
// process's `mntr` gives its event-loop lag; an ensemble reports its worst member's.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fourLetterWord, parseMntr } from './four-letter-words.js';
import { startMembers } from './members.js';
import type { Mode } from './options.js';
import { TargetUnavailable, type EventLoopLagReading, type TargetLauncher, type TargetSettings } from './target.js';
import { runningTarget } from './zookeeper-target.js';
import { BENCH_HOST } from './zoo-cfg.js';

export interface ZabkitCli {
  /** The program and the arguments that come before the subcommand. */
  command: string;
  prefix: string[];
  /** The CLI entry file, for the report. */
  entry: string;
}

/** Our own CLI entry: cli/main.ts beside this file's directory when running from source, else main.js. */
export function ownCliEntry(): string {
  const here = fileURLToPath(import.meta.url);
  const ext = here.endsWith('.ts') ? 'ts' : 'js';
  return join(dirname(here), '..', 'cli', `main.${ext}`);
}

/** How to run a zabkit CLI entry with this node: a .ts entry gets tsx's loader. */
export function zabkitCli(entry: string = ownCliEntry()): ZabkitCli {
  const file = resolve(entry);
  if (!existsSync(file)) throw new Error(`zabkit CLI not found at ${file}`);
  const prefix = file.endsWith('.ts') ? ['--import', import.meta.resolve('tsx'), file] : [file];
  return { command: process.execPath, prefix, entry: file };
}

async function readLag(port: number): Promise<EventLoopLagReading | undefined> {
  const m = parseMntr(await fourLetterWord(BENCH_HOST, port, 'mntr'));
  const p50 = m.get('event_loop_lag_p50_ms');
  const p99 = m.get('event_loop_lag_p99_ms');
  const max = m.get('event_loop_lag_max_ms');
  if (p50 === undefined || p99 === undefined || max === undefined) return undefined;
  return { p50Ms: Number(p50), p99Ms: Number(p99), maxMs: Number(max) };
}

/** Warnings and banner lines the server printed, minus noise: they tell what the run really was. */
function serverNotes(output: string): string[] {
  return output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('warning:') || l.startsWith('zabkit server listening'));
}

/** Node flags that make a server process write a CPU profile into `dir` when it exits. */
export function cpuProfileFlags(dir: string | undefined): string[] {
  return dir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', resolve(dir)];
}

/** How the bench runs zabkit's server processes. */
export interface ZabkitProcessOptions {
  /** Where their data directories go (the OS temp dir when absent). */
  readonly dataRoot?: string | undefined;
  /** Another CLI entry to run them from. */
  readonly cliEntry?: string | undefined;
  /** Write a CPU profile per process here. */
  readonly cpuProfDir?: string | undefined;
  /** Extra node options for each process (V8 heap sizes, say); reported in the target's notes. */
  readonly nodeFlags?: readonly string[];
}

export function zabkitLauncher(mode: Mode, o: ZabkitProcessOptions = {}): TargetLauncher {
  const extraFlags = o.nodeFlags ?? [];
  return {
    name: 'zabkit',
    mode,
    async start(settings: TargetSettings = {}) {
      const cli = zabkitCli(o.cliEntry);
      const nodeFlags = [...cpuProfileFlags(o.cpuProfDir), ...extraFlags];
      const size = mode === 'standalone' ? 1 : 3;
      const started = await startMembers({
        label: `zabkit-${mode}`,
        size,
        dataRoot: o.dataRoot,
        startTimeoutMs: 60_000,
        snapCount: settings.snapCount,
        command: (cfgPath) => ({ command: cli.command, args: [...nodeFlags, ...cli.prefix, 'server', '--config', cfgPath] }),
      });
      if (mode === 'ensemble' && started.members.some((m) => m.mode === 'standalone')) {
        await started.stop();
        throw new TargetUnavailable('zabkit ensemble not available (this CLI runs `server --config` with server.N lines standalone)');
      }
      const first = started.members[0]!;
      await new Promise((r) => setTimeout(r, 100)); // let the banner and warnings reach us
      const notes = [
        `zabkit CLI ${cli.entry}`,
        ...(extraFlags.length > 0 ? [`node flags ${extraFlags.join(' ')}`] : []),
        ...serverNotes(first.process.tail(20_000)),
      ];
      // lag is per process; for an ensemble report the worst member
      const lag = async (): Promise<EventLoopLagReading | undefined> => {
        const readings = await Promise.all(started.members.map((m) => readLag(m.port)));
        const present = readings.filter((r): r is EventLoopLagReading => r !== undefined);
        if (present.length === 0) return undefined;
        return {
          p50Ms: Math.max(...present.map((r) => r.p50Ms)),
          p99Ms: Math.max(...present.map((r) => r.p99Ms)),
          maxMs: Math.max(...present.map((r) => r.maxMs)),
        };
      };
      return runningTarget('zabkit', mode, started, notes, lag);
    },
  };
}
