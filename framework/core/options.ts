// The framework's settings and their defaults (Curator's CuratorFrameworkFactory.Builder).

import type { Clock } from '../client/clock.js';
import { systemClock } from '../client/clock.js';
import type { Data } from '../client/multi-ops.js';
import { toBuffer } from '../client/multi-ops.js';
import type { ClientOptions } from '../client/options.js';
import { ExponentialBackoffRetry } from '../retry/exponential-backoff-retry.js';
import type { RetryPolicy } from '../retry/retry-policy.js';
import { clockSleeper, type Sleeper } from '../retry/sleeper.js';
import { StandardConnectionStateErrorPolicy, type ConnectionStateErrorPolicy } from '../state/error-policy.js';
import { DefaultAclProvider, type AclProvider } from './acl-provider.js';
import { GzipCompressionProvider, type CompressionProvider } from './compression.js';

/** Settings of the underlying ZooKeeperClient the framework does not decide itself. */
export type ClientTuning = Omit<ClientOptions, 'sessionTimeoutMs' | 'canBeReadOnly' | 'auth' | 'sessionId' | 'sessionPassword'>;

export interface FrameworkOptions {
  /** "host:port,host:port[/chroot]". */
  connectString: string;
  /** Every path is relative to "/<namespace>" (created on first use). Default: none. */
  namespace?: string;
  /** Requested session timeout (the server clamps it). Default 60000, as Curator. */
  sessionTimeoutMs?: number;
  /** How long each attempt of an operation waits for a connection before failing with ConnectionLossError (then retried). Default 15000. */
  connectionTimeoutMs?: number;
  /** Default ExponentialBackoffRetry({ baseSleepTimeMs: 1000, maxRetries: 3 }). */
  retryPolicy?: RetryPolicy;
  /** Credentials added to every session, e.g. [{ scheme: 'digest', auth: 'user:secret' }]. */
  authorization?: ReadonlyArray<{ scheme: string; auth: Buffer | string }>;
  /** Accept read-only servers (READ_ONLY state). Default false. */
  canBeReadOnly?: boolean;
  /** ACLs for created nodes when an op gives none. Default: OPEN_ACL_UNSAFE everywhere. */
  aclProvider?: AclProvider;
  /** Used by ops with `compressed: true`. Default gzip. */
  compressionProvider?: CompressionProvider;
  /** Compress every write and decompress every read unless the op says `compressed: false`. Default false. */
  compressionEnabled?: boolean;
  /** Which states recipes treat as errors. Default: standard (SUSPENDED and LOST). */
  connectionStateErrorPolicy?: ConnectionStateErrorPolicy;
  /** Percent of the session timeout after which a SUSPENDED connection is reported LOST; 0 = only when the server says so. Default 100. */
  simulatedSessionExpirationPercent?: number;
  /** Data for creates that give none. Default: empty (Curator uses the local IP address). */
  defaultData?: Data;
  /** Time source and timers of the framework (retry elapsed time, simulated expiry, connection waits). Default: system. */
  clock?: Clock;
  /** How retries pause. Default: timers of `clock`. */
  sleep?: Sleeper;
  /** Settings passed to the underlying ZooKeeperClient (reconnect pacing, timers, ...). */
  client?: ClientTuning;
  /** Receives failures of background work (namespace creation, guaranteed deletes). Default: process.emitWarning. */
  onBackgroundError?: (error: unknown, what: string) => void;
}

export interface ResolvedFrameworkOptions {
  readonly connectString: string;
  readonly namespace: string | undefined;
  readonly sessionTimeoutMs: number;
  readonly connectionTimeoutMs: number;
  readonly retryPolicy: RetryPolicy;
  readonly authorization: ReadonlyArray<{ scheme: string; auth: Buffer | string }>;
  readonly canBeReadOnly: boolean;
  readonly aclProvider: AclProvider;
  readonly compressionProvider: CompressionProvider;
  readonly compressionEnabled: boolean;
  readonly connectionStateErrorPolicy: ConnectionStateErrorPolicy;
  readonly simulatedSessionExpirationPercent: number;
  readonly defaultData: Buffer;
  readonly clock: Clock;
  readonly sleep: Sleeper;
  readonly client: ClientTuning;
  readonly onBackgroundError: (error: unknown, what: string) => void;
}

export const DEFAULT_FRAMEWORK_SESSION_TIMEOUT_MS = 60_000;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 15_000;

export function resolveFrameworkOptions(o: FrameworkOptions): ResolvedFrameworkOptions {
  if (typeof o.connectString !== 'string' || o.connectString === '') throw new TypeError('connectString is required');
  const positive = (name: string, v: number): number => {
    if (!(v > 0)) throw new RangeError(`${name} must be > 0, got ${v}`);
    return v;
  };
  const percent = o.simulatedSessionExpirationPercent ?? 100;
  if (!(percent >= 0 && percent <= 100)) throw new RangeError(`simulatedSessionExpirationPercent must be within 0-100, got ${percent}`);
  const clock = o.clock ?? systemClock;
  return {
    connectString: o.connectString,
    namespace: o.namespace,
    sessionTimeoutMs: positive('sessionTimeoutMs', o.sessionTimeoutMs ?? DEFAULT_FRAMEWORK_SESSION_TIMEOUT_MS),
    connectionTimeoutMs: positive('connectionTimeoutMs', o.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS),
    retryPolicy: o.retryPolicy ?? new ExponentialBackoffRetry({ baseSleepTimeMs: 1000, maxRetries: 3 }),
    authorization: o.authorization ?? [],
    canBeReadOnly: o.canBeReadOnly ?? false,
    aclProvider: o.aclProvider ?? new DefaultAclProvider(),
    compressionProvider: o.compressionProvider ?? new GzipCompressionProvider(),
    compressionEnabled: o.compressionEnabled ?? false,
    connectionStateErrorPolicy: o.connectionStateErrorPolicy ?? new StandardConnectionStateErrorPolicy(),
    simulatedSessionExpirationPercent: percent,
    defaultData: toBuffer(o.defaultData ?? null) ?? Buffer.alloc(0),
    clock,
    sleep: o.sleep ?? clockSleeper(clock),
    client: o.client ?? {},
    onBackgroundError: o.onBackgroundError ?? ((e, what) => process.emitWarning(`zabkit framework: ${what} failed: ${String(e)}`)),
  };
}
