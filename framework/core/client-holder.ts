// Holds the framework's current ZooKeeperClient and replaces it with a new session when the old
// one is gone: at once when the server reports the session expired, or when simulated expiry gives
// it up (`renew`). Session state changes of the current client are passed on (the replacement
// exists before an Expired is reported, so whoever reacts to LOST already sees the new session).
// Counterpart: org.apache.curator.HandleHolder and ConnectionState.reset/handleExpiredSession.

import type { Subscription } from 'rxjs';
import { KeeperState } from '../../protocol/index.js';
import type { ClientOptions } from '../client/options.js';
import { ZooKeeperClient } from '../client/zookeeper-client.js';

export interface ClientHolderListener {
  /** A session state change of the current client. */
  onSessionState(state: KeeperState, client: ZooKeeperClient): void;
}

export class ClientHolder {
  private client: ZooKeeperClient | undefined;
  private subscription: Subscription | undefined;
  private closed = false;
  /** Clients replaced but perhaps still closing. */
  private readonly retiring = new Set<Promise<void>>();

  constructor(
    private readonly connectString: string,
    private readonly clientOptions: ClientOptions,
    private readonly listener: ClientHolderListener,
  ) {}

  /** The current client (throws before start). */
  get current(): ZooKeeperClient {
    if (!this.client) throw new Error('the ZooKeeper framework has not been started');
    return this.client;
  }

  get started(): boolean {
    return this.client !== undefined;
  }

  start(): void {
    this.open();
  }

  /** Gives up the current session locally (no closeSession when disconnected) and starts a new one. */
  renew(): void {
    if (this.closed) return;
    this.retire();
    this.open();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscription?.unsubscribe();
    const client = this.client;
    await Promise.all([client?.close(), ...this.retiring]);
  }

  private retire(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    const old = this.client;
    if (!old) return;
    const closing = old.close().catch(() => undefined);
    this.retiring.add(closing);
    void closing.then(() => this.retiring.delete(closing));
  }

  private open(): void {
    const client = new ZooKeeperClient(this.connectString, this.clientOptions);
    this.client = client;
    this.subscription = client.state$.subscribe((event) => {
      if (client !== this.client) return;
      if (event.state === KeeperState.Closed) return;
      if (event.state === KeeperState.Expired) this.renew();
      this.listener.onSessionState(event.state, client);
    });
  }
}
