// A Redis lock while held: the lease is recorded under this holder's random token, a
// LeaseWatchdog renews it, and release() drops it only if the token still holds it. A loss
// (renewal found the lease gone or taken, or it ran out unconfirmed) ends the hold and is
// reported once on lost$. Counterpart: Spring's RedisLockRegistry.RedisLock while locked, with
// Redisson's watchdog.
import type { Observable } from 'rxjs';
import type { Clock } from '../../../framework/index.js';
import { LockLostError, type LockLostReason } from '../errors.js';
import type { HeldLock, LockKind } from '../lock-registry.js';
import { LossNotifier } from '../loss-notifier.js';
import type { KeyOwner, LeaseCommands } from './lease-commands.js';
import { LeaseWatchdog } from './lease-watchdog.js';

export interface RedisHoldParams {
  readonly key: string;
  readonly kind: LockKind;
  readonly token: string;
  readonly commands: LeaseCommands;
  readonly clock: Clock;
  readonly ttlMs: number;
  readonly renewEveryMs: number;
  /** Clock time at which the command that granted the lease was sent. */
  readonly grantedAt: number;
  /** Called once when the hold ends (released, release attempted, or lost). */
  readonly onEnd: (held: RedisHeldLock) => void;
}

type HoldState = 'held' | 'releasing' | 'released' | 'lost';

export class RedisHeldLock implements HeldLock {
  readonly key: string;
  readonly kind: LockKind;
  /** Redis has no fencing token: a TTL key carries no counter clients could compare. */
  readonly fencingToken = undefined;
  private state: HoldState = 'held';
  private releasing: Promise<void> | undefined;
  private readonly notifier = new LossNotifier();
  private readonly watchdog: LeaseWatchdog;

  constructor(private readonly params: RedisHoldParams) {
    this.key = params.key;
    this.kind = params.kind;
    this.watchdog = new LeaseWatchdog(
      {
        clock: params.clock,
        ttlMs: params.ttlMs,
        renewEveryMs: params.renewEveryMs,
        renew: () => params.commands.renew(params.token),
        onLost: (reason, cause) => this.lose(reason, cause),
      },
      params.grantedAt,
    );
  }

  get isHeld(): boolean {
    return this.state === 'held';
  }

  /** Released (or release attempted) or lost: nothing more will happen to this hold. */
  get ended(): boolean {
    return this.state === 'released' || this.state === 'lost';
  }

  get lost$(): Observable<LockLostError> {
    return this.notifier.lost$;
  }

  get lostSignal(): AbortSignal {
    return this.notifier.signal;
  }

  release(): Promise<void> {
    switch (this.state) {
      case 'released':
        return Promise.resolve();
      case 'lost':
        return Promise.reject(this.notifier.error);
      case 'releasing':
        return this.releasing!;
      case 'held':
        this.state = 'releasing';
        this.watchdog.stop();
        this.releasing = this.dropLease();
        return this.releasing;
    }
  }

  private async dropLease(): Promise<void> {
    let owner: KeyOwner;
    try {
      owner = await this.params.commands.release(this.params.token);
    } catch (error) {
      // Unknown whether it ran: the lease, if still there, expires within ttlMs.
      this.end('released');
      throw error;
    }
    if (owner === 'ours') {
      this.end('released');
      return;
    }
    const lost = new LockLostError(this.key, owner === 'gone' ? 'expired' : 'taken');
    this.end('lost', lost);
    throw lost;
  }

  /** Called by the watchdog. */
  private lose(reason: LockLostReason, cause?: unknown): void {
    if (this.state !== 'held') return;
    this.watchdog.stop();
    this.end('lost', new LockLostError(this.key, reason, cause === undefined ? undefined : { cause }));
    if (reason === 'unconfirmed') {
      // The lease may still be ours (a renewal may even land late): drop it if so, so that
      // others need not wait out the TTL. Harmless if it is gone or someone else's.
      this.params.commands.release(this.params.token).catch(() => undefined);
    }
  }

  private end(state: 'released' | 'lost', lost?: LockLostError): void {
    this.state = state;
    this.params.onEnd(this);
    if (lost) this.notifier.lose(lost);
    else this.notifier.end();
  }
}
