// zabkit/framework: the ZooKeeper client and the Curator-style framework. Not written yet —
// the client is the next issue; this entry point exists so the package's subpath is stable.
export {};
