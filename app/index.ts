// zabkit/app: the application layer over framework/ and recipes/ — the LockRegistry (ZooKeeper
// and Redis backends), method decorators that take locks and leadership, and observable config.
export * from './locks/index.js';
