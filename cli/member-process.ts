// One ensemble member as a child process: `zabkit server --config <zoo.cfg>` run by the same
// CLI entry as the caller, behind a small sh guard so the member dies with its parent (even a
// SIGKILLed one: the guard sees the parent's end of its stdin pipe close), in a process group of
// its own (a terminal's Ctrl-C reaches the parent only, which stops members in order). The guard
// `exec`s the member, so `pid` is the member itself and signals (SIGKILL, SIGSTOP) hit it alone.
// Output arrives line by line. Counterpart: one `zkServer.sh start-foreground` per member.

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How to run the zabkit CLI: a program and the arguments before the subcommand. */
export interface CliInvocation {
  readonly command: string;
  readonly args: readonly string[];
}

/** The CLI entry this process runs (tsx's loader flags included in dev, dist/cli/main.js after a build). */
export function runningCli(): CliInvocation {
  const entry = process.argv[1];
  if (entry === undefined) throw new Error('cannot tell which script runs the zabkit CLI (process.argv[1] is empty)');
  return { command: process.execPath, args: [...process.execArgv, entry] };
}

/**
 * sh -c GUARD guard CMD ARGS…: keeps the caller's pipe as fd 3 for a background reader, which
 * SIGTERMs the member once that pipe reaches EOF (and SIGKILLs it if it is still there 5 s
 * later); then becomes the member (`exec`), with stdin from /dev/null. `$$` in the reader is the
 * guard's pid, which after the exec is the member's.
 */
const GUARD = [
  'exec 3<&0 </dev/null',
  '( cat <&3 >/dev/null; kill -TERM $$ || exit 0',
  '  for i in 1 2 3 4 5 6 7 8 9 10; do sleep 0.5; kill -0 $$ || exit 0; done; kill -KILL $$ ) >/dev/null 2>&1 &',
  'exec 3<&-',
  'exec "$@"',
].join('\n');

export interface MemberExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export function describeExit(exit: MemberExit): string {
  return exit.signal !== null ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

export class MemberProcess {
  readonly pid: number;
  /** Resolves once the member has exited and its output is read to the end. */
  readonly exited: Promise<MemberExit>;
  private readonly child: ChildProcess;
  private exitInfo: MemberExit | undefined;

  /**
   * Starts `zabkit server --config cfgPath` (plus `extraArgs`); `onLine` gets each line of its
   * stdout and stderr. Throws if the process cannot be spawned.
   */
  constructor(
    readonly label: string,
    cli: CliInvocation,
    cfgPath: string,
    onLine: (stream: 'stdout' | 'stderr', line: string) => void,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.child = spawn('/bin/sh', ['-c', GUARD, 'zabkit-member', cli.command, ...cli.args, 'server', '--config', cfgPath], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env,
    });
    if (this.child.pid === undefined) throw new Error(`${label}: could not start ${cli.command}`);
    this.pid = this.child.pid;
    this.child.stdin!.on('error', () => undefined);
    const streams = (['stdout', 'stderr'] as const).map((name) => {
      const lines = createInterface({ input: this.child[name]!, crlfDelay: Infinity });
      lines.on('line', (line) => onLine(name, line));
      return new Promise<void>((resolve) => lines.once('close', () => resolve()));
    });
    const exit = new Promise<MemberExit>((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        // Let the guard's reader go (it would otherwise wait for this process to end).
        this.child.stdin!.end();
        resolve(this.exitInfo);
      });
      this.child.once('error', (err) => {
        onLine('stderr', `${label}: ${err.message}`);
        this.exitInfo = { code: null, signal: null };
        resolve(this.exitInfo);
      });
    });
    this.exited = Promise.all([exit, ...streams]).then(([e]) => e);
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  get exit(): MemberExit | undefined {
    return this.exitInfo;
  }

  /** Sends `signal` to the member (not to its guard's reader). False when it had already exited. */
  signal(signal: NodeJS.Signals): boolean {
    if (!this.alive) return false;
    try {
      process.kill(this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** SIGTERM (a clean close), SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 10_000): Promise<MemberExit> {
    if (!this.alive) return this.exited;
    this.signal('SIGCONT'); // a stopped member cannot act on SIGTERM
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
