// Locations of the Debian-packaged real ZooKeeper software (zookeeper, zookeeper-bin,
// python3-kazoo, Curator, a JDK, redis-server) and the check/installer that makes sure they are
// present. Other helpers import the resolved paths from here; nothing else hard-codes /usr/...
// paths. The server's own paths and the apt-get installer live in bench/ (the bench runs Apache
// ZooKeeper too, and does not reach into test/); this adds what only the tests need.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureDebianPackages as installMissing } from '../../bench/apt-get.js';
import { missingZookeeperFiles } from '../../bench/debian-zookeeper.js';

export { JAVA_PATH, SLF4J_SIMPLE_JAR, ZOOKEEPER_CLASSPATH, ZOOKEEPER_JAR } from '../../bench/debian-zookeeper.js';

export const DEBIAN_PACKAGES = ['zookeeper', 'zookeeper-bin', 'python3-kazoo', 'libcurator-recipes-java', 'default-jdk-headless', 'redis-server'] as const;

/** Apache Curator 5.4 (libcurator-recipes-java pulls framework and client): the Java side of recipe interop. */
export const CURATOR_JARS = [
  '/usr/share/java/curator-recipes.jar',
  '/usr/share/java/curator-framework.jar',
  '/usr/share/java/curator-client.jar',
] as const;
/** Guava (Debian's libguava-java, a dependency of libcurator-*-java): Curator needs it at runtime. */
export const GUAVA_JAR = '/usr/share/java/guava.jar';
/** Jackson (libjackson2-databind-java, a dependency of libcurator-framework-java): the Curator test agent's JSON. */
export const JACKSON_DATABIND_JAR = '/usr/share/java/jackson-databind.jar';
/** javac (default-jdk-headless) compiles the Curator test agent. */
export const JAVAC_PATH = '/usr/bin/javac';
/** Debian's redis-server (the Redis LockRegistry's integration tests). */
export const REDIS_SERVER_PATH = '/usr/bin/redis-server';

/** Debian's zkCli.sh (Java client CLI, ZooKeeperMain). */
export const ZKCLI_PATH = '/usr/share/zookeeper/bin/zkCli.sh';
/** Upstream's single-threaded C CLI; bookworm's zookeeper-bin does not ship it. */
export const CLI_ST_PATH = '/usr/lib/zookeeper/bin/cli_st';
/** The multi-threaded build of the same C CLI (same commands), which bookworm does ship. */
export const CLI_MT_PATH = '/usr/lib/zookeeper/bin/cli_mt';
/** The C CLI to use: cli_st when present, else cli_mt. */
export const C_CLI_PATH = existsSync(CLI_ST_PATH) ? CLI_ST_PATH : CLI_MT_PATH;
/** kazoo's interpreter (NOT whatever python3 is first on PATH). */
export const PYTHON_PATH = '/usr/bin/python3';

/** Human-readable list of what is missing; empty when everything is installed. */
export function missingDebianPieces(): string[] {
  const missing = missingZookeeperFiles();
  for (const path of [ZKCLI_PATH, ...CURATOR_JARS, GUAVA_JAR, JACKSON_DATABIND_JAR, JAVAC_PATH, REDIS_SERVER_PATH]) {
    if (!existsSync(path)) missing.push(path);
  }
  if (!existsSync(CLI_ST_PATH) && !existsSync(CLI_MT_PATH)) missing.push(`${CLI_ST_PATH} (or cli_mt)`);
  const probe = spawnSync(PYTHON_PATH, ['-c', 'import kazoo'], { stdio: 'ignore', timeout: 20_000 });
  if (probe.status !== 0) missing.push(`${PYTHON_PATH} -c 'import kazoo'`);
  return missing;
}

/** Installs the Debian packages if anything is missing (as root), or explains what to do. */
export function ensureDebianPackages(): Promise<void> {
  return installMissing(DEBIAN_PACKAGES, missingDebianPieces);
}
