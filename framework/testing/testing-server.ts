// TestingServer: zabkit's bundled server started in-process for an application's own tests, on
// 127.0.0.1 and a free port (or a given one), durable in a temp dataDir by default so stop() /
// restart() keep the tree and the open sessions, as a real ZooKeeper restart does.
// Counterpart: Curator's org.apache.curator.test.TestingServer.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultServerOptions, startServer, type RunningServer, type ServerOptions } from '../../server/index.js';

export interface TestingServerOptions {
  /** Client port on 127.0.0.1; 0 (the default) picks a free one, kept across restarts. */
  port?: number;
  /**
   * Keep nothing on disk. restart() then starts from an empty tree, and clients that saw the old
   * server's zxids cannot reconnect (ZooKeeper refuses a client ahead of it). Default false.
   */
  inMemory?: boolean;
  /** Use this dataDir instead of a temp one; close() leaves it in place. */
  dataDir?: string;
  /** tickTime; session timeouts are clamped to [2, 20] x tickTime. Default 2000 (ZooKeeper's). */
  tickTimeMs?: number;
  /** Four-letter words served on the client port ('*' = all). Default none. */
  fourLetterWords?: readonly string[] | '*';
  /** TTL nodes (extendedTypesEnabled). Default false, as ZooKeeper. */
  extendedTypesEnabled?: boolean;
  /** Anything else of the server's settings (host and dataDir are the TestingServer's). */
  server?: Partial<Omit<ServerOptions, 'host' | 'port' | 'dataDir' | 'dataLogDir'>>;
  /** Receives the server's log lines. Default: dropped. */
  logger?: (message: string) => void;
}

/** Small txn-log segments: a test writes little, and each segment is preallocated. */
const TEST_PREALLOC_KB = 1024;
const HOST = '127.0.0.1';
/** How often restart() retries its port if another process holds it for a moment. */
const RESTART_ATTEMPTS = 20;
const RESTART_RETRY_MS = 100;

export class TestingServer implements AsyncDisposable {
  private running: RunningServer | undefined;
  private boundPort: number;
  private closed = false;

  /** Starts a server; `await using server = await TestingServer.start()` stops it at scope end. */
  static async start(options: TestingServerOptions = {}): Promise<TestingServer> {
    if (options.inMemory && options.dataDir !== undefined) throw new TypeError('TestingServer: inMemory and dataDir exclude each other');
    const ownDir = !options.inMemory && options.dataDir === undefined;
    const dataDir = options.inMemory ? undefined : (options.dataDir ?? (await mkdtemp(join(tmpdir(), 'zabkit-testing-'))));
    const server = new TestingServer(options, dataDir, ownDir);
    try {
      await server.startOnce();
    } catch (e) {
      if (ownDir && dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
      throw e;
    }
    return server;
  }

  private constructor(
    private readonly options: TestingServerOptions,
    /** The server's dataDir, or undefined in memory. */
    readonly dataDir: string | undefined,
    private readonly ownsDataDir: boolean,
  ) {
    this.boundPort = options.port ?? 0;
  }

  /** The client port (the same across stop / restart). */
  get port(): number {
    return this.boundPort;
  }

  /** "127.0.0.1:port", for a client. */
  get connectString(): string {
    return `${HOST}:${this.boundPort}`;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** The tickTime the server runs with. */
  get tickTimeMs(): number {
    return defaultServerOptions(this.serverOptions()).tickTimeMs;
  }

  /** Stops the server (clients see Disconnected and keep retrying); its data stays for restart(). */
  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    await running?.close();
  }

  /** Stops the server if it runs and starts it again on the same port, recovering its data from disk. */
  async restart(): Promise<void> {
    if (this.closed) throw new Error('TestingServer: restart() after close()');
    await this.stop();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startOnce();
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= RESTART_ATTEMPTS) throw e;
        await new Promise((resolve) => setTimeout(resolve, RESTART_RETRY_MS));
      }
    }
  }

  /** Stops the server and removes the temp dataDir it created. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
    if (this.ownsDataDir && this.dataDir !== undefined) await rm(this.dataDir, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  toString(): string {
    return `TestingServer(${this.connectString}, ${this.running ? 'running' : 'stopped'}, ${this.dataDir ?? 'in memory'})`;
  }

  private serverOptions(): Partial<ServerOptions> {
    const o = this.options;
    return {
      ...(this.dataDir !== undefined ? { preAllocSizeKb: TEST_PREALLOC_KB } : {}),
      ...o.server,
      ...(o.tickTimeMs !== undefined ? { tickTimeMs: o.tickTimeMs } : {}),
      ...(o.extendedTypesEnabled !== undefined ? { extendedTypesEnabled: o.extendedTypesEnabled } : {}),
      fourLetterWords: o.fourLetterWords ?? o.server?.fourLetterWords ?? [],
      host: HOST,
      port: this.boundPort,
      dataDir: this.dataDir,
      dataLogDir: undefined,
    };
  }

  private async startOnce(): Promise<void> {
    this.running = await startServer(this.serverOptions(), this.options.logger);
    this.boundPort = this.running.port;
  }
}
