// zabkit/testing: servers and faults for an application's own tests, on zabkit's bundled server.
// Counterpart: Curator's curator-test (TestingServer, TestingCluster, KillSession).
export { TestingServer, type TestingServerOptions } from './testing-server.js';
export {
  killSession, killSessionAndWait, waitForSessionExpired,
  type SessionCredentials, type SessionStateSource, type KillSessionOptions,
} from './session-killer.js';
export { TestingCluster, type TestingClusterOptions, type TestingClusterMember } from './testing-cluster.js';
