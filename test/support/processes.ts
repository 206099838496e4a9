// Child-process plumbing for the real-software helpers. Every child runs in its own process
// group, is tracked, and the whole group is SIGKILLed when this Node process exits or is
// signalled; one-shot commands get a hard timeout that kills their group.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let hooksInstalled = false;

/** Sends `signal` to the child's whole process group (falls back to the child alone). */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || exited(child)) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function killAll(): void {
  for (const child of live) signalGroup(child, 'SIGKILL');
  live.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  tempDirs.clear();
}

/** Registers a temp directory to delete if this process exits before forgetTempDir(dir). */
export function removeOnExit(dir: string): void {
  installHooks();
  tempDirs.add(dir);
}

export function forgetTempDir(dir: string): void {
  tempDirs.delete(dir);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAll();
      // Only restore the default "die on signal" behaviour if nobody else handles it.
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, onSignal);
  }
}

export interface TrackedSpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Spawns a piped child in a new process group and tracks it until it exits. */
export function spawnTracked(command: string, args: string[], opts: TrackedSpawnOptions = {}): ChildProcess {
  installHooks();
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

/** Resolves when the child has exited and its stdio is closed (grandchildren included). */
export function waitClosed(child: ChildProcess, timeoutMs?: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (exited(child) && child.stdout?.closed !== false && child.stderr?.closed !== false) {
      resolve(true);
      return;
    }
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => resolve(false), timeoutMs);
    child.once('close', () => {
      if (timer) clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Keeps only the last `max` characters of a stream's text (for error messages). */
export function tail(text: string, max = 4000): string {
  return text.length <= max ? text : `…${text.slice(text.length - max)}`;
}

export interface ProcessResult {
  stdout: string;
  stderr: string;
  /** Exit code, or null if the child died from a signal. */
  code: number | null;
}

export interface RunOptions extends TrackedSpawnOptions {
  /** Written to stdin, which is then closed. */
  input?: string;
  timeoutMs: number;
  /** Used in error messages. */
  label?: string;
}

export class ProcessTimeoutError extends Error {
  constructor(
    label: string,
    timeoutMs: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`${label} timed out after ${timeoutMs} ms and was killed\n--- stdout\n${tail(stdout)}\n--- stderr\n${tail(stderr)}`);
    this.name = 'ProcessTimeoutError';
  }
}

/** Runs a command to completion with a hard timeout; on timeout its group is killed and we reject. */
export function runProcess(command: string, args: string[], opts: RunOptions): Promise<ProcessResult> {
  const label = opts.label ?? command;
  return new Promise((resolve, reject) => {
    const child = spawnTracked(command, args, opts);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      signalGroup(child, 'SIGKILL');
    }, opts.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${label}: failed to start: ${err.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (timedOut) reject(new ProcessTimeoutError(label, opts.timeoutMs, stdout, stderr));
      else resolve({ stdout, stderr, code });
    });
    child.stdin?.on('error', () => undefined); // child may exit before reading everything
    child.stdin?.end(opts.input ?? '');
  });
}
