// Drives REAL ZooKeeper clients from tests: Debian's zkCli.sh (Java), kazoo under
// /usr/bin/python3, and the C CLI (cli_st, or cli_mt where cli_st is not packaged). Each run
// is one session, has a hard timeout, and returns per-command output sections.
import { C_CLI_PATH, PYTHON_PATH, ZKCLI_PATH } from './debian-packages.js';
import { runProcess, signalGroup, spawnTracked, tail, ProcessTimeoutError, type ProcessResult } from './processes.js';

export type { ProcessResult } from './processes.js';

export interface CliResult extends ProcessResult {
  /** Output with connection banners, log noise and markers removed. */
  output: string;
  /** sections[i] = cleaned output produced by commands[i]. */
  sections: string[];
}

export interface ZkCliOptions {
  /** Whole-run timeout; the JVM is killed when it expires. Default 30 s. */
  timeoutMs?: number;
  /** Requested session timeout (zkCli -timeout). Default 30000. */
  sessionTimeoutMs?: number;
  /** Extra JVM flags for the client. */
  jvmFlags?: string[];
  env?: Record<string, string>;
}

// zkCli rejects this path client-side ("Invalid path string ..."), so a marker costs no traffic.
const zkCliMarker = (i: number): string => `stat /zabkit-cli//mark-${i}`;
const ZKCLI_MARKER_LINE = /^Invalid path string "\/zabkit-cli\/\/mark-(\d+)".*$/;
const ZKCLI_NOISE = [
  /^SLF4J: /,
  /^Connecting to /,
  /^Welcome to ZooKeeper!$/,
  /^JLine support is (disabled|enabled)$/,
  /^WATCHER::$/,
  /^WatchedEvent state:\w+ type:None path:null$/,
  /^\s*$/,
];

/** Splits text into per-marker sections (section i ends at marker i) and drops noise lines. */
function splitSections(text: string, count: number, marker: RegExp, noise: RegExp[]): { output: string; sections: string[] } {
  const sections: string[][] = Array.from({ length: count + 1 }, () => []);
  let current = 0;
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    const m = marker.exec(line);
    if (m) {
      current = Number(m[1]) + 1;
      continue;
    }
    if (noise.some((re) => re.test(line))) continue;
    kept.push(line);
    sections[Math.min(current, count)]?.push(line);
  }
  // Anything after the last marker (e.g. a late watch event) belongs with the last command.
  const last = sections.pop() ?? [];
  if (count > 0) sections[count - 1]?.push(...last);
  return { output: kept.join('\n'), sections: sections.map((s) => s.join('\n')) };
}

/**
 * Runs `commands` through Debian's zkCli.sh in ONE session (commands piped on stdin; zkCli 3.8
 * runs without JLine here and executes lines in order after -waitforconnection).
 * zkCli prints many results (e.g. "Created /x", errors) on stderr, so both streams are merged
 * into `stdout` in their true order; `stderr` is always ''. `code` is zkCli's exit status,
 * which is not a per-command result (127 means a command was not found).
 */
export async function runZkCli(connectString: string, commands: string[], opts: ZkCliOptions = {}): Promise<CliResult> {
  const input = [...commands.flatMap((cmd, i) => [cmd, zkCliMarker(i)]), 'quit', ''].join('\n');
  const jvm = ['-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', ...(opts.jvmFlags ?? [])];
  const args = ['-server', connectString, '-timeout', String(opts.sessionTimeoutMs ?? 30_000), '-waitforconnection'];
  const result = await runProcess('/bin/sh', ['-c', 'exec "$0" "$@" 2>&1', ZKCLI_PATH, ...args], {
    input,
    env: { ...process.env, CLIENT_JVMFLAGS: jvm.join(' '), ...opts.env },
    timeoutMs: opts.timeoutMs ?? 30_000,
    label: 'zkCli.sh',
  });
  return { ...result, ...splitSections(result.stdout, commands.length, ZKCLI_MARKER_LINE, ZKCLI_NOISE) };
}

export interface PythonOptions {
  /** Default 30 s; the interpreter is killed when it expires. */
  timeoutMs?: number;
}

/** Runs a Python script with /usr/bin/python3 (the interpreter that has kazoo). */
export function runPython(script: string, env: Record<string, string> = {}, opts: PythonOptions = {}): Promise<ProcessResult> {
  return runProcess(PYTHON_PATH, ['-c', script], {
    env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', ...env },
    timeoutMs: opts.timeoutMs ?? 30_000,
    label: 'python3',
  });
}

export interface KazooOptions extends PythonOptions {
  /** KazooClient(timeout=...). Default 10. */
  sessionTimeoutSec?: number;
  /** Extra KazooClient keyword arguments as Python source, e.g. "read_only=True". */
  clientKwargs?: string;
}

/**
 * Runs `body` (Python, may be multi-line) with a started KazooClient bound to `zk`, then stops
 * and closes it. `json` and `time` are imported. The connect string is in env ZK_HOSTS.
 */
export function runKazoo(connectString: string, body: string, opts: KazooOptions = {}): Promise<ProcessResult> {
  const indented = body
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  const script = [
    'import json, os, time',
    'from kazoo.client import KazooClient',
    `zk = KazooClient(hosts=os.environ['ZK_HOSTS'], timeout=${opts.sessionTimeoutSec ?? 10}${opts.clientKwargs ? `, ${opts.clientKwargs}` : ''})`,
    'zk.start(timeout=15)',
    'try:',
    indented,
    'finally:',
    '    zk.stop()',
    '    zk.close()',
    '',
  ].join('\n');
  return runPython(script, { ZK_HOSTS: connectString }, opts);
}

export interface CCliOptions {
  /** Whole-run timeout; the client is killed when it expires. Default 20 s. */
  timeoutMs?: number;
  /**
   * Awaited after command i is written and before its marker is: the C CLI pipelines, so
   * without this the marker may reach the server before the command's reply comes back.
   */
  beforeMarker?: (index: number) => Promise<void>;
}

// `sync` of an unused path answers rc = 0 in order after the command before it.
const cCliMarker = (i: number): string => `sync /zabkit-cli-mark-${i}`;
const CCLI_MARKER_LINE = /^\[\/zabkit-cli-mark-(\d+)\]: rc = -?\d+$/;
const CCLI_NOISE = [
  /^\tname = \/zabkit-cli-mark-\d+$/,
  /^time = -?\d+ msec$/,
  /^Watcher SESSION_EVENT state = /,
  /^Got a new session id: /,
  /^Quitting\.\.\.$/,
  /^\s*$/,
];

/**
 * Runs `commands` through the ZooKeeper C CLI in one session. The C CLI runs commands
 * asynchronously and drops replies still in flight on "quit", so we wait for the session, then
 * send one command plus a `sync` marker at a time, waiting for each marker's reply; then quit.
 * Both streams are merged into `stdout` (the CLI prints nearly everything on stderr).
 * The C CLI's create syntax is `create [+e|+s|+es] /path` (no data argument).
 */
export function runCliSt(hostPort: string, commands: string[], opts: CCliOptions = {}): Promise<CliResult> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const child = spawnTracked('/bin/sh', ['-c', 'exec stdbuf -oL -eL "$0" "$@" 2>&1', C_CLI_PATH, '-h', hostPort]);
    let stdout = '';
    let phase: 'connecting' | 'running' | 'quitting' = 'connecting';
    let sent = 0;
    const markerSeen = (i: number): boolean => new RegExp(`^\\[/zabkit-cli-mark-${i}\\]: rc = `, 'm').test(stdout);
    const sendNext = (): void => {
      const cmd = commands[sent];
      if (cmd === undefined) {
        phase = 'quitting';
        child.stdin?.end('quit\n');
        return;
      }
      const index = sent++;
      child.stdin?.write(`${cmd}\n`);
      const hook = opts.beforeMarker?.(index) ?? Promise.resolve();
      hook.then(
        () => child.stdin?.write(`${cCliMarker(index)}\n`),
        (err: unknown) => {
          signalGroup(child, 'SIGKILL');
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    };
    const timer = setTimeout(() => {
      signalGroup(child, 'SIGKILL');
      reject(new ProcessTimeoutError(`C CLI (${phase}, ${sent}/${commands.length} sent)`, timeoutMs, stdout, ''));
    }, timeoutMs);
    child.stdin?.on('error', () => undefined);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (phase === 'connecting' && stdout.includes('state = CONNECTED_STATE')) {
        phase = 'running';
        sendNext();
      }
      while (phase === 'running' && markerSeen(sent - 1)) sendNext();
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`C CLI failed to start: ${err.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (phase !== 'quitting') {
        reject(new Error(`C CLI exited (code ${code}) while ${phase}\n${tail(stdout)}`));
        return;
      }
      resolve({ stdout, stderr: '', code, ...splitSections(stdout, commands.length, CCLI_MARKER_LINE, CCLI_NOISE) });
    });
  });
}
