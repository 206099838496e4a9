// node-zookeeper-client (npm, 1.1.x) as a driver for the client comparison: one client per
// session, its callback API called directly, so none of our code sits between it and the socket.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import zookeeper from 'node-zookeeper-client';
import { errorCode, type ClientDriver, type ClientSession } from './client-driver.js';

const CONNECT_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 5_000;

function libraryVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    const pkg = JSON.parse(readFileSync(require.resolve('node-zookeeper-client/package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function connected(raw: zookeeper.Client, connectString: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node-zookeeper-client: not connected to ${connectString} within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    const settle = (err?: Error): void => {
      clearTimeout(timer);
      if (err === undefined) resolve();
      else reject(err);
    };
    raw.once('connected', () => settle());
    raw.once('expired', () => settle(new Error('node-zookeeper-client: session expired while connecting')));
    raw.once('authenticationFailed', () => settle(new Error('node-zookeeper-client: authentication failed')));
  });
}

/** Resolves once the client reports its connection gone (DISCONNECTED or CLOSED), at most CLOSE_TIMEOUT_MS. */
function closed(raw: zookeeper.Client): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
    raw.on('state', (s) => {
      if (s.getName() === 'DISCONNECTED' || s.getName() === 'CLOSED') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

export const nzcClientDriver: ClientDriver = {
  library: 'node-zookeeper-client',
  version: libraryVersion(),
  async connect(connectString: string): Promise<ClientSession> {
    // retries: 0 so that a failed request is reported, not silently retried
    const raw = zookeeper.createClient(connectString, { sessionTimeout: 30_000, spinDelay: 200, retries: 0 });
    const ready = connected(raw, connectString);
    raw.connect();
    try {
      await ready;
    } catch (err) {
      raw.close();
      throw err;
    }
    return {
      getData(path, done) {
        raw.getData(path, undefined, (err) => done(err === null ? 0 : errorCode(err)));
      },
      setData(path, data, done) {
        raw.setData(path, data, -1, (err) => done(err === null ? 0 : errorCode(err)));
      },
      async close() {
        const gone = closed(raw);
        raw.close();
        await gone;
      },
    };
  },
};
