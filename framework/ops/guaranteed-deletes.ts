// Deletes that must happen eventually: each is retried in the background (with the retry policy,
// waiting for connections, across new sessions) until the node is gone, a non-retryable error
// ends it (reported), or the framework closes. Paths are ZooKeeper paths (namespace included).
// Counterpart: org.apache.curator.framework.imps.FailedDeleteManager / FailedOperationManager.

import { NoNodeError } from '../../protocol/index.js';
import type { FrameworkCore } from '../core/framework-core.js';
import { policyAllowsRetryOn } from '../retry/retry-policy.js';
import { deleteOnce, type DeleteAttempt } from './delete.js';

export class GuaranteedDeletes {
  private readonly pending = new Map<string, DeleteAttempt>();
  private closed = false;

  constructor(private readonly core: FrameworkCore) {}

  /** ZooKeeper paths whose delete is still being retried. */
  get paths(): string[] {
    return [...this.pending.keys()];
  }

  /** Starts retrying the delete of `serverPath` in the background (once per path). */
  add(serverPath: string, attempt: DeleteAttempt): void {
    if (this.closed || this.core.lifecycle !== 'started' || this.pending.has(serverPath)) return;
    this.pending.set(serverPath, { ...attempt, quietly: true });
    void this.run(serverPath);
  }

  close(): void {
    this.closed = true;
    this.pending.clear();
  }

  private async run(serverPath: string): Promise<void> {
    const core = this.core;
    while (!this.closed) {
      const attempt = this.pending.get(serverPath);
      if (!attempt) return;
      try {
        await core.withRetry((client) => deleteOnce(client, serverPath, attempt));
        this.pending.delete(serverPath);
        return;
      } catch (e) {
        if (this.closed) return;
        if (e instanceof NoNodeError) {
          this.pending.delete(serverPath);
          return;
        }
        if (!policyAllowsRetryOn(core.options.retryPolicy, e)) {
          this.pending.delete(serverPath);
          core.reportBackgroundError(e, `guaranteed delete of ${serverPath}`);
          return;
        }
        // Retries exhausted on a connection problem: wait for a connection, pause, and start over.
        if (!(await core.states.blockUntilConnected())) return;
        const pause = core.options.retryPolicy.allowRetry(0, 0);
        try {
          await core.options.sleep(pause === false ? core.options.connectionTimeoutMs : pause, core.closeSignal);
        } catch {
          return;
        }
      }
    }
  }
}
