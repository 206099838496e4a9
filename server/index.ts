// The public face of zabkit/server: start a ZooKeeper-compatible server (e.g. inside tests).
export { startServer, ZooKeeperServer, type RunningServer } from './zookeeper-server.js';
export { defaultServerOptions, type ServerOptions } from './options.js';
