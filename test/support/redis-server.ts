// Runs a REAL redis-server (Debian's, REDIS_SERVER_PATH) for the Redis LockRegistry's
// integration tests: on a free 127.0.0.1 port, without persistence (--save '' --appendonly no),
// DEBUG allowed from loopback. The process is tracked (killed when this Node process exits) and
// guarded by a tiny shell that stops it if this process dies by SIGKILL. restart() brings it
// back empty on the same port, as a crash of a non-persistent Redis would.
import { type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS_SERVER_PATH } from './debian-packages.js';
import { freePort } from './ports.js';
import { forgetTempDir, removeOnExit, signalGroup, spawnTracked, tail, waitClosed } from './processes.js';

export interface RedisServerOptions {
  /** Extra redis-server arguments, e.g. ['--maxmemory', '10mb']. */
  extraArgs?: string[];
  /** Readiness timeout. Default 20 s. */
  startTimeoutMs?: number;
}

export interface RedisServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** redis://127.0.0.1:port */
  readonly url: string;
  /** Last part of the server's log. */
  output(): string;
  /** SIGKILL now (a crash); restart() brings it back on the same port. */
  kill(): Promise<void>;
  /** Kills the server if it runs, then starts a fresh, empty one on the same port. */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after a grace period) and remove the working directory. Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const STOP_GRACE_MS = 5000;
const OUTPUT_LIMIT = 32 * 1024;

/** Runs "$@"; a background reader SIGTERMs it when stdin reaches EOF, i.e. when this Node process dies. */
const PARENT_DEATH_GUARD = [
  'exec 3<&0',
  '"$@" </dev/null 3<&- & child=$!',
  '( read -r _ <&3; kill -TERM "$child" ) >/dev/null 2>&1 & reader=$!',
  'exec 3<&-',
  'wait "$child"; status=$?',
  'kill "$reader" 2>/dev/null',
  'exit "$status"',
].join('\n');

function serverArgs(port: number, dir: string, extra: string[]): string[] {
  return [
    '--port', String(port),
    '--bind', HOST,
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--daemonize', 'no',
    '--enable-debug-command', 'local',
    '--loglevel', 'warning',
    ...extra,
  ];
}

/** Sends PING until +PONG comes back. */
function ping(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    let reply = '';
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      reply += chunk;
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'zabkit-redis-'));
  removeOnExit(dir);
  const port = await freePort();
  const startTimeoutMs = opts.startTimeoutMs ?? 20_000;
  let output = '';
  let child: ChildProcess | undefined;
  let stopped: Promise<void> | undefined;

  const launch = async (): Promise<void> => {
    const started = spawnTracked('/bin/sh', ['-c', PARENT_DEATH_GUARD, 'redis-guard', REDIS_SERVER_PATH, ...serverArgs(port, dir, opts.extraArgs ?? [])]);
    child = started;
    const append = (chunk: string): void => {
      output += chunk;
      if (output.length > 2 * OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
    };
    started.stdout?.setEncoding('utf8').on('data', append);
    started.stderr?.setEncoding('utf8').on('data', append);
    const deadline = Date.now() + startTimeoutMs;
    while (Date.now() < deadline) {
      if (started.exitCode !== null || started.signalCode !== null) break;
      if (await ping(port, 1000)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    signalGroup(started, 'SIGKILL');
    await waitClosed(started, STOP_GRACE_MS);
    throw new Error(`redis-server on port ${port} did not answer PING within ${startTimeoutMs} ms\n${tail(output)}`);
  };

  const kill = async (): Promise<void> => {
    if (!child) return;
    signalGroup(child, 'SIGKILL');
    await waitClosed(child, STOP_GRACE_MS);
  };

  try {
    await launch();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    forgetTempDir(dir);
    throw err;
  }

  return {
    host: HOST,
    port,
    url: `redis://${HOST}:${port}`,
    output: () => tail(output, OUTPUT_LIMIT),
    kill,
    restart: async () => {
      if (stopped) throw new Error('redis-server was stopped; start a new one');
      await kill();
      await launch();
    },
    stop: () =>
      (stopped ??= (async () => {
        if (child) {
          signalGroup(child, 'SIGTERM');
          if (!(await waitClosed(child, STOP_GRACE_MS))) {
            signalGroup(child, 'SIGKILL');
            await waitClosed(child, STOP_GRACE_MS);
          }
        }
        await rm(dir, { recursive: true, force: true, maxRetries: 3 });
        forgetTempDir(dir);
      })()),
  };
}
