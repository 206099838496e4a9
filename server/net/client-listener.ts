// The client port: TCP listener, per-IP connection limit, the live connections, server-wide
// stats and the four-letter words. Which pipeline answers requests is asked of a ServingState:
// a standalone server always has one; an ensemble member has one only while its role serves
// (none while it looks for a leader or syncs), and then new connections are closed.
// Counterpart: NIOServerCnxnFactory (+ the ZooKeeperServer it is bound to, which changes with
// the QuorumPeer's role).

import { createServer, type Server, type Socket } from 'node:net';
import type { ServerOptions } from '../options.js';
import type { RequestProcessor } from '../requests/request-processor.js';
import type { TxnLogStats } from '../storage/txn-log.js';
import { ClientConnection, type ConnectionHost } from './client-connection.js';
import { fourLetterWordText, FOUR_LETTER_WORDS } from './four-letter-words.js';
import { ServerStats } from './server-stats.js';

export type ServerMode = 'standalone' | 'leader' | 'follower' | 'observer';

/** What the four-letter words show of an ensemble member (conf, mntr, srvr). */
export interface QuorumStatus {
  readonly myid: number;
  readonly initLimit: number;
  readonly syncLimit: number;
  readonly electionPort: number;
  readonly quorumPort: number;
  /** LearnerType ordinal: 0 participant, 1 observer. */
  readonly peerType: number;
  /** The configuration text (protocol.md §13.4). */
  readonly membership: string;
  readonly votingMembers: number;
  /** Leader only: connected learners, and those synced (UPTODATE sent), by kind. */
  readonly learners: number;
  readonly syncedFollowers: number;
  readonly syncedObservers: number;
  readonly pendingSyncs: number;
  /** Leader only: sizes of proposals in bytes, -1 before the first. */
  readonly proposalSizes: { last: number; min: number; max: number };
}

export interface ServingState {
  /** The pipeline serving clients, or undefined while not serving. */
  readonly processor: RequestProcessor | undefined;
  readonly mode: ServerMode;
  /** Ensemble members only. */
  quorumStatus?(): QuorumStatus;
  /** Servers with a data directory: the txn log's counters. */
  txnLogStats?(): TxnLogStats;
}

export class ClientListener implements ConnectionHost {
  readonly stats = new ServerStats();
  readonly connections = new Set<ClientConnection>();
  readonly startedAt = Date.now();
  private readonly perIp = new Map<string, number>();
  private readonly server: Server;
  private readonly enabledWords: ReadonlySet<string> | '*';
  address: { host: string; port: number } = { host: '', port: 0 };

  constructor(
    readonly options: ServerOptions,
    private readonly logger: (message: string) => void,
    readonly serving: ServingState,
  ) {
    this.enabledWords = options.fourLetterWords === '*' ? '*' : new Set(options.fourLetterWords);
    this.server = createServer((socket) => this.accept(socket));
  }

  get processor(): RequestProcessor | undefined {
    return this.serving.processor;
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

  /** Closes every client connection (an ensemble member's role ended). */
  closeConnections(reason: string): void {
    for (const c of [...this.connections]) c.close(reason);
  }

  fourLetterWord(word: number, connection: ClientConnection): string | undefined {
    const name = FOUR_LETTER_WORDS.get(word);
    if (name === undefined) return undefined;
    const enabled = this.enabledWords === '*' || this.enabledWords.has(name);
    if (!enabled) return `${name} is not executed because it is not in the whitelist.\n`;
    return fourLetterWordText(name, this, connection);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.closeConnections('server shutting down');
    await closed;
  }
}
