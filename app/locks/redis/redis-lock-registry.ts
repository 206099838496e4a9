// The Redis LockRegistry: mutexes on one Redis primary through an ioredis client the caller
// owns. Keys are `${keyPrefix}${key}`; each holds a holder's random token with a TTL that a
// watchdog renews. No fencing tokens and no consensus — see docs/lock-registry.md for what that
// does not guarantee. Counterpart: Spring Integration's RedisLockRegistry.
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '../../../framework/index.js';
import { LockRegistryClosedError, UnsupportedLockKindError } from '../errors.js';
import type { DistributedLock, LockKind, LockRegistry, ObtainOptions } from '../lock-registry.js';
import { mutexCommands, type MutexCommands } from './mutex-commands.js';
import { RedisMutex } from './redis-mutex.js';
import type { RedisHeldMutex } from './redis-held-mutex.js';

export interface RedisLockRegistryOptions {
  /** The connection to use; the registry defines two Lua commands on it and never closes it. */
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
  readonly kinds: ReadonlySet<LockKind> = new Set<LockKind>(['mutex']);
  readonly keyPrefix: string;
  readonly ttlMs: number;
  readonly renewEveryMs: number;
  private readonly commands: MutexCommands;
  private readonly closing = new AbortController();
  private readonly held = new Set<RedisHeldMutex>();
  private readonly pollMinMs: number;
  private readonly pollMaxMs: number;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(options: RedisLockRegistryOptions) {
    this.keyPrefix = options.keyPrefix ?? REDIS_LOCK_DEFAULTS.keyPrefix;
    this.ttlMs = positiveInteger('ttlMs', options.ttlMs ?? REDIS_LOCK_DEFAULTS.ttlMs);
    if (this.ttlMs < MIN_TTL_MS) throw new RangeError(`ttlMs must be at least ${MIN_TTL_MS}, got ${this.ttlMs}`);
    this.renewEveryMs = positiveInteger('renewEveryMs', options.renewEveryMs ?? Math.max(1, Math.floor(this.ttlMs / 3)));
    if (this.renewEveryMs >= this.ttlMs) throw new RangeError(`renewEveryMs (${this.renewEveryMs}) must be below ttlMs (${this.ttlMs})`);
    this.pollMinMs = positiveInteger('pollMinMs', options.pollMinMs ?? REDIS_LOCK_DEFAULTS.pollMinMs);
    this.pollMaxMs = positiveInteger('pollMaxMs', options.pollMaxMs ?? Math.max(this.pollMinMs, REDIS_LOCK_DEFAULTS.pollMaxMs));
    if (this.pollMaxMs < this.pollMinMs) throw new RangeError(`pollMaxMs (${this.pollMaxMs}) must be at least pollMinMs (${this.pollMinMs})`);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.commands = mutexCommands(options.client);
  }

  /** The Redis key that backs lock `key`. */
  redisKey(key: string): string {
    return `${this.keyPrefix}${key}`;
  }

  obtain(key: string, options: ObtainOptions = {}): DistributedLock {
    if (typeof key !== 'string' || key.length === 0) throw new TypeError('a lock key must be a non-empty string');
    const kind = options.kind ?? 'mutex';
    if (!this.kinds.has(kind)) throw new UnsupportedLockKindError(key, kind, this.backend);
    if (this.closing.signal.aborted) throw new LockRegistryClosedError(key, this.backend);
    return new RedisMutex(key, this.redisKey(key), {
      commands: this.commands,
      clock: this.clock,
      random: this.random,
      ttlMs: this.ttlMs,
      renewEveryMs: this.renewEveryMs,
      pollMinMs: this.pollMinMs,
      pollMaxMs: this.pollMaxMs,
      closing: this.closing.signal,
      onHeld: (held) => this.held.add(held),
      onEnd: (held) => this.held.delete(held),
    });
  }

  async close(): Promise<void> {
    this.closing.abort();
    const releases = [...this.held].map((held) => held.release());
    await Promise.allSettled(releases);
  }
}
