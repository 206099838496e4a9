// Which failed reads a cache shrugs off: those caused by the connection or session going away.
// The reconnection (or new session) that follows makes the cache read everything again; any
// other error (NoAuth, ...) is reported. Counterpart: Curator's caches ignoring
// ConnectionLoss/SessionExpired in their background callbacks.

import { ConnectionLossError, OperationTimeoutError, RequestTimeoutError, SessionExpiredError, SessionMovedError } from '../../protocol/index.js';
import { ClientClosedError } from '../client/errors.js';

export function isConnectionProblem(error: unknown): boolean {
  return (
    error instanceof ConnectionLossError ||
    error instanceof SessionExpiredError ||
    error instanceof SessionMovedError ||
    error instanceof OperationTimeoutError ||
    error instanceof RequestTimeoutError ||
    error instanceof ClientClosedError
  );
}
