// Locations of the Debian-packaged real ZooKeeper software (zookeeper, zookeeper-bin,
// python3-kazoo) and the check/installer that makes sure they are present. Other helpers
// import the resolved paths from here; nothing else hard-codes /usr/... paths.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, tail } from './processes.js';

export const DEBIAN_PACKAGES = ['zookeeper', 'zookeeper-bin', 'python3-kazoo', 'libcurator-recipes-java', 'default-jdk-headless', 'redis-server'] as const;

export const JAVA_PATH = '/usr/bin/java';
export const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
/** zookeeper.jar's manifest Class-Path pulls jute, netty, slf4j-api, ...; we add an slf4j binding. */
export const SLF4J_SIMPLE_JAR = '/usr/share/java/slf4j-simple.jar';
/** Java classpath for both the server (QuorumPeerMain) and the Java client (ZooKeeperMain). */
export const ZOOKEEPER_CLASSPATH = [ZOOKEEPER_JAR, SLF4J_SIMPLE_JAR].join(':');
/** Jars the classpath really needs (the manifest also names jline.jar, which Debian lacks; harmless). */
const REQUIRED_JARS = [
  ZOOKEEPER_JAR,
  SLF4J_SIMPLE_JAR,
  '/usr/share/java/slf4j-api.jar',
  '/usr/share/java/zookeeper-jute.jar',
  '/usr/share/java/netty-handler.jar',
];

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
  const missing: string[] = [];
  for (const path of [JAVA_PATH, ...REQUIRED_JARS, ZKCLI_PATH, ...CURATOR_JARS, GUAVA_JAR, JACKSON_DATABIND_JAR, JAVAC_PATH, REDIS_SERVER_PATH]) {
    if (!existsSync(path)) missing.push(path);
  }
  if (!existsSync(CLI_ST_PATH) && !existsSync(CLI_MT_PATH)) missing.push(`${CLI_ST_PATH} (or cli_mt)`);
  const probe = spawnSync(PYTHON_PATH, ['-c', 'import kazoo'], { stdio: 'ignore', timeout: 20_000 });
  if (probe.status !== 0) missing.push(`${PYTHON_PATH} -c 'import kazoo'`);
  return missing;
}

async function aptGet(args: string[], log: string): Promise<void> {
  // Shell only for the redirection into the log file; args are fixed strings.
  const cmd = `apt-get ${args.join(' ')} >>'${log}' 2>&1`;
  const result = await runProcess('/bin/sh', ['-c', cmd], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeoutMs: 20 * 60_000,
    label: `apt-get ${args[0] ?? ''}`,
  });
  if (result.code !== 0) {
    const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
    throw new Error(`apt-get ${args.join(' ')} failed (exit ${result.code}); log ${log}:\n${tail(text)}`);
  }
}

/** Installs the Debian packages if anything is missing (as root), or explains what to do. */
export async function ensureDebianPackages(): Promise<void> {
  const missing = missingDebianPieces();
  if (missing.length === 0) return;
  const install = `apt-get update && apt-get install -y ${DEBIAN_PACKAGES.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new Error(`Real ZooKeeper software is missing (${missing.join(', ')}).\nAs root, run: ${install}`);
  }
  const log = join(mkdtempSync(join(tmpdir(), 'zabkit-apt-')), 'apt.log');
  await aptGet(['update', '-q'], log);
  await aptGet(['install', '-y', '-q', ...DEBIAN_PACKAGES], log);
  const still = missingDebianPieces();
  if (still.length > 0) throw new Error(`Still missing after "${install}": ${still.join(', ')} (log ${log})`);
}
