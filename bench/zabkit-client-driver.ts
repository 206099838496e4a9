// Our client (framework/'s ZooKeeperClient) as a driver for the client comparison: one
// ZooKeeperClient per session, each request a promise as an application would await it.

import { ZooKeeperClient } from '../framework/index.js';
import { packageVersion } from '../cli/version.js';
import { errorCode, type ClientDriver, type ClientSession } from './client-driver.js';

const CONNECT_TIMEOUT_MS = 10_000;


export const zabkitClientDriver: ClientDriver = {
  library: 'zabkit',
  version: packageVersion(),
  async connect(connectString: string): Promise<ClientSession> {
    const client = await ZooKeeperClient.connect(connectString, { sessionTimeoutMs: 30_000 }, CONNECT_TIMEOUT_MS);
    return {
      getData(path, done) {
        client.getData(path).then(() => done(0), (err: unknown) => done(errorCode(err)));
      },
      setData(path, data, done) {
        client.setData(path, data).then(() => done(0), (err: unknown) => done(errorCode(err)));
      },
      close: () => client.close(),
    };
  },
};
