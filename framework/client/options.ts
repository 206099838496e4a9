// The client's settings and their defaults. Counterpart: the ZooKeeper constructor arguments and
// org.apache.zookeeper.client.ZKClientConfig.

import { DEFAULT_MAX_BUFFER } from '../../protocol/index.js';
import { systemClock, type Clock } from './clock.js';
import type { Watcher } from './events.js';

export interface ClientOptions {
  /** Requested session timeout; the server clamps it to [2, 20] x tickTime. Default 30000. */
  sessionTimeoutMs?: number;
  /** Time allowed per connection attempt until the ConnectResponse. Default session timeout / number of hosts. */
  connectTimeoutMs?: number;
  /** Accept read-only servers (ones cut off from their quorum). Default false. */
  canBeReadOnly?: boolean;
  /** Resume an existing session (with its password) instead of creating one. */
  sessionId?: bigint;
  sessionPassword?: Buffer;
  /** Credentials sent on connecting (and replayed on every reconnect), e.g. [{ scheme: 'digest', auth: 'user:pw' }]. */
  auth?: ReadonlyArray<{ scheme: string; auth: Buffer | string }>;
  /** Upper bound of the random pause before each reconnect attempt. Default 1000 (as the Java client). */
  reconnectDelayMs?: number;
  /** Extra pause once every host has been tried without success. Default 1000. */
  spinDelayMs?: number;
  /** How long close() waits for the server to confirm closeSession. Default 2000. */
  closeTimeoutMs?: number;
  /** jute.maxbuffer for replies. Default 0xfffff. */
  maxBufferBytes?: number;
  /** Time source and timers (tests). */
  clock?: Clock;
  /** Random source in [0, 1) for host shuffling and reconnect jitter (tests). */
  random?: () => number;
  /** Receives what a Watcher callback throws. Default: process.emitWarning. */
  onWatcherError?: (error: unknown, watcher: Watcher) => void;
}

export interface ResolvedClientOptions {
  readonly sessionTimeoutMs: number;
  readonly connectTimeoutMs: number | undefined;
  readonly canBeReadOnly: boolean;
  readonly sessionId: bigint | undefined;
  readonly sessionPassword: Buffer | undefined;
  readonly auth: ReadonlyArray<{ scheme: string; auth: Buffer }>;
  readonly reconnectDelayMs: number;
  readonly spinDelayMs: number;
  readonly closeTimeoutMs: number;
  readonly maxBufferBytes: number;
  readonly clock: Clock;
  readonly random: () => number;
  readonly onWatcherError: (error: unknown, watcher: Watcher) => void;
}

export const DEFAULT_SESSION_TIMEOUT_MS = 30_000;

export function resolveClientOptions(o: ClientOptions): ResolvedClientOptions {
  const sessionTimeoutMs = o.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
  if (!(sessionTimeoutMs > 0)) throw new RangeError(`sessionTimeoutMs must be > 0, got ${sessionTimeoutMs}`);
  if ((o.sessionId === undefined) !== (o.sessionPassword === undefined)) {
    throw new TypeError('sessionId and sessionPassword go together');
  }
  return {
    sessionTimeoutMs,
    connectTimeoutMs: o.connectTimeoutMs,
    canBeReadOnly: o.canBeReadOnly ?? false,
    sessionId: o.sessionId,
    sessionPassword: o.sessionPassword,
    auth: (o.auth ?? []).map((a) => ({ scheme: a.scheme, auth: typeof a.auth === 'string' ? Buffer.from(a.auth, 'utf8') : a.auth })),
    reconnectDelayMs: o.reconnectDelayMs ?? 1000,
    spinDelayMs: o.spinDelayMs ?? 1000,
    closeTimeoutMs: o.closeTimeoutMs ?? 2000,
    maxBufferBytes: o.maxBufferBytes ?? DEFAULT_MAX_BUFFER,
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
    onWatcherError: o.onWatcherError ?? ((e) => process.emitWarning(`zabkit: a ZooKeeper watcher threw: ${String(e)}`)),
  };
}
