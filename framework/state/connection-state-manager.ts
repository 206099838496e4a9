// Turns the ZooKeeper client's session events into the connection-state stream: SyncConnected ->
// CONNECTED the first time and RECONNECTED afterwards, ConnectedReadOnly -> READ_ONLY,
// Disconnected -> SUSPENDED, Expired / AuthFailed -> LOST; repeated states are dropped. While
// SUSPENDED it runs Curator's simulated expiry: once the session timeout (the last negotiated
// one, scaled by simulatedSessionExpirationPercent) has passed without a connection, the session
// is given up (`onSimulatedExpiry`) and LOST is emitted, as the server would have expired it by
// then. New subscribers receive the current state first. Timers come from the injected clock.
// Counterpart: org.apache.curator.framework.state.ConnectionStateManager.

import { Observable, Subject } from 'rxjs';
import { KeeperState } from '../../protocol/index.js';
import type { Clock } from '../client/clock.js';
import { ConnectionState, isConnectedState } from './connection-state.js';

export interface ConnectionStateManagerOptions {
  readonly clock: Clock;
  /** The session timeout to judge simulated expiry by: the last negotiated one, else the requested one. */
  readonly sessionTimeoutMs: () => number;
  /** Percentage of the session timeout after which a SUSPENDED session counts as LOST; 0 turns simulated expiry off. */
  readonly simulatedSessionExpirationPercent: number;
  /** Called when simulated expiry gives the session up, just before LOST is emitted (drop the old session here). */
  readonly onSimulatedExpiry: () => void;
}

export class ConnectionStateManager {
  /** The state stream: the current state first (if there is one yet), then every change; completes on close. */
  readonly state$: Observable<ConnectionState>;
  private readonly changes = new Subject<ConnectionState>();
  private currentState: ConnectionState | undefined;
  private initialConnectMessageSent = false;
  private expiryTimer: unknown;
  private closed = false;

  constructor(private readonly options: ConnectionStateManagerOptions) {
    this.state$ = new Observable<ConnectionState>((subscriber) => {
      if (this.currentState !== undefined) subscriber.next(this.currentState);
      if (this.closed) {
        subscriber.complete();
        return undefined;
      }
      const sub = this.changes.subscribe(subscriber);
      return () => sub.unsubscribe();
    });
  }

  /** The state last emitted (undefined before the first connection). */
  get current(): ConnectionState | undefined {
    return this.currentState;
  }

  get isConnected(): boolean {
    return isConnectedState(this.currentState);
  }

  /** Feeds one session state change of the current ZooKeeper client. */
  onSessionState(state: KeeperState): void {
    switch (state) {
      case KeeperState.SyncConnected:
        this.addStateChange(ConnectionState.RECONNECTED);
        break;
      case KeeperState.ConnectedReadOnly:
        this.addStateChange(ConnectionState.READ_ONLY);
        break;
      case KeeperState.Disconnected:
        this.setToSuspended();
        break;
      case KeeperState.Expired:
      case KeeperState.AuthFailed:
        this.addStateChange(ConnectionState.LOST);
        break;
      default:
        break;
    }
  }

  /**
   * Resolves true as soon as the state is connected (CONNECTED, RECONNECTED, READ_ONLY), false
   * when `timeoutMs` passes first (no timeout: waits until connected or closed).
   */
  blockUntilConnected(timeoutMs?: number): Promise<boolean> {
    if (this.isConnected) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const clock = this.options.clock;
      let timer: unknown;
      const finish = (connected: boolean): void => {
        if (timer !== undefined) clock.clearTimeout(timer);
        sub.unsubscribe();
        resolve(connected);
      };
      const sub = this.changes.subscribe({
        next: (s) => {
          if (isConnectedState(s)) finish(true);
        },
        complete: () => finish(false),
      });
      if (timeoutMs !== undefined) timer = clock.setTimeout(() => finish(this.isConnected), Math.max(0, timeoutMs));
    });
  }

  /** Completes the stream and stops the expiry timer. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearExpiryTimer();
    this.changes.complete();
  }

  private setToSuspended(): void {
    if (this.currentState === ConnectionState.LOST || this.currentState === ConnectionState.SUSPENDED) return;
    this.post(ConnectionState.SUSPENDED);
  }

  private addStateChange(newState: ConnectionState): void {
    if (this.currentState === newState) return;
    let emitted = newState;
    const negative = newState === ConnectionState.LOST || newState === ConnectionState.SUSPENDED || newState === ConnectionState.READ_ONLY;
    if (!negative && !this.initialConnectMessageSent) {
      this.initialConnectMessageSent = true;
      emitted = ConnectionState.CONNECTED;
    }
    this.post(emitted);
  }

  private post(state: ConnectionState): void {
    if (this.closed) return;
    this.currentState = state;
    this.clearExpiryTimer();
    if (state === ConnectionState.SUSPENDED) this.armSimulatedExpiry();
    this.changes.next(state);
  }

  private armSimulatedExpiry(): void {
    const percent = this.options.simulatedSessionExpirationPercent;
    if (percent <= 0) return;
    const timeoutMs = (this.options.sessionTimeoutMs() * percent) / 100;
    this.expiryTimer = this.options.clock.setTimeout(() => {
      this.expiryTimer = undefined;
      if (this.closed || this.currentState !== ConnectionState.SUSPENDED) return;
      this.options.onSimulatedExpiry();
      this.addStateChange(ConnectionState.LOST);
    }, timeoutMs);
  }

  private clearExpiryTimer(): void {
    if (this.expiryTimer !== undefined) this.options.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
  }
}
