// `zabkit server`: flags (over a zoo.cfg) → ServerOptions, the banner and start-error lines,
// and the run/shutdown sequence with fake process dependencies.
// Counterpart: ZooKeeperServerMain (zkServer.sh start-foreground).

import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import {
  DUPLICATE_SIGNAL_WINDOW_MS,
  describeStartError,
  formatAddress,
  formatBanner,
  registerServerCommand,
  resolveServerOptions,
  DEFAULT_DATA_DIR,
  runServerCommand,
  type RunningServerHandle,
  type ServerCommandDeps,
  type ServerFlags,
  type ShutdownSignal,
} from '../../../cli/server-command.js';
import { ConfigError } from '../../../server/config/config-error.js';
import { parseZooCfg } from '../../../server/config/zoo-cfg.js';
import { defaultServerOptions, type ServerOptions } from '../../../server/options.js';
import { configError } from '../server/config/expect-config-error.js';


/** ZooKeeper's defaults plus zabkit's default data directory, as `zabkit server` resolves them. */
const durableDefaults = (o: Partial<ServerOptions> = {}): ServerOptions => defaultServerOptions({ dataDir: DEFAULT_DATA_DIR, ...o });

describe('resolveServerOptions: flags → ServerOptions', () => {
  it('no flags: ZooKeeper defaults with data under ./zabkit-data, no warnings', () => {
    expect(resolveServerOptions({})).toEqual({ options: durableDefaults(), warnings: [] });
  });

  it.each<[string, ServerFlags, Partial<ServerOptions>]>([
    ['--port', { port: '2999' }, { port: 2999 }],
    ['--port 0 (free port)', { port: '0' }, { port: 0 }],
    ['--host', { host: '127.0.0.1' }, { host: '127.0.0.1' }],
    ['--host [::1]', { host: '[::1]' }, { host: '::1' }],
    ['--tick-time (session timeouts follow)', { tickTime: '500' }, { tickTimeMs: 500, minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 10000 }],
    ['--four-letter-words list', { fourLetterWords: 'ruok, mntr' }, { fourLetterWords: ['mntr', 'ruok', 'srvr'] }],
    ['--four-letter-words *', { fourLetterWords: '*' }, { fourLetterWords: '*' }],
    ['--extended-types', { extendedTypes: true }, { extendedTypesEnabled: true }],
    ['--in-memory', { inMemory: true }, { dataDir: undefined }],
  ])('%s', (_name, flags, expected) => {
    const { options, warnings } = resolveServerOptions(flags);
    expect(options).toEqual(durableDefaults(expected));
    expect(warnings).toEqual([]);
  });

  it('--data-dir: kept and its myid read', () => {
    const readMyid = vi.fn((_dir: string) => 3);
    const { options, warnings } = resolveServerOptions({ dataDir: '/var/zk' }, undefined, readMyid);
    expect(readMyid).toHaveBeenCalledWith('/var/zk');
    expect(options).toMatchObject({ dataDir: '/var/zk', serverId: 3 });
    expect(warnings).toEqual([]);
  });

  it('flags override the file; what the flags leave alone comes from the file', () => {
    const file = parseZooCfg(
      ['clientPort=2182', 'clientPortAddress=10.0.0.1', 'tickTime=1000', 'maxClientCnxns=5', 'extendedTypesEnabled=true'].join('\n'),
    );
    const { options } = resolveServerOptions({ port: '2999', tickTime: '3000', extendedTypes: false }, file);
    expect(options).toEqual(
      durableDefaults({ port: 2999, host: '10.0.0.1', tickTimeMs: 3000, maxClientCnxns: 5, extendedTypesEnabled: false }),
    );
    expect(options.maxSessionTimeoutMs).toBe(60000); // derived from the overriding tickTime
  });

  it('--in-memory drops the file\'s dataDir and dataLogDir silently; without it they are used', () => {
    const file = parseZooCfg('dataDir=/var/lib/zookeeper\ndataLogDir=/fast/zk-log\nsnapCount=5000\nautopurge.purgeInterval=6');
    expect(resolveServerOptions({ inMemory: true }, file)).toEqual({
      options: defaultServerOptions({ snapCount: 5000, purgeIntervalHours: 6 }), warnings: [],
    });
    expect(resolveServerOptions({}, file)).toEqual({
      options: defaultServerOptions({ dataDir: '/var/lib/zookeeper', dataLogDir: '/fast/zk-log', snapCount: 5000, purgeIntervalHours: 6 }),
      warnings: [],
    });
  });

  it('passes the file\'s warnings on and warns that server.N lines are ignored', () => {
    const file = parseZooCfg('bogus=1\nserver.1=a:1:2\nserver.2=b:1:2', { source: 'zoo.cfg' });
    expect(resolveServerOptions({ inMemory: true }, file).warnings).toEqual([
      "zoo.cfg:1: unknown key 'bogus' ignored",
      'server.1, server.2 ignored: `zabkit server` runs one standalone server',
    ]);
  });

  it.each<[string, ServerFlags, string]>([
    ['--port not a number', { port: 'http' }, "--port 'http' is not a port number (0-65535)"],
    ['--port out of range', { port: '65536' }, "--port '65536' is not a port number (0-65535)"],
    ['--host empty', { host: '' }, "--host '' is not a host name or address"],
    ['--tick-time 0', { tickTime: '0' }, "--tick-time '0' must be at least 1"],
    ['--tick-time not a number', { tickTime: '2s' }, "--tick-time '2s' is not an integer"],
    ['--in-memory with --data-dir', { inMemory: true, dataDir: '/x' }, '--in-memory and --data-dir cannot be used together'],
    ['--data-dir empty', { dataDir: ' ' }, '--data-dir must not be empty'],
  ])('%s', (_name, flags, message) => {
    expect(configError(() => resolveServerOptions(flags)).message).toBe(message);
  });

  it('a --tick-time that breaks the file\'s session timeouts is refused', () => {
    const file = parseZooCfg('tickTime=2000\nminSessionTimeout=30000');
    expect(configError(() => resolveServerOptions({ tickTime: '1000' }, file)).message).toBe(
      'minSessionTimeout (30000 ms) must not be larger than maxSessionTimeout (20000 ms)',
    );
  });

  it('unknown --four-letter-words become warnings', () => {
    expect(resolveServerOptions({ fourLetterWords: 'ruok,nope' }).warnings).toEqual([
      "--four-letter-words: unknown four-letter word 'nope' ignored",
    ]);
  });
});

describe('banner and start errors', () => {
  it('formats addresses, IPv6 in brackets', () => {
    expect(formatAddress('0.0.0.0', 2181)).toBe('0.0.0.0:2181');
    expect(formatAddress('::', 2181)).toBe('[::]:2181');
  });

  it('one banner line', () => {
    expect(formatBanner({ host: '0.0.0.0', port: 2181 }, defaultServerOptions())).toBe(
      'zabkit server listening on 0.0.0.0:2181 (standalone, in-memory, tickTime=2000ms)',
    );
  });

  const netError = (code: string): Error => Object.assign(new Error(`listen ${code}`), { code });

  it.each<[string, number, string]>([
    ['EADDRINUSE', 2181, 'port 2181 on 0.0.0.0 is already in use'],
    ['EACCES', 80, 'permission denied to listen on port 80 on 0.0.0.0 (ports below 1024 need privileges)'],
    ['EACCES', 2181, 'permission denied to listen on port 2181 on 0.0.0.0'],
    ['EADDRNOTAVAIL', 2181, 'cannot listen on 0.0.0.0:2181: address 0.0.0.0 is not available on this machine'],
    ['ENOTFOUND', 2181, 'cannot listen on 0.0.0.0:2181: host 0.0.0.0 cannot be resolved'],
    ['EWHATEVER', 2181, 'cannot start the server: listen EWHATEVER'],
  ])('%s on port %d', (code, port, message) => {
    expect(describeStartError(netError(code), '0.0.0.0', port)).toBe(message);
  });
});

/** Fake process around runServerCommand. */
function harness(opts: { start?: (o: Partial<ServerOptions>) => Promise<RunningServerHandle>; config?: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const exits: number[] = [];
  const handlers = new Map<ShutdownSignal, () => void>();
  let clock = 0;
  const close = vi.fn(async () => {});
  const started: Partial<ServerOptions>[] = [];
  const deps: ServerCommandDeps = {
    startServer: async (o) => {
      started.push(o);
      if (opts.start !== undefined) return opts.start(o);
      return { host: o.host ?? '0.0.0.0', port: o.port === 0 ? 40001 : (o.port ?? 2181), close };
    },
    loadConfig: (path) => parseZooCfg(opts.config ?? '', { source: path }),
    readMyid: () => undefined,
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    onSignal: (signal, handler) => void handlers.set(signal, handler),
    exit: (code) => void exits.push(code),
    now: () => clock,
  };
  const signal = (s: ShutdownSignal): void => handlers.get(s)?.();
  const advance = (ms: number): void => {
    clock += ms;
  };
  return { deps, out, err, exits, handlers, close, started, signal, advance };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('runServerCommand', () => {
  it('starts with the resolved options and prints one banner line', async () => {
    const h = harness();
    await runServerCommand({ port: '0', host: '127.0.0.1' }, h.deps);
    expect(h.started).toEqual([durableDefaults({ port: 0, host: '127.0.0.1' })]);
    expect(h.out).toEqual(['zabkit server listening on 127.0.0.1:40001 (standalone, data in ./zabkit-data, tickTime=2000ms)']);
    expect(h.err).toEqual([]);
    expect(h.exits).toEqual([]);
    expect([...h.handlers.keys()].sort()).toEqual(['SIGINT', 'SIGTERM']);
  });

  it('a bad flag: message on stderr, exit 2, nothing started', async () => {
    const h = harness();
    await runServerCommand({ port: 'x' }, h.deps);
    expect(h.err).toEqual(["zabkit: --port 'x' is not a port number (0-65535)"]);
    expect(h.exits).toEqual([2]);
    expect(h.started).toEqual([]);
  });

  it('a bad config file: exit 2; config warnings go to stderr as warning: lines', async () => {
    const bad = harness({ config: 'tickTime=-1' });
    await runServerCommand({ config: 'zoo.cfg' }, bad.deps);
    expect(bad.err).toEqual(["zabkit: zoo.cfg:1: tickTime '-1' must be at least 1"]);
    expect(bad.exits).toEqual([2]);

    const warned = harness({ config: 'tickTime=100\nwhat=ever' });
    await runServerCommand({ config: 'zoo.cfg' }, warned.deps);
    expect(warned.err).toEqual(["warning: zoo.cfg:2: unknown key 'what' ignored"]);
    expect(warned.out).toEqual(['zabkit server listening on 0.0.0.0:2181 (standalone, data in ./zabkit-data, tickTime=100ms)']);
  });

  it('busy port: the one-line reason and exit 1', async () => {
    const h = harness({ start: () => Promise.reject(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' })) });
    await runServerCommand({}, h.deps);
    expect(h.err).toEqual(['zabkit: port 2181 on 0.0.0.0 is already in use']);
    expect(h.exits).toEqual([1]);
    expect(h.out).toEqual([]);
  });

  it('a ConfigError from startServer is exit 2', async () => {
    const h = harness({ start: () => Promise.reject(new ConfigError('maxClientCnxns is odd')) });
    await runServerCommand({}, h.deps);
    expect(h.err).toEqual(['zabkit: maxClientCnxns is odd']);
    expect(h.exits).toEqual([2]);
  });

  it.each<ShutdownSignal>(['SIGINT', 'SIGTERM'])('%s closes the server, then exits 0', async (sig) => {
    const h = harness();
    await runServerCommand({}, h.deps);
    h.signal(sig);
    expect(h.close).toHaveBeenCalledTimes(1);
    await settle();
    expect(h.exits).toEqual([0]);
  });

  it('a second signal forces the exit; the same signal delivered twice at once does not', async () => {
    let finishClose: () => void = () => {};
    const h = harness({
      start: async (o) => ({ host: '0.0.0.0', port: o.port ?? 2181, close: () => new Promise<void>((r) => (finishClose = r)) }),
    });
    await runServerCommand({}, h.deps);
    h.signal('SIGINT');
    h.advance(5);
    h.signal('SIGINT'); // e.g. npx forwarding the terminal's Ctrl-C: ignored
    expect(h.exits).toEqual([]);
    h.advance(DUPLICATE_SIGNAL_WINDOW_MS);
    h.signal('SIGTERM');
    expect(h.exits).toEqual([143]);
    finishClose();
    await settle();
    expect(h.exits).toEqual([143, 0]);
  });

  it('close() failing exits 1', async () => {
    const h = harness({
      start: async () => ({ host: '0.0.0.0', port: 2181, close: () => Promise.reject(new Error('stuck')) }),
    });
    await runServerCommand({}, h.deps);
    h.signal('SIGTERM');
    await settle();
    expect(h.err.at(-1)).toBe('zabkit: error while closing the server: stuck');
    expect(h.exits).toEqual([1]);
  });
});

describe('registerServerCommand (commander flag names)', () => {
  async function parse(argv: string[], config?: string): Promise<Partial<ServerOptions>[]> {
    const h = harness(config === undefined ? {} : { config });
    const program = new Command('zabkit').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    registerServerCommand(program, h.deps);
    await program.parseAsync(['server', ...argv], { from: 'user' });
    return h.started;
  }

  it('maps every flag', async () => {
    const [options] = await parse([
      '--port', '2999', '--host', '127.0.0.1', '--tick-time', '1000', '--four-letter-words', 'ruok',
      '--extended-types', '--in-memory',
    ]);
    expect(options).toEqual(
      defaultServerOptions({ port: 2999, host: '127.0.0.1', tickTimeMs: 1000, fourLetterWords: ['ruok', 'srvr'], extendedTypesEnabled: true }),
    );
  });

  it('--no-extended-types overrides the file; --config is read', async () => {
    const [options] = await parse(['--config', 'zoo.cfg', '--no-extended-types'], 'extendedTypesEnabled=true\nclientPort=2888');
    expect(options).toMatchObject({ extendedTypesEnabled: false, port: 2888 });
  });

  it('unknown flags are commander usage errors', async () => {
    await expect(parse(['--bogus'])).rejects.toMatchObject({ code: 'commander.unknownOption' });
  });
});
