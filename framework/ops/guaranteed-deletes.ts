// Deletes that must happen eventually: a guaranteed delete's first, foreground attempt (the
// caller's retry loop) and, if that fails for a connection reason, its retries in the background
// (with the retry policy, waiting for connections, across new sessions) until the node is gone, a
// non-retryable error ends it (reported), or the framework closes. `paths` lists every guaranteed
// delete not yet done, from its first attempt on — so "nothing pending" means every node handed
// to a guaranteed delete is really gone. Paths are ZooKeeper paths (namespace included).
// Counterpart: org.apache.curator.framework.imps.FailedDeleteManager / FailedOperationManager.

import { NoNodeError } from '../../protocol/index.js';
import type { FrameworkCore } from '../core/framework-core.js';
import { policyAllowsRetryOn } from '../retry/retry-policy.js';
import { deleteOnce, type DeleteAttempt } from './delete.js';

export class GuaranteedDeletes {
  private readonly pending = new Map<string, DeleteAttempt>();
  /** Foreground first attempts running, per path. */
  private readonly foreground = new Map<string, number>();
  private closed = false;

  constructor(private readonly core: FrameworkCore) {}

  /** ZooKeeper paths of guaranteed deletes not yet done (first attempt running, or retried in the background). */
  get paths(): string[] {
    return [...new Set([...this.foreground.keys(), ...this.pending.keys()])];
  }

  /**
   * Runs the first attempt of a guaranteed delete (`firstAttempt`, the caller's retry loop), the
   * path listed meanwhile. If it fails for a connection reason, the background retries take over
   * before the path leaves the list; the error is rethrown either way.
   */
  async runFirstAttempt(serverPath: string, attempt: DeleteAttempt, firstAttempt: () => Promise<void>): Promise<void> {
    this.foreground.set(serverPath, (this.foreground.get(serverPath) ?? 0) + 1);
    try {
      await firstAttempt();
    } catch (e) {
      if (policyAllowsRetryOn(this.core.options.retryPolicy, e)) this.add(serverPath, attempt);
      throw e;
    } finally {
      const running = (this.foreground.get(serverPath) ?? 1) - 1;
      if (running > 0) this.foreground.set(serverPath, running);
      else this.foreground.delete(serverPath);
    }
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
    this.foreground.clear();
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
