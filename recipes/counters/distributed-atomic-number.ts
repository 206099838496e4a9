// DistributedAtomicLong and DistributedAtomicInteger: a DistributedAtomicValue holding a signed
// 64-bit (8 bytes) or 32-bit (4 bytes) big-endian integer — Curator's formats, so Java services
// using Curator's counters share the node. increment / decrement / add / subtract are optimistic
// compare-and-set rounds (then under the promotion lock, if configured): concurrent updates from
// any number of clients are never lost. A missing node counts as 0; the 64-bit value is a bigint
// (wrapping at 2^63 as Java's long does). Counterpart: Curator's DistributedAtomicLong,
// DistributedAtomicInteger (org.apache.curator.framework.recipes.atomic).

import type { RetryPolicy, ZooKeeperFramework } from '../../framework/index.js';
import { CorruptedValueError } from '../errors.js';
import type { AtomicValue, PromotedToLock } from './atomic-value.js';
import { DistributedAtomicValue } from './distributed-atomic-value.js';

/** A number format: its bytes, its zero, its arithmetic (wrapping as Java's). */
interface NumberCodec<T> {
  readonly one: T;
  toBytes(value: T): Buffer;
  /** null / empty bytes are zero (a node created without data), as in Curator. */
  fromBytes(path: string, bytes: Buffer | null): T;
  add(a: T, b: T): T;
  negate(a: T): T;
}

const LONG: NumberCodec<bigint> = {
  one: 1n,
  toBytes(value) {
    const bytes = Buffer.alloc(8);
    bytes.writeBigInt64BE(BigInt.asIntN(64, value));
    return bytes;
  },
  fromBytes(path, bytes) {
    if (bytes === null || bytes.length === 0) return 0n;
    if (bytes.length !== 8) throw new CorruptedValueError(path, bytes);
    return bytes.readBigInt64BE(0);
  },
  add: (a, b) => BigInt.asIntN(64, a + b),
  negate: (a) => BigInt.asIntN(64, -a),
};

const INTEGER: NumberCodec<number> = {
  one: 1,
  toBytes(value) {
    if (!Number.isInteger(value)) throw new RangeError(`an atomic integer holds integers, got ${value}`);
    const bytes = Buffer.alloc(4);
    bytes.writeInt32BE(value | 0);
    return bytes;
  },
  fromBytes(path, bytes) {
    if (bytes === null || bytes.length === 0) return 0;
    if (bytes.length !== 4) throw new CorruptedValueError(path, bytes);
    return bytes.readInt32BE(0);
  },
  add: (a, b) => (a + b) | 0,
  negate: (a) => -a | 0,
};

/** The shared part: every operation of Curator's DistributedAtomicNumber. */
class DistributedAtomicNumber<T> {
  protected readonly value: DistributedAtomicValue;

  protected constructor(
    framework: ZooKeeperFramework,
    path: string,
    retryPolicy: RetryPolicy,
    promotedToLock: PromotedToLock | undefined,
    private readonly codec: NumberCodec<T>,
  ) {
    this.value = new DistributedAtomicValue(framework, path, retryPolicy, promotedToLock);
  }

  get path(): string {
    return this.value.path;
  }

  /** The current value (0 if the node does not exist). */
  async get(): Promise<AtomicValue<T>> {
    return this.typed(await this.value.get());
  }

  /** Sets the value whatever it is. */
  forceSet(newValue: T): Promise<void> {
    return this.value.forceSet(this.codec.toBytes(newValue));
  }

  /** Sets `newValue` only if the value is `expectedValue` (one attempt). */
  async compareAndSet(expectedValue: T, newValue: T): Promise<AtomicValue<T>> {
    return this.typed(await this.value.compareAndSet(this.codec.toBytes(expectedValue), this.codec.toBytes(newValue)));
  }

  /** Sets `newValue` by optimistic rounds (then under the promotion lock). */
  async trySet(newValue: T): Promise<AtomicValue<T>> {
    return this.typed(await this.value.trySet(this.codec.toBytes(newValue)));
  }

  /** Creates the node with `value` if it does not exist; false if it already did. */
  initialize(value: T): Promise<boolean> {
    return this.value.initialize(this.codec.toBytes(value));
  }

  increment(): Promise<AtomicValue<T>> {
    return this.add(this.codec.one);
  }

  decrement(): Promise<AtomicValue<T>> {
    return this.add(this.codec.negate(this.codec.one));
  }

  subtract(delta: T): Promise<AtomicValue<T>> {
    return this.add(this.codec.negate(delta));
  }

  /** Adds `delta` (wrapping on overflow, as Java's arithmetic). */
  async add(delta: T): Promise<AtomicValue<T>> {
    const path = this.path;
    this.codec.toBytes(delta); // validates it
    const result = await this.value.trySetWith((previous) => this.codec.toBytes(this.codec.add(this.codec.fromBytes(path, previous), delta)));
    return this.typed(result);
  }

  private typed(bytes: AtomicValue<Buffer | null>): AtomicValue<T> {
    return {
      succeeded: bytes.succeeded,
      preValue: this.codec.fromBytes(this.path, bytes.preValue),
      postValue: this.codec.fromBytes(this.path, bytes.postValue),
      stats: bytes.stats,
    };
  }
}

/** A 64-bit signed counter (bigint) in Curator's DistributedAtomicLong format. */
export class DistributedAtomicLong extends DistributedAtomicNumber<bigint> {
  constructor(framework: ZooKeeperFramework, path: string, retryPolicy: RetryPolicy, promotedToLock?: PromotedToLock) {
    super(framework, path, retryPolicy, promotedToLock, LONG);
  }
}

/** A 32-bit signed counter (number) in Curator's DistributedAtomicInteger format. */
export class DistributedAtomicInteger extends DistributedAtomicNumber<number> {
  constructor(framework: ZooKeeperFramework, path: string, retryPolicy: RetryPolicy, promotedToLock?: PromotedToLock) {
    super(framework, path, retryPolicy, promotedToLock, INTEGER);
  }
}

/** Curator's bytes for a long / an int (for applications writing the node themselves). */
export const longToBytes = (value: bigint): Buffer => LONG.toBytes(value);
export const integerToBytes = (value: number): Buffer => INTEGER.toBytes(value);
