// The Redis LockRegistry: mutexes and semaphores on one Redis primary through an ioredis client
// the caller owns. A mutex is the key `${keyPrefix}${key}` holding its holder's random token; a
// semaphore is the sorted set `${keyPrefix}semaphore:${key}` of its holders' tokens. Every lease
// has a TTL that a watchdog renews. No fencing tokens and no consensus — see
// docs/lock-registry.md for what that does not guarantee. Counterpart: Spring Integration's
// RedisLockRegistry (mutex), Curator's InterProcessSemaphoreV2 (semaphore).
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '../../../framework/index.js';
import { LockRegistryClosedError, UnsupportedLockKindError } from '../errors.js';
import type { DistributedLock, LockKind, LockRegistry, ObtainOptions } from '../lock-registry.js';
import type { LeaseCommands } from './lease-commands.js';
import { mutexCommands } from './mutex-commands.js';
import { RedisContender, type RedisContenderContext } from './redis-contender.js';
import type { RedisHeldLock } from './redis-held-lock.js';
import { semaphoreCommands } from './semaphore-commands.js';

export interface RedisLockRegistryOptions {
  /** The connection to use; the registry defines its Lua commands on it and never closes it. */
  readonly client: Redis;
  /** Prepended to every lock key (after the client's own keyPrefix, if any). Default 'zabkit:lock:'. */
  readonly keyPrefix?: string;
  /** The key's time to live while held, renewed by the watchdog. Default 30 000 ms. */
  readonly ttlMs?: number;
  /** Watchdog period. Default ttlMs / 3; must be below ttlMs. */
  readonly renewEveryMs?: number;
  /** First delay between attempts while another holder has the key. Default 10 ms. */
  readonly pollMinMs?: number;
  /** The delay doubles up to this. Default 250 ms. */
  readonly pollMaxMs?: number;
  /** Time source for the watchdog, lease deadlines, timeouts and poll delays. Default: the system clock. */
  readonly clock?: Clock;
  /** [0, 1) source for poll jitter. Default Math.random. */
  readonly random?: () => number;
}

export const REDIS_LOCK_DEFAULTS = {
  keyPrefix: 'zabkit:lock:',
  ttlMs: 30_000,
  pollMinMs: 10,
  pollMaxMs: 250,
} as const;

/** The smallest TTL accepted: below it the 1% + 2 ms drift allowance leaves no usable lease. */
const MIN_TTL_MS = 10;

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  return value;
}

export class RedisLockRegistry implements LockRegistry {
  readonly backend = 'redis';
  /** read / write are refused: see docs/lock-registry.md. */
  readonly kinds: ReadonlySet<LockKind> = new Set<LockKind>(['mutex', 'semaphore']);
  readonly keyPrefix: string;
  readonly ttlMs: number;
  readonly renewEveryMs: number;
  readonly pollMinMs: number;
  readonly pollMaxMs: number;
  private readonly mutex: (redisKey: string, ttlMs: number) => LeaseCommands;
  private readonly semaphore: (redisKey: string, permits: number, ttlMs: number) => LeaseCommands;
  private readonly closing = new AbortController();
  private readonly held = new Set<RedisHeldLock>();
  private readonly context: RedisContenderContext;

  constructor(options: RedisLockRegistryOptions) {
    this.keyPrefix = options.keyPrefix ?? REDIS_LOCK_DEFAULTS.keyPrefix;
    this.ttlMs = positiveInteger('ttlMs', options.ttlMs ?? REDIS_LOCK_DEFAULTS.ttlMs);
    if (this.ttlMs < MIN_TTL_MS) throw new RangeError(`ttlMs must be at least ${MIN_TTL_MS}, got ${this.ttlMs}`);
    this.renewEveryMs = positiveInteger('renewEveryMs', options.renewEveryMs ?? Math.max(1, Math.floor(this.ttlMs / 3)));
    if (this.renewEveryMs >= this.ttlMs) throw new RangeError(`renewEveryMs (${this.renewEveryMs}) must be below ttlMs (${this.ttlMs})`);
    this.pollMinMs = positiveInteger('pollMinMs', options.pollMinMs ?? REDIS_LOCK_DEFAULTS.pollMinMs);
    this.pollMaxMs = positiveInteger('pollMaxMs', options.pollMaxMs ?? Math.max(this.pollMinMs, REDIS_LOCK_DEFAULTS.pollMaxMs));
    if (this.pollMaxMs < this.pollMinMs) throw new RangeError(`pollMaxMs (${this.pollMaxMs}) must be at least pollMinMs (${this.pollMinMs})`);
    this.context = {
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
      ttlMs: this.ttlMs,
      renewEveryMs: this.renewEveryMs,
      pollMinMs: this.pollMinMs,
      pollMaxMs: this.pollMaxMs,
      closing: this.closing.signal,
      onHeld: (held) => this.held.add(held),
      onEnd: (held) => this.held.delete(held),
    };
    this.mutex = mutexCommands(options.client);
    this.semaphore = semaphoreCommands(options.client);
  }

  /** The Redis key that backs lock `key` of `kind`. */
  redisKey(key: string, kind: LockKind = 'mutex'): string {
    return kind === 'semaphore' ? `${this.keyPrefix}semaphore:${key}` : `${this.keyPrefix}${key}`;
  }

  obtain(key: string, options: ObtainOptions = {}): DistributedLock {
    if (typeof key !== 'string' || key.length === 0) throw new TypeError('a lock key must be a non-empty string');
    const kind = options.kind ?? 'mutex';
    if (!this.kinds.has(kind)) throw new UnsupportedLockKindError(key, kind, this.backend);
    if (this.closing.signal.aborted) throw new LockRegistryClosedError(key, this.backend);
    const redisKey = this.redisKey(key, kind);
    if (kind === 'semaphore') {
      const permits = options.permits;
      if (permits === undefined || !Number.isSafeInteger(permits) || permits <= 0) {
        throw new RangeError(`a semaphore needs permits, a positive integer (got ${String(permits)} for '${key}')`);
      }
      return new RedisContender(key, kind, this.semaphore(redisKey, permits, this.ttlMs), this.context);
    }
    return new RedisContender(key, kind, this.mutex(redisKey, this.ttlMs), this.context);
  }

  async close(): Promise<void> {
    this.closing.abort();
    const releases = [...this.held].map((held) => held.release());
    await Promise.allSettled(releases);
  }
}
