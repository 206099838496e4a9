// A running standalone server: storage (recovered at start, or none in memory), the TCP
// listener, connection limits, the timers that drive session expiry and container reaping, and
// the four-letter words. The impure assembly around the pure request pipeline.
// Counterpart: ZooKeeperServerMain + NIOServerCnxnFactory.

import { createServer, type Server, type Socket } from 'node:net';
import { defaultServerOptions, type ServerOptions } from './options.js';
import { RequestProcessor } from './requests/request-processor.js';
import { DurableStore } from './storage/durable-store.js';
import type { Recovery } from './storage/recovery.js';
import { ClientConnection, type ConnectionHost } from './net/client-connection.js';
import { ServerStats } from './net/server-stats.js';
import { fourLetterWordText, FOUR_LETTER_WORDS } from './net/four-letter-words.js';

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

export class ZooKeeperServer implements ConnectionHost {
  readonly processor: RequestProcessor;
  readonly stats = new ServerStats();
  readonly connections = new Set<ClientConnection>();
  readonly startedAt = Date.now();
  private readonly perIp = new Map<string, number>();
  private readonly server: Server;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly enabledWords: ReadonlySet<string> | '*';
  address: { host: string; port: number } = { host: '', port: 0 };

  private closing: Promise<void> | undefined;

  /** `storage` comes from DurableStore.open; without it the server keeps everything in memory. */
  constructor(
    readonly options: ServerOptions,
    private readonly logger: (message: string) => void = () => undefined,
    readonly storage?: { store: DurableStore; recovery: Recovery },
  ) {
    this.processor = new RequestProcessor(options, Date.now(), storage?.store, storage?.recovery.state);
    storage?.store.attach(this.processor, () => Date.now(), (err) => {
      this.log(`fatal: ${err.message}; stopping the server`);
      void this.close();
    });
    this.enabledWords = options.fourLetterWords === '*' ? '*' : new Set(options.fourLetterWords);
    this.server = createServer((socket) => this.accept(socket));
  }

  get maxBufferBytes(): number {
    return this.options.maxBufferBytes;
  }

  now(): number {
    return Date.now();
  }

  log(message: string): void {
    this.logger(message);
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const addr = this.server.address();
    if (addr && typeof addr === 'object') this.address = { host: this.options.host, port: addr.port };
    const sessionTick = Math.max(10, Math.floor(this.options.tickTimeMs / 2));
    this.timers.push(setInterval(() => this.processor.expireSessions(Date.now()), sessionTick));
    this.timers.push(setInterval(() => this.processor.reapContainers(Date.now()), this.options.containerCheckIntervalMs));
    for (const t of this.timers) t.unref();
  }

  private accept(socket: Socket): void {
    const ip = socket.remoteAddress ?? '';
    const count = this.perIp.get(ip) ?? 0;
    if (this.options.maxClientCnxns > 0 && count >= this.options.maxClientCnxns) {
      this.log(`too many connections from ${ip} - max is ${this.options.maxClientCnxns}`);
      socket.destroy();
      return;
    }
    this.perIp.set(ip, count + 1);
    const connection = new ClientConnection(socket, this);
    this.connections.add(connection);
    socket.once('close', () => {
      const n = (this.perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, n);
    });
  }

  connectionClosed(connection: ClientConnection): void {
    this.connections.delete(connection);
  }

  fourLetterWord(word: number, connection: ClientConnection): string | undefined {
    const name = FOUR_LETTER_WORDS.get(word);
    if (name === undefined) return undefined;
    const enabled = this.enabledWords === '*' || this.enabledWords.has(name);
    if (!enabled) return `${name} is not executed because it is not in the whitelist.\n`;
    return fourLetterWordText(name, this, connection);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of [...this.connections]) c.close('server shutting down');
    await closed;
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
  const options = defaultServerOptions(overrides);
  const storage = options.dataDir === undefined ? undefined : await DurableStore.open({
    dataDir: options.dataDir,
    dataLogDir: options.dataLogDir,
    snapCount: options.snapCount,
    preAllocBytes: options.preAllocSizeKb * 1024,
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
