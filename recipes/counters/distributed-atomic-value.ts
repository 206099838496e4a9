// DistributedAtomicValue: an atomic byte value in one node, changed by optimistic
// compare-and-set: read the node (data + version), compute the new value, setData against that
// version (or create the node if it is missing); if someone else wrote in between, try again as
// the retry policy allows. Optionally, when the optimistic rounds give up, take an
// InterProcessMutex ("promotion") and try again under it. Every write is checked against the
// version it was computed from, so no update is ever lost — the mutex only stops promoted
// writers from colliding. Counterpart: org.apache.curator.framework.recipes.atomic.DistributedAtomicValue.

import { NodeExistsError, NoNodeError, type RetryPolicy, type ZooKeeperFramework } from '../../framework/index.js';
import { LockTimeoutError } from '../errors.js';
import { validatePath } from '../internal/index.js';
import { InterProcessMutex } from '../locks/index.js';
import { StatsRecorder, type AtomicValue, type PromotedToLock } from './atomic-value.js';
import { casCreate, casSetData } from './cas-write.js';

/** Computes the new bytes from the current ones (null: the node does not exist yet). */
export type MakeValue = (previous: Buffer | null) => Buffer;

export class DistributedAtomicValue {
  readonly path: string;
  private readonly mutex: InterProcessMutex | undefined;

  constructor(
    private readonly framework: ZooKeeperFramework,
    path: string,
    /** How many optimistic rounds, and the pauses between them. */
    private readonly retryPolicy: RetryPolicy,
    private readonly promotedToLock?: PromotedToLock,
  ) {
    this.path = validatePath(path);
    this.mutex = promotedToLock ? new InterProcessMutex(framework, validatePath(promotedToLock.lockPath)) : undefined;
  }

  /** The current value (null if the node does not exist); always succeeds. */
  async get(): Promise<AtomicValue<Buffer | null>> {
    const { value } = await this.read();
    return { succeeded: true, preValue: value, postValue: value, stats: new StatsRecorder().snapshot() };
  }

  /** Sets the value whatever it is, creating the node if needed. */
  async forceSet(newValue: Buffer): Promise<void> {
    const bytes = Buffer.from(newValue);
    for (;;) {
      try {
        await this.framework.setData(this.path, bytes, { compressed: false });
        return;
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
      }
      if (await casCreate(this.framework, this.path, bytes)) return;
    }
  }

  /** Sets `newValue` only if the current value equals `expectedValue`; one attempt, no retries, no promotion. */
  async compareAndSet(expectedValue: Buffer, newValue: Buffer): Promise<AtomicValue<Buffer | null>> {
    const stats = new StatsRecorder();
    const { value, version } = await this.read();
    let succeeded = false;
    if (value !== null && value.equals(expectedValue)) {
      try {
        succeeded = (await casSetData(this.framework, this.path, Buffer.from(newValue), version)) !== undefined;
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
      }
    }
    return { succeeded, preValue: value, postValue: succeeded ? Buffer.from(newValue) : null, stats: stats.snapshot() };
  }

  /** Sets `newValue` by optimistic rounds (then under the promotion lock, if configured). */
  trySet(newValue: Buffer): Promise<AtomicValue<Buffer | null>> {
    const bytes = Buffer.from(newValue);
    return this.trySetWith(() => bytes);
  }

  /** Creates the node with `value` if it does not exist; false if it already did. */
  initialize(value: Buffer): Promise<boolean> {
    return casCreate(this.framework, this.path, Buffer.from(value));
  }

  /** The general update: `makeValue` computes the new bytes from the current ones, as often as a round needs. */
  async trySetWith(makeValue: MakeValue): Promise<AtomicValue<Buffer | null>> {
    const stats = new StatsRecorder();
    const state: RoundState = { preValue: null, postValue: null };
    let succeeded = await this.optimistic(state, makeValue, stats);
    if (!succeeded && this.mutex) succeeded = await this.promoted(this.mutex, state, makeValue, stats);
    return { succeeded, preValue: state.preValue, postValue: succeeded ? state.postValue : null, stats: stats.snapshot() };
  }

  private async optimistic(state: RoundState, makeValue: MakeValue, stats: StatsRecorder): Promise<boolean> {
    const started = performance.now();
    try {
      return await this.rounds(this.retryPolicy, started, state, makeValue, () => stats.optimisticTries++);
    } finally {
      stats.optimisticTimeMs = performance.now() - started;
    }
  }

  private async promoted(mutex: InterProcessMutex, state: RoundState, makeValue: MakeValue, stats: StatsRecorder): Promise<boolean> {
    const started = performance.now();
    const promotion = this.promotedToLock!;
    try {
      let lease;
      try {
        lease = await mutex.acquire(promotion.timeoutMs !== undefined ? { timeoutMs: promotion.timeoutMs } : {});
      } catch (e) {
        if (e instanceof LockTimeoutError) return false;
        throw e;
      }
      try {
        const policy = promotion.retryPolicy ?? ONE_ROUND;
        return await this.rounds(policy, started, state, makeValue, () => stats.promotedLockTries++);
      } finally {
        await lease.release();
      }
    } finally {
      stats.promotedTimeMs = performance.now() - started;
    }
  }

  /** Compare-and-set rounds until one succeeds or `policy` gives up. */
  private async rounds(policy: RetryPolicy, started: number, state: RoundState, makeValue: MakeValue, count: () => void): Promise<boolean> {
    for (let retryCount = 0; ; retryCount++) {
      count();
      if (await this.tryOnce(state, makeValue)) return true;
      const pause = policy.allowRetry(retryCount, performance.now() - started);
      if (pause === false) return false;
      if (pause > 0) await new Promise<void>((resolve) => setTimeout(resolve, pause));
    }
  }

  /** One round: read, compute, write against the version read. */
  private async tryOnce(state: RoundState, makeValue: MakeValue): Promise<boolean> {
    const { value, version, exists } = await this.read();
    state.preValue = value;
    const next = Buffer.from(makeValue(value));
    try {
      const written = exists
        ? (await casSetData(this.framework, this.path, next, version)) !== undefined
        : await casCreate(this.framework, this.path, next);
      if (written) state.postValue = next;
      return written;
    } catch (e) {
      if (e instanceof NoNodeError || e instanceof NodeExistsError) return false;
      throw e;
    }
  }

  private async read(): Promise<{ value: Buffer | null; version: number; exists: boolean }> {
    try {
      const { data, stat } = await this.framework.getData(this.path, { compressed: false });
      return { value: data ?? Buffer.alloc(0), version: stat.version, exists: true };
    } catch (e) {
      if (e instanceof NoNodeError) return { value: null, version: -1, exists: false };
      throw e;
    }
  }
}

interface RoundState {
  preValue: Buffer | null;
  postValue: Buffer | null;
}

/** Curator's default promotion policy, RetryNTimes(0, 0): one round under the lock. */
const ONE_ROUND: RetryPolicy = { allowRetry: () => false };
