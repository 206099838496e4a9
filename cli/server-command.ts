// `zabkit server`: flags (+ an optional zoo.cfg) → ServerOptions, start, one banner line,
// clean shutdown on SIGINT/SIGTERM. A zoo.cfg with server.N lines makes this process one
// ensemble member (myid from dataDir/myid). Everything impure comes in through ServerCommandDeps.
// Counterpart: QuorumPeerMain / ZooKeeperServerMain (zkServer.sh start-foreground).

import type { Command } from 'commander';
import { ConfigError } from '../server/config/config-error.js';
import {
  parseFourLetterWords,
  parseHost,
  parseInteger,
  parsePort,
  validateServerOptions,
} from '../server/config/values.js';
import { ensembleFromZooCfg } from '../server/config/ensemble.js';
import { applyMyid, type ZooCfg } from '../server/config/zoo-cfg.js';
import { defaultServerOptions, type ServerOptions } from '../server/options.js';

/** The flags as commander hands them over: strings, unparsed; absent when not given. */
export interface ServerFlags {
  port?: string;
  host?: string;
  inMemory?: boolean;
  dataDir?: string;
  config?: string;
  tickTime?: string;
  fourLetterWords?: string;
  extendedTypes?: boolean;
}

export interface ResolvedServerConfig {
  options: ServerOptions;
  /** Printed as `warning: ...` lines on stderr. */
  warnings: string[];
}

/**
 * Flags over the file over ZooKeeper's defaults. Pure apart from `readMyid`, which is asked
 * for the id in `--data-dir`'s myid file. Throws ConfigError for a bad flag or combination.
 */
export function resolveServerOptions(
  flags: ServerFlags,
  file?: ZooCfg,
  readMyid?: (dataDir: string) => number | undefined,
): ResolvedServerConfig {
  const warnings = [...(file?.warnings ?? [])];
  const o: Partial<ServerOptions> = { ...file?.options };

  if (flags.inMemory === true && flags.dataDir !== undefined) {
    throw new ConfigError('--in-memory and --data-dir cannot be used together', { key: '--data-dir', value: flags.dataDir });
  }
  if (flags.port !== undefined) o.port = parsePort(flags.port.trim(), { key: '--port' });
  if (flags.host !== undefined) o.host = parseHost(flags.host.trim(), { key: '--host' });
  if (flags.tickTime !== undefined) o.tickTimeMs = parseInteger(flags.tickTime.trim(), { key: '--tick-time' }, { min: 1 });
  if (flags.fourLetterWords !== undefined) {
    const parsed = parseFourLetterWords(flags.fourLetterWords, { key: '--four-letter-words' });
    o.fourLetterWords = parsed.words;
    warnings.push(...parsed.warnings);
  }
  if (flags.extendedTypes !== undefined) o.extendedTypesEnabled = flags.extendedTypes;
  if (flags.dataDir !== undefined) {
    if (flags.dataDir.trim() === '') throw new ConfigError('--data-dir must not be empty', { key: '--data-dir', value: '' });
    o.dataDir = flags.dataDir;
    const myid = readMyid?.(flags.dataDir);
    if (myid !== undefined) o.serverId = myid;
  }

  if (flags.inMemory === true) {
    o.dataDir = undefined;
    o.dataLogDir = undefined;
  } else {
    o.dataDir ??= DEFAULT_DATA_DIR;
  }
  if (file !== undefined && file.servers.length > 0) {
    const names = file.servers.map((s) => `server.${s.sid}`).join(', ');
    if (flags.inMemory === true) {
      // An ensemble member needs its txn log and epoch files: in memory, only standalone makes sense.
      warnings.push(`${names} ignored: \`zabkit server\` runs one standalone server`);
    } else if (file.servers.length === 1) {
      warnings.push(`${names} ignored: with only one server configured this runs standalone, as ZooKeeper does`);
    } else {
      const source = 'path' in file ? String(file.path) : undefined;
      const ensemble = ensembleFromZooCfg(file, o.serverId, o.dataDir, source);
      warnings.push(...ensemble.warnings);
      Object.assign(o, ensemble.options);
      const own = applyMyid(file, o.serverId!, source).options;
      if (flags.port === undefined && own.port !== undefined) o.port = own.port;
      if (flags.host === undefined && own.host !== undefined) o.host = own.host;
    }
  }

  const options = defaultServerOptions(o);
  validateServerOptions(options);
  return { options, warnings };
}

/** Where `zabkit server` keeps its data when neither --data-dir nor a zoo.cfg says. */
export const DEFAULT_DATA_DIR = './zabkit-data';

/** "0.0.0.0:2181", "[::1]:2181". */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function formatBanner(running: { host: string; port: number }, options: ServerOptions): string {
  const servers = options.quorum?.servers;
  const me = servers?.find((s) => s.sid === options.serverId);
  const mode = servers === undefined || me === undefined
    ? 'standalone'
    : `${me.role === 'observer' ? 'observer' : 'member'} ${me.sid} of a ${servers.length}-server ensemble`;
  return (
    `zabkit server listening on ${formatAddress(running.host, running.port)} ` +
    `(${mode}, ${options.dataDir === undefined ? 'in-memory' : `data in ${options.dataDir}`}, tickTime=${options.tickTimeMs}ms)`
  );
}

/** The one-line reason a server could not start, for the errors listen() gives. */
export function describeStartError(err: unknown, host: string, port: number): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use`;
    case 'EACCES':
      return port > 0 && port < 1024
        ? `permission denied to listen on port ${port} on ${host} (ports below 1024 need privileges)`
        : `permission denied to listen on port ${port} on ${host}`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${formatAddress(host, port)}: address ${host} is not available on this machine`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${formatAddress(host, port)}: host ${host} cannot be resolved`;
    default:
      return `cannot start the server: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** Exit codes: 0 clean stop, 1 runtime failure (port busy, close failed), 2 bad usage/config. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** What `startServer` from server/index.ts resolves to. */
export interface RunningServerHandle {
  host: string;
  port: number;
  close(): Promise<void>;
}

export type ShutdownSignal = 'SIGINT' | 'SIGTERM';

export interface ServerCommandDeps {
  startServer(options: Partial<ServerOptions>): Promise<RunningServerHandle>;
  /** Read and parse a zoo.cfg (throws ConfigError). */
  loadConfig(path: string): ZooCfg;
  readMyid(dataDir: string): number | undefined;
  stdout(line: string): void;
  stderr(line: string): void;
  onSignal(signal: ShutdownSignal, handler: () => void): void;
  exit(code: number): void;
  /** Milliseconds, for telling a second Ctrl-C from one signal delivered twice. */
  now(): number;
}

/**
 * A repeat within this window is the same signal arriving twice (the terminal signals the
 * whole process group, and wrappers such as npx or tsx forward it again), not a request to
 * force the exit.
 */
export const DUPLICATE_SIGNAL_WINDOW_MS = 300;

const SIGNAL_NUMBER: Readonly<Record<ShutdownSignal, number>> = { SIGINT: 2, SIGTERM: 15 };

/**
 * Resolve the options, start the server, print the banner, and stop on the first SIGINT or
 * SIGTERM (a second one, later than DUPLICATE_SIGNAL_WINDOW_MS, exits at once with 128 + the
 * signal number). Resolves once the server is listening or the command has failed; exiting is
 * left to `deps.exit`.
 */
export async function runServerCommand(flags: ServerFlags, deps: ServerCommandDeps): Promise<void> {
  let resolved: ResolvedServerConfig;
  try {
    const file = flags.config === undefined ? undefined : deps.loadConfig(flags.config);
    resolved = resolveServerOptions(flags, file, (dir) => deps.readMyid(dir));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    deps.stderr(`zabkit: ${err.message}`);
    deps.exit(EXIT_USAGE);
    return;
  }
  for (const warning of resolved.warnings) deps.stderr(`warning: ${warning}`);

  const { options } = resolved;
  let server: RunningServerHandle;
  try {
    server = await deps.startServer(options);
  } catch (err) {
    if (err instanceof ConfigError) {
      deps.stderr(`zabkit: ${err.message}`);
      deps.exit(EXIT_USAGE);
    } else {
      deps.stderr(`zabkit: ${describeStartError(err, options.host, options.port)}`);
      deps.exit(EXIT_FAILURE);
    }
    return;
  }
  deps.stdout(formatBanner(server, options));

  let stoppingSince: number | undefined;
  const stop = (signal: ShutdownSignal): void => {
    if (stoppingSince !== undefined) {
      if (deps.now() - stoppingSince < DUPLICATE_SIGNAL_WINDOW_MS) return;
      deps.stderr(`zabkit: ${signal} again, exiting without waiting`);
      deps.exit(128 + SIGNAL_NUMBER[signal]);
      return;
    }
    stoppingSince = deps.now();
    deps.stderr(`zabkit: ${signal} received, closing the server (send it again to force)`);
    server.close().then(
      () => deps.exit(EXIT_OK),
      (err: unknown) => {
        deps.stderr(`zabkit: error while closing the server: ${err instanceof Error ? err.message : String(err)}`);
        deps.exit(EXIT_FAILURE);
      },
    );
  };
  deps.onSignal('SIGINT', () => stop('SIGINT'));
  deps.onSignal('SIGTERM', () => stop('SIGTERM'));
}

/** Adds `server` to the program. */
export function registerServerCommand(program: Command, deps: ServerCommandDeps): Command {
  return program
    .command('server')
    .description('run a ZooKeeper-compatible server: standalone, or one ensemble member when --config has server.N lines')
    .option('--port <n>', 'client port (zoo.cfg clientPort); 0 picks a free one (default: 2181)')
    .option('--host <addr>', 'address to listen on (clientPortAddress) (default: 0.0.0.0)')
    .option('--in-memory', 'keep all data in memory only (nothing survives a restart); ignores dataDir / dataLogDir')
    .option('--data-dir <dir>', `data directory (dataDir): snapshots and the txn log; its myid file gives the server id (default: ${DEFAULT_DATA_DIR})`)
    .option('--config <zoo.cfg>', 'read a ZooKeeper config file (server.N lines + dataDir/myid: run as that ensemble member); the flags given here override it')
    .option('--tick-time <ms>', 'tickTime in milliseconds; session timeouts default to 2x-20x of it (default: 2000)')
    .option('--four-letter-words <list>', "enabled four-letter words, comma-separated, '*' for all; srvr is always on (default: srvr)")
    .option('--extended-types', 'enable TTL nodes (extendedTypesEnabled)')
    .option('--no-extended-types', 'disable TTL nodes even when the config file enables them')
    .addHelpText(
      'after',
      '\nExit codes: 0 after a clean stop (SIGINT/SIGTERM), 1 when the server cannot listen, 2 for a bad flag or config.\n' +
        'Config keys and defaults: docs/configuration.md',
    )
    .action(async (flags: ServerFlags) => {
      await runServerCommand(flags, deps);
    });
}
