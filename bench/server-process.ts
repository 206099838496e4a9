// A server under test as a child process: started behind a small sh guard that stops it if the
// bench dies (even by SIGKILL: the guard sees its stdin pipe close), in its own process group,
// with the last of its output kept for error messages. `pid` is the server itself (the JVM, or
// node), not the guard, so /proc figures are the server's own.

import { spawn, type ChildProcess } from 'node:child_process';
import { childPids } from './process-stats.js';

/**
 * sh -c GUARD guard CMD ARGS…: runs the command with stdin from /dev/null, and a reader on the
 * guard's own stdin (the bench's pipe) that sends SIGTERM, then SIGKILL, when that pipe closes.
 */
const GUARD = [
  'exec 3<&0',
  '"$@" </dev/null 3<&- &',
  'server=$!',
  '( cat <&3 >/dev/null; kill -TERM "$server" 2>/dev/null; sleep 5; kill -KILL "$server" 2>/dev/null ) >/dev/null 2>&1 &',
  'exec 3<&-',
  'wait "$server"',
].join('\n');

const OUTPUT_KEEP = 32 * 1024;
const STOP_GRACE_MS = 8000;

const live = new Set<ServerProcess>();
let exitHook = false;

function installExitHook(): void {
  if (exitHook) return;
  exitHook = true;
  // Last resort on a normal exit; signals reach the guard through its closed stdin.
  process.on('exit', () => {
    for (const p of live) p.killNow();
  });
}

export class ServerProcess {
  private output = '';
  private readonly child: ChildProcess;
  private serverPid: number | undefined;
  private closed: Promise<void>;
  private stopping: Promise<void> | undefined;

  constructor(readonly label: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
    installExitHook();
    this.child = spawn('/bin/sh', ['-c', GUARD, 'bench-guard', command, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env,
    });
    const keep = (chunk: Buffer): void => {
      this.output += chunk.toString('utf8');
      if (this.output.length > OUTPUT_KEEP * 2) this.output = this.output.slice(-OUTPUT_KEEP);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.stdin?.on('error', () => undefined);
    this.child.on('error', (err) => keep(Buffer.from(`\n[spawn failed: ${err.message}]\n`)));
    this.closed = new Promise((resolve) => this.child.once('close', () => resolve()));
    live.add(this);
    void this.closed.then(() => live.delete(this));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The server's own pid (the guard's child), once it exists. */
  get pid(): number | undefined {
    if (this.serverPid === undefined && this.child.pid !== undefined) this.serverPid = childPids(this.child.pid)[0];
    return this.serverPid;
  }

  /** Waits until the server's pid is visible (the guard forks it at once). */
  async resolvePid(timeoutMs = 5000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pid = this.pid;
      if (pid !== undefined) return pid;
      if (!this.alive || Date.now() > deadline) throw new Error(`${this.label}: no server process\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  tail(max = 3000): string {
    return this.output.length <= max ? this.output : `…${this.output.slice(-max)}`;
  }

  private signal(sig: NodeJS.Signals): void {
    if (this.child.pid === undefined || !this.alive) return;
    try {
      process.kill(-this.child.pid, sig);
    } catch {
      // already gone
    }
  }

  killNow(): void {
    this.signal('SIGKILL');
  }

  /** SIGTERM to the group, SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.signal('SIGTERM');
      const timer = setTimeout(() => this.signal('SIGKILL'), STOP_GRACE_MS);
      await this.closed;
      clearTimeout(timer);
    })();
    return this.stopping;
  }
}
