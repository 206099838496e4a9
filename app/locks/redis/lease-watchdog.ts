// Keeps a held Redis lock's key alive: renews it every renewEveryMs while held and tracks how
// long the last confirmed renewal is good for. Reports a loss when a renewal finds the key gone
// or taken, or when the lease runs out before any renewal is confirmed (Redis down, slow or
// paused, or this process stalled). Counterpart: Redisson's lock watchdog.
import type { Clock } from '../../../framework/index.js';
import type { LockLostReason } from '../errors.js';
import type { KeyOwner } from './lease-commands.js';

export interface LeaseWatchdogOptions {
  readonly clock: Clock;
  readonly ttlMs: number;
  readonly renewEveryMs: number;
  /** One renewal round trip. */
  readonly renew: () => Promise<KeyOwner>;
  /** Called at most once, after the watchdog stopped itself. */
  readonly onLost: (reason: LockLostReason, cause?: unknown) => void;
}

/**
 * How much of a lease is trusted: the TTL counted from when the command that set it was SENT,
 * less an allowance for the two clocks running at different rates (Redlock's 1% + 2 ms).
 */
export function leaseValidityMs(ttlMs: number): number {
  return ttlMs - Math.floor(ttlMs * 0.01) - 2;
}

export class LeaseWatchdog {
  private renewTimer: unknown;
  private expiryTimer: unknown;
  private inFlight = false;
  private stopped = false;
  private lastError: unknown;

  /** `grantedAt`: clock time at which the command that set the key was sent. */
  constructor(
    private readonly options: LeaseWatchdogOptions,
    grantedAt: number,
  ) {
    this.trustUntil(grantedAt + leaseValidityMs(options.ttlMs));
    this.renewTimer = options.clock.setTimeout(() => this.tick(), options.renewEveryMs);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.options.clock.clearTimeout(this.renewTimer);
    this.options.clock.clearTimeout(this.expiryTimer);
  }

  private tick(): void {
    if (this.stopped) return;
    const { clock, renewEveryMs } = this.options;
    this.renewTimer = clock.setTimeout(() => this.tick(), renewEveryMs);
    if (this.inFlight) return; // the previous renewal is still unanswered; the expiry timer guards it
    this.inFlight = true;
    const sentAt = clock.now();
    this.options.renew().then(
      (owner) => {
        this.inFlight = false;
        if (this.stopped) return;
        if (owner === 'ours') {
          this.lastError = undefined;
          this.trustUntil(sentAt + leaseValidityMs(this.options.ttlMs));
        } else this.lose(owner === 'gone' ? 'expired' : 'taken');
      },
      (error: unknown) => {
        this.inFlight = false;
        this.lastError = error; // retried on the next tick; the expiry timer decides
      },
    );
  }

  private trustUntil(deadline: number): void {
    const { clock } = this.options;
    clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = clock.setTimeout(() => this.lose('unconfirmed', this.lastError), Math.max(0, deadline - clock.now()));
  }

  private lose(reason: LockLostReason, cause?: unknown): void {
    if (this.stopped) return;
    this.stop();
    this.options.onLost(reason, cause);
  }
}
