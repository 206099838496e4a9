// A running standalone server: storage (recovered at start, or none in memory), the TCP
// listener, connection limits, the timers that drive session expiry and container reaping, and
// the four-letter words. The impure assembly around the pure request pipeline.
// Counterpart: ZooKeeperServerMain + NIOServerCnxnFactory.

import { defaultServerOptions, type ServerOptions } from './options.js';
import { RequestProcessor } from './requests/request-processor.js';
import { DurableStore } from './storage/durable-store.js';
import type { Recovery } from './storage/recovery.js';
import type { ClientConnection } from './net/client-connection.js';
import { ClientListener } from './net/client-listener.js';
import type { ServerStats } from './net/server-stats.js';

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** host:port for a client's connect string. */
  readonly connectString: string;
  readonly processor: RequestProcessor;
  /** The durable storage, or undefined for an in-memory server. */
  readonly store: DurableStore | undefined;
  close(): Promise<void>;
}

export class ZooKeeperServer {
  readonly processor: RequestProcessor;
  private readonly clients: ClientListener;
  private readonly timers: NodeJS.Timeout[] = [];
  private closing: Promise<void> | undefined;

  /** `storage` comes from DurableStore.open; without it the server keeps everything in memory. */
  constructor(
    readonly options: ServerOptions,
    private readonly logger: (message: string) => void = () => undefined,
    readonly storage?: { store: DurableStore; recovery: Recovery },
  ) {
    this.processor = new RequestProcessor(options, Date.now(), storage?.store, storage?.recovery.state);
    storage?.store.attach(this.processor, () => Date.now(), (err) => {
      this.logger(`fatal: ${err.message}; stopping the server`);
      void this.close();
    });
    this.clients = new ClientListener(options, logger, {
      processor: this.processor,
      mode: 'standalone',
      ...(storage ? { txnLogStats: () => storage.store.log.stats } : {}),
    });
  }

  get stats(): ServerStats {
    return this.clients.stats;
  }

  get connections(): ReadonlySet<ClientConnection> {
    return this.clients.connections;
  }

  get startedAt(): number {
    return this.clients.startedAt;
  }

  get address(): { host: string; port: number } {
    return this.clients.address;
  }

  async listen(): Promise<void> {
    await this.clients.listen();
    const sessionTick = Math.max(10, Math.floor(this.options.tickTimeMs / 2));
    this.timers.push(setInterval(() => this.processor.expireSessions(Date.now()), sessionTick));
    this.timers.push(setInterval(() => this.processor.reapContainers(Date.now()), this.options.containerCheckIntervalMs));
    for (const t of this.timers) t.unref();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.clients.close();
    await this.storage?.store.close();
  }
}

/**
 * Starts a standalone server: durable under options.dataDir (recovering what is there), in
 * memory when it is unset. Rejects with a StorageError the data cannot be trusted, or with the
 * listen error (EADDRINUSE, ...).
 */
export async function startServer(
  overrides: Partial<ServerOptions> = {},
  logger: (message: string) => void = () => undefined,
): Promise<RunningServer> {
  if (overrides.quorum !== undefined) {
    throw new Error('startServer runs a standalone server; start an ensemble member with startQuorumPeer');
  }
  const options = defaultServerOptions(overrides);
  const storage = options.dataDir === undefined ? undefined : await DurableStore.open({
    dataDir: options.dataDir,
    dataLogDir: options.dataLogDir,
    snapCount: options.snapCount,
    preAllocBytes: options.preAllocSizeKb * 1024,
    fsyncWarningThresholdMs: options.fsyncWarningThresholdMs,
    snapRetainCount: options.snapRetainCount,
    purgeIntervalHours: options.purgeIntervalHours,
    random: Math.random,
    log: logger,
  });
  const server = new ZooKeeperServer(options, logger, storage);
  try {
    await server.listen();
  } catch (e) {
    await server.close();
    throw e;
  }
  const { host, port } = server.address;
  const connectHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    host,
    port,
    connectString: `${connectHost}:${port}`,
    processor: server.processor,
    store: storage?.store,
    close: () => server.close(),
  };
}
