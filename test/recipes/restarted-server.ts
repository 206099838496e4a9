// The setup the recipes' server-restart tests share: one durable zabkit TestingServer for the
// file (sessions and data survive its restarts) and frameworks patient enough to ride a restart
// out on the same session (100 retries, 100 ms apart), closed after each test.
import { afterAll, beforeAll } from 'vitest';
import { RetryNTimes, type ZooKeeperFramework } from '../../framework/index.js';
import { TestingServer } from '../../framework/testing/index.js';
import { useFrameworks } from '../framework/support/frameworks.js';

const PATIENT_FRAMEWORK = { retryPolicy: new RetryNTimes({ n: 100, sleepMsBetweenRetries: 100 }), connectionTimeoutMs: 5000 };

export interface RestartedServer {
  /** Restarts the server on the same port and data. */
  restart(): Promise<void>;
  /** A started framework on the server that retries through a restart. */
  openPatient(): Promise<ZooKeeperFramework>;
}

export function useRestartedServer(): RestartedServer {
  let server: TestingServer | undefined;
  const open = useFrameworks();
  beforeAll(async () => {
    server = await TestingServer.start({ tickTimeMs: 1000 });
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    restart: async () => {
      await server!.restart();
    },
    openPatient: () => open(server!.connectString, PATIENT_FRAMEWORK),
  };
}
