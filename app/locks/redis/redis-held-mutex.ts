// A Redis mutex while held: the key holds this holder's random token, a LeaseWatchdog renews
// it, and release() deletes it only if the token is still there. A loss (renewal found the key
// gone or taken, or the lease ran out unconfirmed) ends the hold and is reported once on lost$.
// Counterpart: Spring's RedisLockRegistry.RedisLock while locked, with Redisson's watchdog.
import type { Observable } from 'rxjs';
import type { Clock } from '../../../framework/index.js';
import { LockLostError, type LockLostReason } from '../errors.js';
import type { HeldLock } from '../lock-registry.js';
import { LossNotifier } from '../loss-notifier.js';
import { LeaseWatchdog } from './lease-watchdog.js';
import type { KeyOwner, MutexCommands } from './mutex-commands.js';

export interface RedisHoldParams {
  readonly key: string;
  readonly redisKey: string;
  readonly token: string;
  readonly commands: MutexCommands;
  readonly clock: Clock;
  readonly ttlMs: number;
  readonly renewEveryMs: number;
  /** Clock time at which the SET that granted the lock was sent. */
  readonly grantedAt: number;
  /** Called once when the hold ends (released, release attempted, or lost). */
  readonly onEnd: (held: RedisHeldMutex) => void;
}

type HoldState = 'held' | 'releasing' | 'released' | 'lost';

export class RedisHeldMutex implements HeldLock {
  readonly kind = 'mutex' as const;
  /** Redis has no fencing token: a TTL key carries no counter clients could compare. */
  readonly fencingToken = undefined;
  readonly key: string;
  private state: HoldState = 'held';
  private releasing: Promise<void> | undefined;
  private readonly notifier = new LossNotifier();
  private readonly watchdog: LeaseWatchdog;

  constructor(private readonly params: RedisHoldParams) {
    this.key = params.key;
    this.watchdog = new LeaseWatchdog(
      {
        clock: params.clock,
        ttlMs: params.ttlMs,
        renewEveryMs: params.renewEveryMs,
        renew: () => params.commands.renew(params.redisKey, params.token, params.ttlMs),
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
        this.releasing = this.deleteKey();
        return this.releasing;
    }
  }

  private async deleteKey(): Promise<void> {
    const { commands, redisKey, token } = this.params;
    let owner: KeyOwner;
    try {
      owner = await commands.release(redisKey, token);
    } catch (error) {
      // Unknown whether the DEL ran: the key, if still there, expires within ttlMs.
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
      // The key may still hold our token (a renewal may even land late): delete it if so,
      // so that others need not wait out the TTL. Harmless if it is gone or someone else's.
      const { commands, redisKey, token } = this.params;
      commands.release(redisKey, token).catch(() => undefined);
    }
  }

  private end(state: 'released' | 'lost', lost?: LockLostError): void {
    this.state = state;
    this.params.onEnd(this);
    if (lost) this.notifier.lose(lost);
    else this.notifier.end();
  }
}
