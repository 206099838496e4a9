// Where Debian's Apache ZooKeeper 3.8 lives (the `zookeeper` package's jars, run by its Java)
// and the check/installer for it: what the bench runs as the server to compare against, and what
// the tests' real-ZooKeeper helpers run too (test/support/debian-packages.ts builds on this).

import { existsSync } from 'node:fs';
import { ensureDebianPackages } from './apt-get.js';

/** The Debian package that provides the server (it depends on the jars and on a Java runtime). */
export const ZOOKEEPER_PACKAGES = ['zookeeper'] as const;

export const JAVA_PATH = '/usr/bin/java';
export const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
/** zookeeper.jar's manifest Class-Path pulls jute, netty, slf4j-api, ...; we add an slf4j binding. */
export const SLF4J_SIMPLE_JAR = '/usr/share/java/slf4j-simple.jar';
/** Java classpath for both the server (QuorumPeerMain) and the Java client (ZooKeeperMain). */
export const ZOOKEEPER_CLASSPATH = [ZOOKEEPER_JAR, SLF4J_SIMPLE_JAR].join(':');
/** Files the classpath really needs (the manifest also names jline.jar, which Debian lacks; harmless). */
export const ZOOKEEPER_REQUIRED_FILES: readonly string[] = [
  JAVA_PATH,
  ZOOKEEPER_JAR,
  SLF4J_SIMPLE_JAR,
  '/usr/share/java/slf4j-api.jar',
  '/usr/share/java/zookeeper-jute.jar',
  '/usr/share/java/netty-handler.jar',
];

/** The server's files that are absent; empty when Apache ZooKeeper can run. */
export function missingZookeeperFiles(): string[] {
  return ZOOKEEPER_REQUIRED_FILES.filter((path) => !existsSync(path));
}

/** Installs Debian's Apache ZooKeeper if it is missing (as root), or explains what to do. */
export function ensureDebianZookeeper(): Promise<void> {
  return ensureDebianPackages(ZOOKEEPER_PACKAGES, missingZookeeperFiles);
}
