// Cooperative revocation, as Curator's: a holder that made its lock revocable keeps a data watch
// on its own lock node; anyone may ask it to let go by writing "__REVOKE__" as that node's data
// (Revoker.attemptRevoke). The holder's listener is then called — it decides whether to release.
// A request that arrives while the contender still waits is delivered as soon as it holds.
// Counterpart: LockInternals' revocable watcher, RevocationSpec, Revoker.

import { EventType, NoNodeError, WatcherType, type Watcher, type ZooKeeperFramework } from '../../framework/index.js';

/** The data that asks a holder to release (Curator's LockInternals.REVOKE_MESSAGE). */
export const REVOKE_MESSAGE: Buffer = Buffer.from('__REVOKE__', 'utf8');

/**
 * Asks the holder of the lock node `nodePath` to release it, by setting its data to "__REVOKE__".
 * A node that is already gone is not an error. The holder only reacts if it made its lock revocable.
 */
export async function attemptRevoke(framework: ZooKeeperFramework, nodePath: string): Promise<void> {
  try {
    await framework.setData(nodePath, REVOKE_MESSAGE);
  } catch (e) {
    if (!(e instanceof NoNodeError)) throw e;
  }
}

/** The data watch a revocable contender keeps on its own node. */
export class RevocationWatch {
  private requested = false;
  private listener: (() => void) | undefined;
  private stopped = false;
  private readonly watcher: Watcher = (event) => {
    if (event.type === EventType.NodeDataChanged) void this.read();
  };

  constructor(
    private readonly framework: ZooKeeperFramework,
    private readonly nodePath: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Sets the watch (and reads the current data: a request may already be there). */
  async start(): Promise<void> {
    await this.readOnce();
  }

  /** From now on requests go to `listener` (one that already came is delivered at once). */
  deliverTo(listener: () => void): void {
    this.listener = listener;
    if (this.requested) this.fire();
  }

  /** Removes the watch (best effort). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.listener = undefined;
    this.framework.removeWatches(this.nodePath, WatcherType.Data, { watcher: this.watcher, local: true }).catch(() => undefined);
  }

  private async read(): Promise<void> {
    try {
      await this.readOnce();
    } catch (e) {
      if (!this.stopped) this.onError(e);
    }
  }

  private async readOnce(): Promise<void> {
    if (this.stopped) return;
    try {
      const { data } = await this.framework.getData(this.nodePath, { watch: this.watcher });
      if (data !== null && data.equals(REVOKE_MESSAGE)) {
        this.requested = true;
        this.fire();
      }
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
    }
  }

  private fire(): void {
    const listener = this.listener;
    if (this.stopped || listener === undefined) return;
    this.requested = false;
    queueMicrotask(() => {
      if (!this.stopped) listener();
    });
  }
}
