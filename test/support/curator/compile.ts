// Compiles the Curator test agent (the *.java files beside this one) with Debian's javac, once
// per source version: classes live in a cache directory named by a hash of the sources and the
// classpath. Several vitest workers may start at once, so each compiles into its own temp
// directory and renames it into place; whoever loses the race uses the winner's classes.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CURATOR_JARS,
  GUAVA_JAR,
  JACKSON_DATABIND_JAR,
  JAVAC_PATH,
  SLF4J_SIMPLE_JAR,
  ZOOKEEPER_JAR,
} from '../debian-packages.js';
import { forgetTempDir, removeOnExit, runProcess, tail } from '../processes.js';

const SOURCE_DIR = fileURLToPath(new URL('./', import.meta.url));
const CACHE_ROOT = join(tmpdir(), 'zabkit-curator-agent');
const MAIN_CLASS_FILE = 'CuratorAgent.class';

/** Jars the agent compiles and runs against (their manifests pull zookeeper-jute, slf4j-api, netty, jackson-core). */
export const CURATOR_AGENT_CLASSPATH = [...CURATOR_JARS, GUAVA_JAR, ZOOKEEPER_JAR, SLF4J_SIMPLE_JAR, JACKSON_DATABIND_JAR].join(':');

let compiled: Promise<string> | undefined;

/** The directory holding the compiled agent classes (compiled on first use in this process). */
export function compileCuratorAgent(): Promise<string> {
  compiled ??= compile().catch((err: unknown) => {
    compiled = undefined; // let a later caller retry
    throw err;
  });
  return compiled;
}

async function compile(): Promise<string> {
  const sources = (await readdir(SOURCE_DIR)).filter((name) => name.endsWith('.java')).sort();
  const hash = createHash('sha256').update(CURATOR_AGENT_CLASSPATH);
  for (const name of sources) {
    hash.update(`\0${name}\0`).update(await readFile(join(SOURCE_DIR, name)));
  }
  const target = join(CACHE_ROOT, hash.digest('hex').slice(0, 20));
  if (existsSync(join(target, MAIN_CLASS_FILE))) return target;

  await mkdir(CACHE_ROOT, { recursive: true });
  const work = await mkdtemp(`${target}.build-`);
  removeOnExit(work);
  try {
    const result = await runProcess(
      JAVAC_PATH,
      ['-Xlint:all,-path', '-d', work, '-cp', CURATOR_AGENT_CLASSPATH, ...sources.map((name) => join(SOURCE_DIR, name))],
      { timeoutMs: 180_000, label: 'javac (Curator agent)' },
    );
    if (result.code !== 0) {
      throw new Error(`javac failed to compile the Curator agent (exit ${result.code})\n${tail(result.stderr + result.stdout)}`);
    }
    try {
      await rename(work, target);
    } catch (err) {
      // Another worker renamed its build into place first; its classes are the same.
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || !existsSync(join(target, MAIN_CLASS_FILE))) throw err;
    }
  } finally {
    await rm(work, { recursive: true, force: true });
    forgetTempDir(work);
  }
  return target;
}
