// SharedValue: a value every process sees, kept in one node. start() creates the node with a seed
// value if it does not exist and reads it with a data watch; every change (whoever made it)
// re-reads it and re-arms the watch, as does every reconnect (a new session has no watches). The
// local copy only moves forward (by the node's mzxid), and each newer value is emitted on
// `value$`. setValue() writes unconditionally; trySetValue(previous, v) writes only if the node is
// still at the version `previous` was read at — a compare-and-set on the node version. A
// compare-and-set whose reply was lost and cannot be attributed afterwards rejects with
// WriteOutcomeUnknownError instead of being guessed (see cas-write.ts). Counterpart:
// org.apache.curator.framework.recipes.shared.SharedValue (same node, raw bytes).

import { Subject, type Observable, type Subscription } from 'rxjs';
import {
  ConnectionState, EventType, NodeExistsError, NoNodeError, WatcherType, type Watcher, type ZooKeeperFramework,
} from '../../framework/index.js';
import { IllegalTrySetVersionError } from '../errors.js';
import { validatePath } from '../internal/index.js';
import { casSetData } from './cas-write.js';
import type { VersionedValue } from './versioned-value.js';

export interface SharedValueOptions {
  /** Failures of background re-reads. Default: process.emitWarning. */
  readonly onError?: (error: unknown) => void;
}

type Lifecycle = 'latent' | 'started' | 'closed';

export class SharedValue {
  readonly path: string;
  private lifecycle: Lifecycle = 'latent';
  private current: VersionedValue<Buffer>;
  private readonly seed: Buffer;
  private readonly changes = new Subject<VersionedValue<Buffer>>();
  private states: Subscription | undefined;
  private readonly onError: (error: unknown) => void;
  private readonly watcher: Watcher = (event) => {
    if (this.lifecycle === 'started' && event.type !== EventType.None) void this.refresh();
  };

  constructor(
    private readonly framework: ZooKeeperFramework,
    path: string,
    seedValue: Buffer,
    options: SharedValueOptions = {},
  ) {
    this.path = validatePath(path);
    this.seed = Buffer.from(seedValue);
    this.current = { zxid: -1n, version: -1, value: Buffer.from(seedValue) };
    this.onError = options.onError ?? ((e) => process.emitWarning(`zabkit recipes: reading the shared value at ${path} failed: ${String(e)}`));
  }

  /** Creates the node with the seed value if it does not exist, then reads it and starts following it. */
  async start(): Promise<void> {
    if (this.lifecycle !== 'latent') throw new Error(`SharedValue ${this.path} cannot be started more than once`);
    this.lifecycle = 'started';
    this.states = this.framework.connectionState$.subscribe((s) => {
      if (s === ConnectionState.RECONNECTED) void this.refresh();
    });
    try {
      await this.framework.create(this.path, this.seed, { creatingParentContainersIfNeeded: true, compressed: false });
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
    }
    await this.read();
  }

  /** The value as last seen (the seed before start). A copy. */
  get value(): Buffer {
    return Buffer.from(this.current.value);
  }

  /** The value as last seen with the node's mzxid and version: pass it to trySetValue. */
  get versionedValue(): VersionedValue<Buffer> {
    return { ...this.current, value: Buffer.from(this.current.value) };
  }

  /** Each newer value this instance learns of (its own writes included); completes on close. Fast successive changes may be seen only as the last one. */
  get versionedValue$(): Observable<VersionedValue<Buffer>> {
    return this.changes.asObservable();
  }

  /** Sets the value whatever it was. */
  async setValue(newValue: Buffer): Promise<void> {
    this.checkStarted();
    const bytes = Buffer.from(newValue);
    const stat = await this.framework.setData(this.path, bytes, { compressed: false });
    this.update({ zxid: stat.mzxid, version: stat.version, value: bytes });
  }

  /**
   * Sets the value only if the node has not changed since `previous` was read (false otherwise,
   * and this instance's value is brought up to date). False at once, without a write, when this
   * instance already knows a newer value than `previous`. IllegalTrySetVersionError for version -1.
   */
  async trySetValue(previous: VersionedValue<Buffer>, newValue: Buffer): Promise<boolean> {
    this.checkStarted();
    const known = this.current;
    if (previous.zxid !== known.zxid || !previous.value.equals(known.value)) return false;
    if (previous.version === -1) throw new IllegalTrySetVersionError(this.path);
    const bytes = Buffer.from(newValue);
    const stat = await casSetData(this.framework, this.path, bytes, previous.version);
    if (stat !== undefined) {
      this.update({ zxid: stat.mzxid, version: stat.version, value: bytes });
      return true;
    }
    await this.read();
    return false;
  }

  /** Stops following the node (its watch is removed); versionedValue$ completes. */
  async close(): Promise<void> {
    if (this.lifecycle === 'closed') return;
    const wasStarted = this.lifecycle === 'started';
    this.lifecycle = 'closed';
    this.states?.unsubscribe();
    this.changes.complete();
    if (wasStarted && this.framework.lifecycle === 'started') {
      const removal = this.framework.removeWatches(this.path, WatcherType.Any, { watcher: this.watcher, local: true }).catch(() => undefined);
      if (this.framework.isConnected) await removal;
    }
  }

  private checkStarted(): void {
    if (this.lifecycle !== 'started') throw new Error(`SharedValue ${this.path} is ${this.lifecycle === 'latent' ? 'not started' : 'closed'}`);
  }

  /** Reads the node with the watch; a deleted node is watched for its return (the value stays the last one seen). */
  private async read(): Promise<void> {
    try {
      const { data, stat } = await this.framework.getData(this.path, { watch: this.watcher, compressed: false });
      this.update({ zxid: stat.mzxid, version: stat.version, value: data ?? Buffer.alloc(0) });
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
      const stat = await this.framework.exists(this.path, { watch: this.watcher });
      if (stat !== null) await this.read();
    }
  }

  private async refresh(): Promise<void> {
    if (this.lifecycle !== 'started') return;
    try {
      await this.read();
    } catch (e) {
      if (this.lifecycle === 'started') this.onError(e);
    }
  }

  private update(next: VersionedValue<Buffer>): void {
    if (next.zxid <= this.current.zxid) return;
    this.current = next;
    if (this.lifecycle === 'started') this.changes.next({ ...next, value: Buffer.from(next.value) });
  }
}
