// Starting the processes of one target: a standalone server or every member of a loopback
// ensemble, each with its own dataDir and zoo.cfg (myid for members), waiting until each answers
// `srvr` with a Mode. Used by both the zabkit and the Apache ZooKeeper launchers.

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fourLetterWord, waitServing } from './four-letter-words.js';
import { freePorts } from './ports.js';
import { ServerProcess } from './server-process.js';
import { BENCH_HOST, benchZooCfg } from './zoo-cfg.js';

export interface MemberCommand {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

export interface StartedMember {
  readonly process: ServerProcess;
  readonly pid: number;
  readonly port: number;
  readonly mode: string;
  readonly dataDir: string;
}

export interface StartedMembers {
  readonly members: readonly StartedMember[];
  /** The first member's `srvr` version line. */
  readonly version: string;
  stop(): Promise<void>;
}

export interface MembersSpec {
  label: string;
  /** 1 = standalone (no server.N lines). */
  size: number;
  /** Where the temp directories go; defaults to the OS temp dir. */
  dataRoot: string | undefined;
  command(cfgPath: string, dataDir: string): MemberCommand;
  startTimeoutMs: number;
  /** zoo.cfg snapCount for every member; ZooKeeper's default when absent. */
  snapCount?: number;
}

export async function startMembers(spec: MembersSpec): Promise<StartedMembers> {
  const root = await mkdtemp(join(spec.dataRoot ?? tmpdir(), `zabkit-bench-${spec.label}-`));
  const ports = await freePorts(spec.size * 3);
  const port = (i: number): number => ports[i]!;
  const servers =
    spec.size === 1
      ? []
      : Array.from({ length: spec.size }, (_, i) => ({ id: i + 1, quorumPort: port(3 * i + 1), electionPort: port(3 * i + 2) }));
  const procs: Array<{ process: ServerProcess; port: number; dataDir: string }> = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(procs.map((p) => p.process.stop()));
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    for (let i = 0; i < spec.size; i++) {
      const dir = join(root, `member${i + 1}`);
      const dataDir = join(dir, 'data');
      await mkdir(dataDir, { recursive: true });
      if (spec.size > 1) await writeFile(join(dataDir, 'myid'), `${i + 1}\n`);
      const cfgPath = join(dir, 'zoo.cfg');
      await writeFile(cfgPath, benchZooCfg({ dataDir, clientPort: port(3 * i), servers, snapCount: spec.snapCount }));
      const cmd = spec.command(cfgPath, dataDir);
      procs.push({ process: new ServerProcess(`${spec.label}#${i + 1}`, cmd.command, cmd.args, cmd.env), port: port(3 * i), dataDir });
    }
    const members = await Promise.all(
      procs.map(async (p): Promise<StartedMember> => {
        const mode = await waitServing(BENCH_HOST, p.port, spec.startTimeoutMs, () => p.process.alive, () => p.process.tail());
        return { process: p.process, pid: await p.process.resolvePid(), port: p.port, mode, dataDir: p.dataDir };
      }),
    );
    const srvr = await fourLetterWord(BENCH_HOST, port(0), 'srvr');
    const version = /^Zookeeper version: (.*)$/m.exec(srvr)?.[1] ?? 'unknown';
    return { members, version, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
