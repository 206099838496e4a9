// Waits until a ZooKeeperClient is connected, for at most `timeoutMs` of the framework's clock:
// the wait each operation attempt makes before it is sent. A timeout is a ConnectionLossError, an
// expired session a SessionExpiredError (both retryable), a closed client a ClientClosedError.
// Counterpart: CuratorZookeeperClient.internalBlockUntilConnectedOrTimedOut.

import { AuthFailedError, ConnectionLossError, KeeperState, SessionExpiredError } from '../../protocol/index.js';
import type { Subscription } from 'rxjs';
import type { Clock } from '../client/clock.js';
import { ClientClosedError } from '../client/errors.js';
import type { ZooKeeperClient } from '../client/zookeeper-client.js';

export function waitForConnection(client: ZooKeeperClient, timeoutMs: number, clock: Clock, signal: AbortSignal): Promise<void> {
  if (client.isConnected) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let done = false;
    let sub: Subscription | undefined;
    const finish = (error?: unknown): void => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      sub?.unsubscribe();
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = (): void => finish(signal.reason);
    const timer = clock.setTimeout(
      () => finish(new ConnectionLossError(undefined, { cause: new Error(`not connected within ${timeoutMs} ms`) })),
      timeoutMs,
    );
    signal.addEventListener('abort', onAbort, { once: true });
    sub = client.state$.subscribe({
      next: (e) => {
        if (e.state === KeeperState.SyncConnected || e.state === KeeperState.ConnectedReadOnly) finish();
        else if (e.state === KeeperState.Expired) finish(new SessionExpiredError());
        else if (e.state === KeeperState.AuthFailed) finish(new AuthFailedError());
        else if (e.state === KeeperState.Closed) finish(new ClientClosedError());
      },
      complete: () => finish(new ClientClosedError()),
    });
    if (done) sub.unsubscribe();
    if (signal.aborted) onAbort();
  });
}
