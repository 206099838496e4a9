// The servers every client behaviour is verified against: zabkit's own server (in-process),
// Debian's Apache ZooKeeper 3.8 standalone, and a 3-member Apache ensemble. Test files run the
// same bodies over all of them with describe.each(BACKENDS). tickTime is 1000 ms everywhere so
// short session timeouts (2-20 s) are allowed; container/TTL reaping runs every second.
import { startServer } from '../../../server/index.js';
import { startApacheEnsemble, startApacheZooKeeper, type ApacheZooKeeperOptions } from '../../support/apache-zookeeper.js';

export const TICK_TIME_MS = 1000;

export interface BackendServer {
  readonly connectString: string;
  readonly port: number;
  /** Graceful shutdown (for zabkit, the only kind there is). */
  stop(): Promise<void>;
  /** Crash: SIGKILL for Apache. */
  kill(): Promise<void>;
}

export interface Backend {
  readonly name: string;
  readonly impl: 'zabkit' | 'apache';
  /** ZooKeeper semantics implemented: zabkit follows 3.9, Debian ships 3.8.0. */
  readonly semantics: '3.8' | '3.9';
  readonly ensemble: boolean;
  /** Every server, comma separated. */
  readonly connectString: string;
  readonly servers: readonly BackendServer[];
  /** Another, independent standalone server of the same implementation (the caller stops it). */
  startStandalone(): Promise<BackendServer>;
  stop(): Promise<void>;
}

export interface BackendSpec {
  readonly name: string;
  start(): Promise<Backend>;
}

const APACHE_OPTIONS: ApacheZooKeeperOptions = {
  extendedTypes: true,
  tickTimeMs: TICK_TIME_MS,
  containerCheckIntervalMs: 1000,
  extraConfig: { forceSync: 'no' },
};

async function zabkitServer(): Promise<BackendServer> {
  const s = await startServer({
    host: '127.0.0.1',
    port: 0,
    tickTimeMs: TICK_TIME_MS,
    maxClientCnxns: 0,
    fourLetterWords: '*',
    extendedTypesEnabled: true,
    containerCheckIntervalMs: 1000,
  });
  let closing: Promise<void> | undefined;
  const stop = (): Promise<void> => (closing ??= s.close());
  return { connectString: s.connectString, port: s.port, stop, kill: stop };
}

async function apacheServer(opts: ApacheZooKeeperOptions = APACHE_OPTIONS): Promise<BackendServer> {
  const zk = await startApacheZooKeeper(opts);
  return { connectString: zk.connectString, port: zk.port, stop: () => zk.stop(), kill: () => zk.kill() };
}

export const ZABKIT: BackendSpec = {
  name: 'zabkit',
  async start() {
    const server = await zabkitServer();
    return {
      name: 'zabkit', impl: 'zabkit', semantics: '3.9', ensemble: false,
      connectString: server.connectString, servers: [server],
      startStandalone: zabkitServer, stop: () => server.stop(),
    };
  },
};

export const APACHE_STANDALONE: BackendSpec = {
  name: 'apache-3.8',
  async start() {
    const server = await apacheServer();
    return {
      name: 'apache-3.8', impl: 'apache', semantics: '3.8', ensemble: false,
      connectString: server.connectString, servers: [server],
      startStandalone: () => apacheServer(), stop: () => server.stop(),
    };
  },
};

export function apacheEnsembleSpec(extra: ApacheZooKeeperOptions = {}): BackendSpec {
  return {
    name: 'apache-3.8-ensemble',
    async start() {
      const ensemble = await startApacheEnsemble(3, { ...APACHE_OPTIONS, ...extra });
      return {
        name: 'apache-3.8-ensemble', impl: 'apache', semantics: '3.8', ensemble: true,
        connectString: ensemble.connectString,
        servers: ensemble.members.map((m) => ({ connectString: m.connectString, port: m.port, stop: () => m.stop(), kill: () => m.kill() })),
        startStandalone: () => apacheServer(), stop: () => ensemble.stop(),
      };
    },
  };
}

export const APACHE_ENSEMBLE = apacheEnsembleSpec();

export const BACKENDS: readonly BackendSpec[] = [ZABKIT, APACHE_STANDALONE, APACHE_ENSEMBLE];
