// Runs REAL Apache ZooKeeper 3.8 (Debian's jars) for interop tests: a standalone server or a
// small loopback ensemble, each in a temp dataDir on free ports. Processes are tracked and
// also watched by a tiny shell guard that stops Java if this Node process dies.
import { type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fourLetterWord as sendFourLetterWord } from '../../bench/four-letter-words.js';
import { JAVA_PATH, ZOOKEEPER_CLASSPATH } from './debian-packages.js';
import { freePorts } from './ports.js';
import { forgetTempDir, removeOnExit, signalGroup, spawnTracked, tail, waitClosed } from './processes.js';

export interface ApacheZooKeeperOptions {
  /** zoo.cfg extendedTypesEnabled=true (TTL nodes). Default false. */
  extendedTypes?: boolean;
  /** 4lw.commands.whitelist value. Default '*'. */
  fourLetterWords?: string;
  /** Default 2000 (so session timeouts are clamped to [4 s, 40 s]). */
  tickTimeMs?: number;
  /** -Dznode.container.checkIntervalMs (container/TTL reaping period). Default 1000. */
  containerCheckIntervalMs?: number;
  /** Extra JVM flags, appended after ours (so a later -D overrides ours). */
  jvmFlags?: string[];
  /** Extra zoo.cfg lines, e.g. { forceSync: 'no', minSessionTimeout: 1000 }. */
  extraConfig?: Record<string, string | number | boolean>;
  /** Readiness timeout. Default 30 s. */
  startTimeoutMs?: number;
}

export interface ApacheZooKeeper {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** "127.0.0.1:port" */
  readonly connectString: string;
  readonly dataDir: string;
  /**
   * Last part of the JVM's combined stdout/stderr (WARN level and above by default); with `from`
   * (an outputMark()), only what it printed after that mark.
   */
  output(from?: number): string;
  /** How much the JVM has printed so far: a mark for output(from). */
  outputMark(): number;
  /** SIGTERM, SIGKILL after a grace period, then remove the dataDir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL immediately (crash), then remove the dataDir. Idempotent. */
  kill(): Promise<void>;
}

export interface ApacheEnsembleMember extends ApacheZooKeeper {
  readonly myid: number;
}

export interface ApacheEnsemble {
  readonly members: ApacheEnsembleMember[];
  /** All members, comma separated. */
  readonly connectString: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const STOP_GRACE_MS = 5000;
const OUTPUT_LIMIT = 64 * 1024;

/**
 * Runs "$@" and exits with its status; a background reader SIGTERMs it when stdin reaches EOF,
 * i.e. when the Node process holding the pipe's other end dies (even by SIGKILL), and then the
 * guard also deletes the server's temp dir ($ZABKIT_GUARD_DIR).
 */
const PARENT_DEATH_GUARD = [
  'exec 3<&0',
  '"$@" </dev/null 3<&- & child=$!',
  '( read -r _ <&3; touch "$ZABKIT_GUARD_DIR/.orphaned"; kill -TERM "$child" ) >/dev/null 2>&1 & reader=$!',
  'exec 3<&-',
  'wait "$child"; status=$?',
  'kill "$reader" 2>/dev/null',
  '[ -e "$ZABKIT_GUARD_DIR/.orphaned" ] && rm -rf "$ZABKIT_GUARD_DIR"',
  'exit "$status"',
].join('\n');

/** Sends a four-letter word (e.g. 'srvr', 'mntr') and returns the whole reply. */
export function fourLetterWord(port: number, word: string, timeoutMs = 2000, host = HOST): Promise<string> {
  return sendFourLetterWord(host, port, word, timeoutMs);
}

function zooCfg(opts: ApacheZooKeeperOptions, dataDir: string, clientPort: number, servers: string[]): string {
  const cfg: Record<string, string | number | boolean> = {
    tickTime: opts.tickTimeMs ?? 2000,
    initLimit: 10,
    syncLimit: 5,
    dataDir,
    clientPort,
    clientPortAddress: HOST,
    maxClientCnxns: 0,
    'admin.enableServer': false,
    '4lw.commands.whitelist': opts.fourLetterWords ?? '*',
    ...(opts.extendedTypes ? { extendedTypesEnabled: true } : {}),
    ...opts.extraConfig,
  };
  const lines = Object.entries(cfg).map(([k, v]) => `${k}=${String(v)}`);
  return [...lines, ...servers, ''].join('\n');
}

function jvmArgs(opts: ApacheZooKeeperOptions, cfgPath: string): string[] {
  return [
    '-Xmx256m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
    `-Dznode.container.checkIntervalMs=${opts.containerCheckIntervalMs ?? 1000}`,
    ...(opts.jvmFlags ?? []),
    '-cp',
    ZOOKEEPER_CLASSPATH,
    'org.apache.zookeeper.server.quorum.QuorumPeerMain',
    cfgPath,
  ];
}

interface Launched {
  child: ChildProcess;
  output(from?: number): string;
  outputMark(): number;
}

function launch(opts: ApacheZooKeeperOptions, dir: string, cfgPath: string): Launched {
  removeOnExit(dir);
  const child = spawnTracked('/bin/sh', ['-c', PARENT_DEATH_GUARD, 'zk-guard', JAVA_PATH, ...jvmArgs(opts, cfgPath)], {
    env: { ...process.env, ZABKIT_GUARD_DIR: dir },
  });
  let output = '';
  let printed = 0;
  const append = (chunk: string): void => {
    output += chunk;
    printed += chunk.length;
    if (output.length > 2 * OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout?.setEncoding('utf8').on('data', append);
  child.stderr?.setEncoding('utf8').on('data', append);
  const since = (from: number): string => {
    const wanted = printed - from;
    if (wanted <= 0) return '';
    return wanted <= output.length ? output.slice(-wanted) : `[earlier lines dropped]\n${output}`;
  };
  return {
    child,
    output: (from) => tail(from === undefined ? output : since(from), OUTPUT_LIMIT),
    outputMark: () => printed,
  };
}

async function waitServing(launched: Launched, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (launched.child.exitCode !== null || launched.child.signalCode !== null) {
      throw new Error(`ZooKeeper on port ${port} exited during startup\n${tail(launched.output())}`);
    }
    try {
      last = await fourLetterWord(port, 'srvr', 1000);
      if (/^Mode: /m.test(last)) return;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`ZooKeeper on port ${port} not serving after ${timeoutMs} ms (last srvr: ${last.trim()})\n${tail(launched.output())}`);
}

function controls(launched: Launched, dir: string): Pick<ApacheZooKeeper, 'stop' | 'kill' | 'output' | 'outputMark'> {
  let done: Promise<void> | undefined;
  const cleanup = async (): Promise<void> => {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    forgetTempDir(dir);
  };
  const finish = (graceful: boolean): Promise<void> =>
    (done ??= (async () => {
      const { child } = launched;
      if (graceful) {
        signalGroup(child, 'SIGTERM');
        if (await waitClosed(child, STOP_GRACE_MS)) return cleanup();
      }
      signalGroup(child, 'SIGKILL');
      await waitClosed(child, STOP_GRACE_MS);
      await cleanup();
    })());
  return { stop: () => finish(true), kill: () => finish(false), output: launched.output, outputMark: launched.outputMark };
}

/** Starts a standalone Apache ZooKeeper on a free 127.0.0.1 port and waits until it serves. */
export async function startApacheZooKeeper(opts: ApacheZooKeeperOptions = {}): Promise<ApacheZooKeeper> {
  for (let attempt = 1; ; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'zabkit-apache-zk-'));
    const dataDir = join(dir, 'data');
    await mkdir(dataDir);
    const [port] = await freePorts(1);
    if (port === undefined) throw new Error('no free port');
    const cfgPath = join(dir, 'zoo.cfg');
    await writeFile(cfgPath, zooCfg(opts, dataDir, port, []));
    const launched = launch(opts, dir, cfgPath);
    const ctl = controls(launched, dir);
    try {
      await waitServing(launched, port, opts.startTimeoutMs ?? 30_000);
    } catch (err) {
      await ctl.kill();
      if (attempt < 3 && /Address already in use/.test(launched.output())) continue;
      throw err;
    }
    return { host: HOST, port, connectString: `${HOST}:${port}`, dataDir, ...ctl };
  }
}

/** Starts `size` Apache ZooKeeper members on loopback as one quorum and waits for all to serve. */
export async function startApacheEnsemble(size = 3, opts: ApacheZooKeeperOptions = {}): Promise<ApacheEnsemble> {
  const ports = await freePorts(size * 3);
  const at = (i: number): number => {
    const port = ports[i];
    if (port === undefined) throw new Error('not enough free ports');
    return port;
  };
  const ids = Array.from({ length: size }, (_, i) => i + 1);
  const servers = ids.map((id) => `server.${id}=${HOST}:${at(3 * (id - 1) + 1)}:${at(3 * (id - 1) + 2)}`);
  const members: ApacheEnsembleMember[] = [];
  const launches: Array<{ launched: Launched; port: number }> = [];
  try {
    for (const myid of ids) {
      const dir = await mkdtemp(join(tmpdir(), `zabkit-apache-ens${myid}-`));
      const dataDir = join(dir, 'data');
      await mkdir(dataDir);
      await writeFile(join(dataDir, 'myid'), `${myid}\n`);
      const port = at(3 * (myid - 1));
      const cfgPath = join(dir, 'zoo.cfg');
      await writeFile(cfgPath, zooCfg(opts, dataDir, port, servers));
      const launched = launch(opts, dir, cfgPath);
      launches.push({ launched, port });
      members.push({ myid, host: HOST, port, connectString: `${HOST}:${port}`, dataDir, ...controls(launched, dir) });
    }
    await Promise.all(launches.map(({ launched, port }) => waitServing(launched, port, opts.startTimeoutMs ?? 60_000)));
  } catch (err) {
    await Promise.all(members.map((m) => m.kill()));
    throw err;
  }
  return {
    members,
    connectString: members.map((m) => m.connectString).join(','),
    stop: async () => {
      await Promise.all(members.map((m) => m.stop()));
    },
  };
}
