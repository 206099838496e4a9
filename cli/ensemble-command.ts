// `zabkit ensemble`: a local N-member ensemble on 127.0.0.1 for development — one child process
// per member running `zabkit server --config <generated zoo.cfg>` with its own data directory,
// each member's output prefixed with its id, the connect string printed once a leader is
// elected (every member's `srvr` shows its Mode), and every member stopped on SIGINT/SIGTERM or
// when this process dies. Counterpart: the per-member zoo.cfg + myid + zkServer.sh routine of
// ZooKeeper's replicated-mode guide, or Curator's TestingCluster as processes.

import type { Command } from 'commander';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fourLetterWord, parseMode } from '../bench/four-letter-words.js';
import { freePorts } from '../bench/ports.js';
import { ConfigError } from '../server/config/config-error.js';
import { parseFourLetterWords, parseInteger, parsePort } from '../server/config/values.js';
import {
  ENSEMBLE_HOST, ensembleLayout, portsFromBase, portsFromList, type MemberLayout, type MemberPorts,
} from './ensemble-layout.js';
import { describeExit, MemberProcess, runningCli, type CliInvocation, type MemberExit } from './member-process.js';
import {
  DUPLICATE_SIGNAL_WINDOW_MS, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type ShutdownSignal,
} from './server-command.js';

/** The flags as commander hands them over. */
export interface EnsembleFlags {
  size: string;
  observers: string;
  dataDir: string;
  basePort?: string;
  tickTime: string;
  fourLetterWords: string;
  extendedTypes?: boolean;
  startTimeout: string;
}

export interface EnsembleOptions {
  voters: number;
  observers: number;
  /** Absolute. */
  root: string;
  basePort: number | undefined;
  tickTimeMs: number;
  fourLetterWords: string;
  extendedTypes: boolean;
  startTimeoutMs: number;
  /** Printed as `warning: ...` lines. */
  warnings: string[];
}

export const DEFAULT_ENSEMBLE_DIR = './zabkit-ensemble';
const MAX_MEMBERS = 50;
/** initLimit / syncLimit in ticks, ZooKeeper's sample values. */
const INIT_LIMIT = 10;
const SYNC_LIMIT = 5;
const POLL_MS = 200;
/** Free ports are probed, then bound by the members: another process can take one in between. */
const PORT_ATTEMPTS = 3;
const SIGNAL_NUMBER: Readonly<Record<ShutdownSignal, number>> = { SIGINT: 2, SIGTERM: 15 };

/** Checks the flags; throws ConfigError naming the flag. */
export function resolveEnsembleOptions(flags: EnsembleFlags, cwd = process.cwd()): EnsembleOptions {
  const voters = parseInteger(flags.size.trim(), { key: '--size' }, { min: 1, max: MAX_MEMBERS });
  const observers = parseInteger(flags.observers.trim(), { key: '--observers' }, { min: 0, max: MAX_MEMBERS });
  if (voters + observers < 2) {
    throw new ConfigError('--size 1 without observers is a single standalone server: run `zabkit server` instead', { key: '--size', value: flags.size });
  }
  if (voters + observers > MAX_MEMBERS) {
    throw new ConfigError(`--size plus --observers must be at most ${MAX_MEMBERS}`, { key: '--observers', value: flags.observers });
  }
  if (flags.dataDir.trim() === '') throw new ConfigError('--data-dir must not be empty', { key: '--data-dir', value: '' });
  const basePort = flags.basePort === undefined ? undefined : parsePort(flags.basePort.trim(), { key: '--base-port' }, false);
  if (basePort !== undefined) {
    try {
      portsFromBase(basePort, voters + observers);
    } catch (err) {
      throw new ConfigError((err as Error).message, { key: '--base-port', value: flags.basePort! });
    }
  }
  const words = parseFourLetterWords(flags.fourLetterWords, { key: '--four-letter-words' });
  return {
    voters,
    observers,
    root: resolve(cwd, flags.dataDir),
    basePort,
    tickTimeMs: parseInteger(flags.tickTime.trim(), { key: '--tick-time' }, { min: 1 }),
    fourLetterWords: words.words === '*' ? '*' : [...words.words].join(','),
    extendedTypes: flags.extendedTypes === true,
    startTimeoutMs: parseInteger(flags.startTimeout.trim(), { key: '--start-timeout' }, { min: 1 }) * 1000,
    warnings: words.warnings,
  };
}

/** A running member as the command sees it (MemberProcess in production). */
export interface MemberHandle {
  readonly pid: number;
  readonly alive: boolean;
  readonly exited: Promise<MemberExit>;
  signal(signal: NodeJS.Signals): boolean;
  stop(): Promise<MemberExit>;
}

export interface EnsembleCommandDeps {
  /** How members run the CLI (the entry this process runs). */
  cli(): CliInvocation;
  startMember(label: string, cli: CliInvocation, cfgPath: string, onLine: (stream: 'stdout' | 'stderr', line: string) => void): MemberHandle;
  freePorts(count: number): Promise<number[]>;
  /** `srvr`'s Mode line of the member on this port, undefined while it does not serve. */
  modeOf(port: number): Promise<string | undefined>;
  stdout(line: string): void;
  stderr(line: string): void;
  onSignal(signal: ShutdownSignal, handler: () => void): void;
  exit(code: number): void;
  now(): number;
}

/** The real process: spawned members, stdio, signals. */
export function processEnsembleDeps(): EnsembleCommandDeps {
  return {
    cli: runningCli,
    startMember: (label, cli, cfgPath, onLine) => new MemberProcess(label, cli, cfgPath, onLine),
    freePorts: (count) => freePorts(count, ENSEMBLE_HOST),
    modeOf: (port) => fourLetterWord(ENSEMBLE_HOST, port, 'srvr', 1000).then(parseMode, () => undefined),
    stdout: (line) => void process.stdout.write(`${line}\n`),
    stderr: (line) => void process.stderr.write(`${line}\n`),
    onSignal: (signal, handler) => void process.on(signal, handler),
    exit: (code) => process.exit(code),
    now: () => performance.now(),
  };
}

interface Running {
  readonly layout: MemberLayout;
  readonly label: string;
  readonly process: MemberHandle;
  /** A line said its port was taken (a lost race for a probed free port). */
  readonly portBusy: boolean;
}

const SERVING = new Set(['leader', 'follower', 'observer']);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the ensemble and keeps it until a signal; exits through `deps.exit` (0 after a clean
 * stop, 1 when members fail to start or all die, 2 for bad flags or a member's bad config).
 */
export async function runEnsembleCommand(flags: EnsembleFlags, deps: EnsembleCommandDeps): Promise<void> {
  let options: EnsembleOptions;
  try {
    options = resolveEnsembleOptions(flags);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    deps.stderr(`zabkit ensemble: ${err.message}`);
    deps.exit(EXIT_USAGE);
    return;
  }
  for (const warning of options.warnings) deps.stderr(`warning: ${warning}`);
  const count = options.voters + options.observers;
  let members: Running[] = [];
  let stoppingSince: number | undefined;
  let finished = false;
  const finish = (code: number): void => {
    if (finished) return;
    finished = true;
    deps.exit(code);
  };
  const stopAll = async (): Promise<void> => {
    await Promise.all(members.map((m) => m.process.stop()));
  };
  const onSignal = (signal: ShutdownSignal): void => {
    if (stoppingSince !== undefined) {
      if (deps.now() - stoppingSince < DUPLICATE_SIGNAL_WINDOW_MS) return;
      deps.stderr(`zabkit ensemble: ${signal} again, killing the members`);
      for (const m of members) m.process.signal('SIGKILL');
      finish(128 + SIGNAL_NUMBER[signal]);
      return;
    }
    stoppingSince = deps.now();
    deps.stderr(`zabkit ensemble: ${signal} received, stopping ${members.filter((m) => m.process.alive).length} members (send it again to kill them)`);
    void stopAll().then(() => finish(EXIT_OK));
  };
  deps.onSignal('SIGINT', () => onSignal('SIGINT'));
  deps.onSignal('SIGTERM', () => onSignal('SIGTERM'));

  try {
    prepareRoot(options, count, deps);
  } catch (err) {
    deps.stderr(`zabkit ensemble: cannot use ${options.root}: ${(err as Error).message}`);
    finish(EXIT_FAILURE);
    return;
  }
  deps.stdout(
    `zabkit ensemble: starting ${describeSize(options)} on ${ENSEMBLE_HOST} (tickTime=${options.tickTimeMs}ms, data in ${options.root})`,
  );
  const cli = deps.cli();
  for (let attempt = 1; ; attempt++) {
    const ports: MemberPorts[] = options.basePort !== undefined
      ? portsFromBase(options.basePort, count)
      : portsFromList(await deps.freePorts(3 * count), count);
    const layout = ensembleLayout({
      ...options, ports, initLimit: INIT_LIMIT, syncLimit: SYNC_LIMIT,
    });
    members = layout.map((m) => startMember(m, cli, deps));
    if (stoppingSince !== undefined) return; // a signal during the spawn: onSignal stops them
    const outcome = await waitForLeader(members, options.startTimeoutMs, deps, () => stoppingSince !== undefined);
    if (stoppingSince !== undefined) return;
    if (outcome.ok) {
      printReady(options, members, outcome.modes, deps);
      watchMembers(members, deps, () => stoppingSince !== undefined, finish);
      return;
    }
    await stopAll();
    const busy = members.some((m) => m.portBusy);
    if (busy && options.basePort === undefined && attempt < PORT_ATTEMPTS) {
      deps.stderr('zabkit ensemble: a probed free port was taken meanwhile; starting again on other ports');
      continue;
    }
    deps.stderr(`zabkit ensemble: ${outcome.reason}`);
    finish(outcome.configError ? EXIT_USAGE : EXIT_FAILURE);
    return;
  }
}

function describeSize(o: EnsembleOptions): string {
  return `${o.voters} voting member${o.voters === 1 ? '' : 's'}` +
    (o.observers > 0 ? ` and ${o.observers} observer${o.observers === 1 ? '' : 's'}` : '');
}

/** Creates the root; warns about member directories a larger earlier ensemble left behind. */
function prepareRoot(o: EnsembleOptions, count: number, deps: EnsembleCommandDeps): void {
  mkdirSync(o.root, { recursive: true });
  const extra = readdirSync(o.root)
    .map((name) => /^member-(\d+)$/.exec(name)?.[1])
    .filter((sid): sid is string => sid !== undefined && Number(sid) > count);
  if (extra.length > 0) {
    deps.stderr(`warning: ${o.root} also holds ${extra.map((s) => `member-${s}`).join(', ')} from a larger ensemble; left alone`);
  }
}

function startMember(m: MemberLayout, cli: CliInvocation, deps: EnsembleCommandDeps): Running {
  mkdirSync(m.dataDir, { recursive: true });
  // The directory name is the id: myid always matches it.
  writeFileSync(join(m.dataDir, 'myid'), `${m.sid}\n`);
  writeFileSync(m.cfgPath, m.zooCfg);
  const label = `server.${m.sid}`;
  const prefix = `${label} | `;
  let portBusy = false;
  const handle = deps.startMember(label, cli, m.cfgPath, (stream, line) => {
    if (/already in use/.test(line)) portBusy = true;
    (stream === 'stdout' ? deps.stdout : deps.stderr)(`${prefix}${line}`);
  });
  return { layout: m, label, process: handle, get portBusy() { return portBusy; } };
}

type StartOutcome =
  | { ok: true; modes: string[] }
  | { ok: false; reason: string; configError: boolean };

/** Polls every member's `srvr` until all serve with exactly one leader, a member exits, or time runs out. */
async function waitForLeader(
  members: readonly Running[], timeoutMs: number, deps: EnsembleCommandDeps, stopping: () => boolean,
): Promise<StartOutcome> {
  const deadline = deps.now() + timeoutMs;
  let modes: Array<string | undefined> = [];
  for (;;) {
    const dead = members.find((m) => !m.process.alive);
    if (dead) {
      const exit = await dead.process.exited;
      return { ok: false, reason: `${dead.label} ${describeExit(exit)} during startup`, configError: exit.code === EXIT_USAGE };
    }
    modes = await Promise.all(members.map((m) => deps.modeOf(m.layout.ports.client)));
    if (stopping()) return { ok: false, reason: 'stopped', configError: false };
    const leaders = modes.filter((m) => m === 'leader').length;
    if (leaders === 1 && modes.every((m) => m !== undefined && SERVING.has(m))) return { ok: true, modes: modes as string[] };
    if (deps.now() > deadline) {
      const states = members.map((m, i) => `${m.label} ${modes[i] ?? 'not serving'}`).join(', ');
      return { ok: false, reason: `no elected leader after ${Math.round(timeoutMs / 1000)} s (${states})`, configError: false };
    }
    await sleep(POLL_MS);
  }
}

function printReady(o: EnsembleOptions, members: readonly Running[], modes: readonly string[], deps: EnsembleCommandDeps): void {
  const leader = members[modes.indexOf('leader')]!;
  deps.stdout(`zabkit ensemble: ${describeSize(o)} serving, leader ${leader.label}`);
  const width = Math.max(...members.map((m) => m.label.length));
  members.forEach((m, i) => {
    deps.stdout(`  ${m.label.padEnd(width)}  ${modes[i]!.padEnd(8)}  ${m.layout.connectString}  pid ${m.process.pid}`);
  });
  deps.stdout(`connect string: ${members.map((m) => m.layout.connectString).join(',')}`);
}

/** After startup: says when a member exits on its own; exits 1 once none is left. */
function watchMembers(
  members: readonly Running[], deps: EnsembleCommandDeps, stopping: () => boolean, finish: (code: number) => void,
): void {
  for (const m of members) {
    void m.process.exited.then((exit) => {
      if (stopping()) return;
      const left = members.filter((x) => x.process.alive).length;
      deps.stderr(`zabkit ensemble: ${m.label} (pid ${m.process.pid}) ${describeExit(exit)}; ${left} of ${members.length} members still running`);
      if (left === 0) finish(EXIT_FAILURE);
    });
  }
}

/** Adds `ensemble` to the program. */
export function registerEnsembleCommand(program: Command, deps: EnsembleCommandDeps = processEnsembleDeps()): Command {
  return program
    .command('ensemble')
    .description('run a local ensemble on 127.0.0.1 for development: one `zabkit server --config` process per member')
    .option('--size <n>', 'voting members', '3')
    .option('--observers <k>', 'non-voting observers besides', '0')
    .option('--data-dir <dir>', 'where member-<id>/ directories (zoo.cfg, data/ with myid) go; kept across runs', DEFAULT_ENSEMBLE_DIR)
    .option('--base-port <port>', 'client ports from here, then the quorum ports, then the election ports (default: free ports)')
    .option('--tick-time <ms>', 'tickTime of every member (initLimit=10, syncLimit=5 ticks)', '2000')
    .option('--four-letter-words <list>', "four-letter words the members answer, comma-separated, '*' for all", '*')
    .option('--extended-types', 'enable TTL nodes (extendedTypesEnabled)')
    .option('--start-timeout <s>', 'seconds to wait for an elected leader', '120')
    .addHelpText(
      'after',
      '\nPrints the connect string once every member serves with one leader; each member\'s output is prefixed with its id.\n' +
        'SIGINT/SIGTERM stops every member; members also stop when this process dies.\n' +
        'Exit codes: 0 after a clean stop, 1 when members fail to start or all exit, 2 for a bad flag. Guide: docs/ensemble.md',
    )
    .action(async (flags: EnsembleFlags) => {
      await runEnsembleCommand(flags, deps);
    });
}
