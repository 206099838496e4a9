// Client-local conditions that are not ZooKeeper error codes. Server answers and connection
// loss / session expiry are the typed KeeperErrors of protocol/ (NoNodeError,
// ConnectionLossError, SessionExpiredError, ...).

import { errorFromCode, KeeperError } from '../../protocol/index.js';

/** The client was closed; no request can be sent any more. */
export class ClientClosedError extends Error {
  override name = 'ClientClosedError';
  constructor(message = 'the ZooKeeper client is closed') {
    super(message);
  }
}

/** The typed KeeperError for a server code (a plain KeeperError for a code this version does not know). */
export function keeperError(code: number, path?: string): KeeperError {
  try {
    return errorFromCode(code, path);
  } catch {
    return new KeeperError(code, path);
  }
}
