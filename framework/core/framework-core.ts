// What every view of one framework shares (the framework and its usingNamespace facades): the
// resolved options, the current ZooKeeper session (renewed after expiry), the connection-state
// stream, the lifecycle, the retry loop every operation runs in, the guaranteed-delete manager and
// the default watch-event stream. Counterpart: CuratorFrameworkImpl's shared state.

import { Subject } from 'rxjs';
import { SessionExpiredError } from '../../protocol/index.js';
import { ClientClosedError } from '../client/errors.js';
import type { WatchedEvent } from '../client/events.js';
import type { ZooKeeperClient } from '../client/zookeeper-client.js';
import { GuaranteedDeletes } from '../ops/guaranteed-deletes.js';
import { callWithRetry } from '../retry/retry-loop.js';
import { ConnectionStateManager } from '../state/connection-state-manager.js';
import { ClientHolder } from './client-holder.js';
import { waitForConnection } from './connection-wait.js';
import type { ResolvedFrameworkOptions } from './options.js';

/** LATENT before start(), STARTED until close(), then STOPPED. Counterpart: CuratorFrameworkState. */
export type FrameworkLifecycle = 'latent' | 'started' | 'stopped';

export class FrameworkCore {
  readonly holder: ClientHolder;
  readonly states: ConnectionStateManager;
  readonly guaranteedDeletes: GuaranteedDeletes;
  /** Events of `watch: true` watches, namespace-free paths. */
  readonly watchEvents = new Subject<WatchedEvent>();
  lifecycle: FrameworkLifecycle = 'latent';
  /** usingNamespace views, one per namespace. */
  readonly facades = new Map<string, unknown>();
  private readonly closing = new AbortController();
  private closePromise: Promise<void> | undefined;

  constructor(readonly options: ResolvedFrameworkOptions) {
    const o = options;
    this.holder = new ClientHolder(
      o.connectString,
      {
        ...o.client,
        sessionTimeoutMs: o.sessionTimeoutMs,
        canBeReadOnly: o.canBeReadOnly,
        auth: o.authorization,
      },
      { onSessionState: (state) => this.states.onSessionState(state) },
    );
    this.states = new ConnectionStateManager({
      clock: o.clock,
      sessionTimeoutMs: () => {
        const negotiated = this.holder.started ? this.holder.current.negotiatedSessionTimeoutMs : 0;
        return negotiated > 0 ? negotiated : o.sessionTimeoutMs;
      },
      simulatedSessionExpirationPercent: o.simulatedSessionExpirationPercent,
      onSimulatedExpiry: () => this.holder.renew(),
    });
    this.guaranteedDeletes = new GuaranteedDeletes(this);
  }

  /** Aborted when the framework closes: pending pauses and connection waits end with ClientClosedError. */
  get closeSignal(): AbortSignal {
    return this.closing.signal;
  }

  start(): void {
    if (this.lifecycle !== 'latent') throw new Error(`cannot start a ZooKeeper framework that is ${this.lifecycle}`);
    this.holder.start(); // throws for a connect string the client refuses; the framework stays latent
    this.lifecycle = 'started';
  }

  close(): Promise<void> {
    return (this.closePromise ??= this.doClose());
  }

  private async doClose(): Promise<void> {
    const wasStarted = this.lifecycle === 'started';
    this.lifecycle = 'stopped';
    this.closing.abort(new ClientClosedError('the ZooKeeper framework is closed'));
    this.guaranteedDeletes.close();
    this.states.close();
    if (wasStarted) await this.holder.close();
    this.watchEvents.complete();
  }

  /** Throws unless started. */
  checkStarted(): void {
    if (this.lifecycle === 'latent') throw new Error('the ZooKeeper framework has not been started (call start())');
    if (this.lifecycle === 'stopped') throw new ClientClosedError('the ZooKeeper framework is closed');
  }

  /**
   * Runs `operation` with the current client under the retry policy. Each attempt first runs
   * `beforeAttempt` (namespace creation), then waits (up to connectionTimeoutMs) for a connection;
   * an attempt on a session that was replaced meanwhile fails as expired, so the next attempt runs
   * on the new session. When nothing needs waiting for, the operation is called synchronously, so
   * operations reach the server in the order they were called.
   */
  withRetry<T>(operation: (client: ZooKeeperClient) => Promise<T>, beforeAttempt?: () => Promise<void> | undefined): Promise<T> {
    try {
      this.checkStarted();
    } catch (e) {
      return Promise.reject(e);
    }
    const o = this.options;
    return callWithRetry(
      async () => {
        const preparing = beforeAttempt?.();
        if (preparing) await preparing;
        const client = this.holder.current;
        try {
          if (!client.isConnected) await waitForConnection(client, o.connectionTimeoutMs, o.clock, this.closing.signal);
          return await operation(client);
        } catch (e) {
          if (e instanceof ClientClosedError && !this.closing.signal.aborted && client !== this.holder.current) {
            throw new SessionExpiredError(undefined, { cause: e });
          }
          throw e;
        }
      },
      { retryPolicy: o.retryPolicy, clock: o.clock, sleep: o.sleep, signal: this.closing.signal },
    );
  }

  reportBackgroundError(error: unknown, what: string): void {
    if (this.closing.signal.aborted) return;
    try {
      this.options.onBackgroundError(error, what);
    } catch {
      // a failing error handler must not break background work
    }
  }
}
