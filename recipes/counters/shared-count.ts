// SharedCount: a SharedValue holding a 32-bit signed integer in Curator's format (4 bytes, big
// endian), so Java services using Curator's SharedCount share it. `count$` emits each new count;
// trySetCount(previous, n) is the compare-and-set on the version `previous` was read at.
// It can be given to a semaphore as its SharedCountReader (maxLeases read from the count).
// Counterpart: org.apache.curator.framework.recipes.shared.SharedCount.

import { map, type Observable } from 'rxjs';
import type { ZooKeeperFramework } from '../../framework/index.js';
import { CorruptedValueError } from '../errors.js';
import { SharedValue, type SharedValueOptions } from './shared-value.js';
import { mapVersionedValue, type VersionedValue } from './versioned-value.js';

/** Curator's SharedCount bytes for `count` (an int32). */
export function countToBytes(count: number): Buffer {
  if (!Number.isInteger(count) || count < -0x80000000 || count > 0x7fffffff) {
    throw new RangeError(`a shared count is a 32-bit signed integer, got ${count}`);
  }
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(count);
  return bytes;
}

/** The count in SharedCount bytes (CorruptedValueError unless exactly 4 bytes). */
export function bytesToCount(path: string, bytes: Buffer): number {
  if (bytes.length !== 4) throw new CorruptedValueError(path, bytes);
  return bytes.readInt32BE(0);
}

export class SharedCount {
  private readonly shared: SharedValue;

  /** `seedValue`: the count the node is created with if it does not exist. */
  constructor(framework: ZooKeeperFramework, path: string, seedValue: number, options: SharedValueOptions = {}) {
    this.shared = new SharedValue(framework, path, countToBytes(seedValue), options);
  }

  get path(): string {
    return this.shared.path;
  }

  /** Creates the node with the seed if missing, reads it and starts following it. */
  start(): Promise<void> {
    return this.shared.start();
  }

  /** The count as last seen. */
  get count(): number {
    return bytesToCount(this.path, this.shared.value);
  }

  /** The count with the node's mzxid and version: pass it to trySetCount. */
  get versionedValue(): VersionedValue<number> {
    return mapVersionedValue(this.shared.versionedValue, (bytes) => bytesToCount(this.path, bytes));
  }

  /** Each newer count this instance learns of (not the current one); completes on close. */
  get count$(): Observable<number> {
    return this.shared.versionedValue$.pipe(map((v) => bytesToCount(this.path, v.value)));
  }

  /** Each newer count with its version; completes on close. */
  get versionedValue$(): Observable<VersionedValue<number>> {
    return this.shared.versionedValue$.pipe(map((v) => mapVersionedValue(v, (bytes) => bytesToCount(this.path, bytes))));
  }

  /** Sets the count whatever it was. */
  setCount(newCount: number): Promise<void> {
    return this.shared.setValue(countToBytes(newCount));
  }

  /** Sets the count only if the node has not changed since `previous` was read; false otherwise (and `count` is brought up to date). */
  trySetCount(previous: VersionedValue<number>, newCount: number): Promise<boolean> {
    return this.shared.trySetValue(mapVersionedValue(previous, countToBytes), countToBytes(newCount));
  }

  close(): Promise<void> {
    return this.shared.close();
  }
}
