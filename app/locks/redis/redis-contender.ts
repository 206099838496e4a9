// One contender for a Redis lock (mutex or semaphore): acquire() tries to take a lease, and
// while the key is taken (all permits leased) polls again after a jittered, growing delay,
// until it wins, times out or is aborted. An attempt overtaken by a timeout or abort is undone
// if it landed. Not re-entrant. Counterpart: Spring's RedisLockRegistry.RedisLock.tryLock(time).
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../../framework/index.js';
import { AcquireWait } from '../acquire-wait.js';
import { LockNotReentrantError, LockRegistryClosedError } from '../errors.js';
import type { AcquireOptions, DistributedLock, HeldLock, LockKind } from '../lock-registry.js';
import type { LeaseCommands } from './lease-commands.js';
import { leaseValidityMs } from './lease-watchdog.js';
import { PollBackoff } from './poll-backoff.js';
import { RedisHeldLock } from './redis-held-lock.js';

/** What a contender needs from its registry. */
export interface RedisContenderContext {
  readonly clock: Clock;
  readonly random: () => number;
  readonly ttlMs: number;
  readonly renewEveryMs: number;
  readonly pollMinMs: number;
  readonly pollMaxMs: number;
  /** Aborted when the registry closes. */
  readonly closing: AbortSignal;
  readonly onHeld: (held: RedisHeldLock) => void;
  readonly onEnd: (held: RedisHeldLock) => void;
}

export class RedisContender implements DistributedLock {
  private acquiring = false;
  /** The last hold; until it has ended (released or lost) this contender cannot acquire again. */
  private current: RedisHeldLock | undefined;

  constructor(
    readonly key: string,
    readonly kind: LockKind,
    private readonly commands: LeaseCommands,
    private readonly context: RedisContenderContext,
  ) {}

  get isHeld(): boolean {
    return this.current?.isHeld === true;
  }

  async acquire(options: AcquireOptions = {}): Promise<HeldLock> {
    if (this.acquiring || this.current?.ended === false) throw new LockNotReentrantError(this.key);
    const { clock, closing } = this.context;
    const wait = new AcquireWait(this.key, options, clock, { signal: closing, backend: 'redis' });
    this.acquiring = true;
    try {
      const held = await this.pollUntilAcquired(wait);
      if (closing.aborted) {
        // Won the lease in the same tick as the registry closed: give it straight back.
        held.release().catch(() => undefined);
        throw new LockRegistryClosedError(this.key, 'redis');
      }
      this.current = held;
      this.context.onHeld(held);
      return held;
    } finally {
      this.acquiring = false;
      wait.dispose();
    }
  }

  private async pollUntilAcquired(wait: AcquireWait): Promise<RedisHeldLock> {
    const { clock, ttlMs } = this.context;
    const token = randomBytes(16).toString('hex');
    const backoff = new PollBackoff(this.context.pollMinMs, this.context.pollMaxMs, this.context.random);
    for (let first = true; ; first = false) {
      if (first ? wait.aborted : wait.stopped) throw wait.reason();
      const sentAt = clock.now();
      const attempt = this.commands.tryAcquire(token);
      let acquired: boolean;
      try {
        acquired = await wait.race(attempt, first);
      } catch (error) {
        // Overtaken by abort/timeout, or the command failed (it may still have run on the
        // server): make sure no lease with our token outlives this call.
        this.undo(attempt, token);
        throw error;
      }
      if (acquired) {
        // A reply slower than the lease would hand out a lock that may already have expired.
        if (clock.now() < sentAt + leaseValidityMs(ttlMs)) return this.hold(token, sentAt);
        this.undo(Promise.resolve(true), token);
      }
      if (wait.stopped) throw wait.reason();
      await wait.sleep(backoff.next());
    }
  }

  private hold(token: string, grantedAt: number): RedisHeldLock {
    const { clock, ttlMs, renewEveryMs } = this.context;
    return new RedisHeldLock({
      key: this.key,
      kind: this.kind,
      token,
      commands: this.commands,
      clock,
      ttlMs,
      renewEveryMs,
      grantedAt,
      onEnd: (held) => this.context.onEnd(held),
    });
  }

  private undo(attempt: Promise<boolean>, token: string): void {
    const dropIfOurs = (): Promise<unknown> => this.commands.release(token);
    attempt.then((acquired) => (acquired ? dropIfOurs() : undefined), dropIfOurs).catch(() => undefined);
  }
}
