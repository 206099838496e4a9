// zabkit/app: the application layer over framework/ and recipes/ — the LockRegistry (ZooKeeper
// and Redis backends), decorators that run methods under a lock or only on the leader,
// observable config, and registerCoordination to wire them into a tsyringe container.
export * from './locks/index.js';
export * from './config/index.js';
export * from './decorators/index.js';
export * from './di/index.js';
