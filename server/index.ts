// The public face of zabkit/server: start a ZooKeeper-compatible server (e.g. inside tests) —
// standalone with startServer, or one member of an ensemble with startQuorumPeer.
export { startServer, ZooKeeperServer, type RunningServer } from './zookeeper-server.js';
export {
  defaultServerOptions, type PeerRole, type QuorumServerSpec, type QuorumSettings, type ServerOptions,
} from './options.js';
export { startQuorumPeer, type PeerMode, type QuorumPeerOptions, type RunningQuorumPeer } from './quorum/start-quorum-peer.js';
export { ConfigError } from './config/config-error.js';
