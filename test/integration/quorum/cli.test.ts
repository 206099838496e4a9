// Ensemble members as real processes: three `zabkit server --config zoo.cfg` (server.N lines,
// myid in each dataDir) elect a leader, serve writes made anywhere, survive a SIGKILL of the
// leader without losing acknowledged writes, take the killed member back, and stop cleanly on
// SIGTERM. A member config without myid or initLimit exits 2 naming the key.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fourLetterWord } from '../../support/apache-zookeeper.js';
import { freePorts } from '../../support/ports.js';
import { removeDataDir, tempDataDir } from '../../support/data-dirs.js';
import { useClients } from '../../client/support/clients.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const children = new Set<ChildProcess>();
const dirs: string[] = [];

/** SIGKILL to the whole process group: tsx runs the CLI in a child process of its own. */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

afterAll(() => {
  for (const c of children) killGroup(c);
  for (const d of dirs) removeDataDir(d);
});

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function zabkit(args: string[]): Run {
  const child = spawn(TSX, ['cli/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    children.delete(child);
    resolve(code);
  }));
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** The Mode line of srvr, or undefined while the member is down or not serving. */
async function modeOf(port: number): Promise<string | undefined> {
  try {
    return /^Mode: (\w+)$/m.exec(await fourLetterWord(port, 'srvr', 2000))?.[1];
  } catch {
    return undefined;
  }
}

const open = useClients();

describe('ensemble members as processes (zabkit server --config)', () => {
  it('elect, serve, survive SIGKILL of the leader, take it back, and stop on SIGTERM', async () => {
    const ports = await freePorts(9);
    const servers = [1, 2, 3].map((sid) => {
      const [q, el, client] = ports.slice(3 * (sid - 1), 3 * sid) as [number, number, number];
      // The 3.5+ form carries the client port in the server line; member 1 uses clientPort= instead.
      return { sid, line: `server.${sid}=127.0.0.1:${q}:${el}:participant${sid === 1 ? '' : `;127.0.0.1:${client}`}`, client };
    });
    const members = servers.map(({ sid, client }) => {
      const dataDir = tempDataDir(`zabkit-cli-q${sid}`);
      dirs.push(dataDir);
      writeFileSync(join(dataDir, 'myid'), `${sid}\n`);
      const cfg = join(dataDir, 'zoo.cfg');
      writeFileSync(cfg, [
        'tickTime=500', 'initLimit=10', 'syncLimit=5', `dataDir=${dataDir}`, 'preAllocSize=64',
        ...(sid === 1 ? [`clientPort=${client}`, 'clientPortAddress=127.0.0.1'] : []),
        'maxClientCnxns=0', '4lw.commands.whitelist=*', ...servers.map((s) => s.line), '',
      ].join('\n'));
      return { sid, client, cfg, run: zabkit(['server', '--config', cfg]) };
    });
    await expect.poll(() => members.every((m) => m.run.stdout().includes('\n')), { timeout: 30_000 }).toBe(true);
    expect(members[1]!.run.stdout()).toMatch(/^zabkit server listening on 127\.0\.0\.1:\d+ \(member 2 of a 3-server ensemble, data in .*, tickTime=500ms\)\n$/);

    const modes = () => Promise.all(members.map((m) => modeOf(m.client)));
    await expect.poll(async () => (await modes()).sort().join(','), { timeout: 60_000 }).toBe('follower,follower,leader');
    const leader = members[(await modes()).indexOf('leader')]!;
    const others = members.filter((m) => m !== leader);

    const writer = await open(others.map((m) => `127.0.0.1:${m.client}`).join(','), { sessionTimeoutMs: 20_000 });
    await writer.create('/cli');
    for (let i = 0; i < 20; i++) await writer.create(`/cli/a${i}`);
    killGroup(leader.run.child);
    expect(await leader.run.exit).toBe(null);
    await expect.poll(async () => (await Promise.all(others.map((m) => modeOf(m.client)))).sort().join(','), { timeout: 60_000 })
      .toBe('follower,leader');
    for (let i = 0; i < 20; i++) {
      await expect.poll(() => writer.create(`/cli/b${i}`).then(() => 'ok', (e: Error) => (e.name === 'NodeExistsError' ? 'ok' : e.name)), { timeout: 30_000 }).toBe('ok');
    }

    // The killed member comes back, follows, and has every acknowledged write.
    leader.run = zabkit(['server', '--config', leader.cfg]);
    await expect.poll(() => modeOf(leader.client), { timeout: 60_000 }).toBe('follower');
    const reader = await open(`127.0.0.1:${leader.client}`);
    await reader.sync('/cli');
    const children = (await reader.getChildren('/cli')).children;
    expect(children).toHaveLength(40);

    for (const m of members) m.run.child.kill('SIGTERM');
    expect(await Promise.all(members.map((m) => m.run.exit))).toEqual([0, 0, 0]);
    expect(leader.run.stderr()).toMatch(/synced by (DIFF|SNAP) from leader \d/);
  }, 180_000);

  it('exits 2 naming the key when myid or initLimit is missing', async () => {
    const [a, b, c, d] = await freePorts(4);
    const dataDir = tempDataDir('zabkit-cli-bad');
    dirs.push(dataDir);
    mkdirSync(dataDir, { recursive: true });
    const cfg = join(dataDir, 'zoo.cfg');
    const lines = [`dataDir=${dataDir}`, 'tickTime=500', `server.1=127.0.0.1:${a}:${b}`, `server.2=127.0.0.1:${c}:${d}`];
    writeFileSync(cfg, [...lines, 'initLimit=10', 'syncLimit=5', ''].join('\n'));
    const noMyid = zabkit(['server', '--config', cfg]);
    expect(await noMyid.exit).toBe(2);
    expect(noMyid.stderr()).toMatch(/^zabkit: .*myid.*server\.N/m);

    writeFileSync(join(dataDir, 'myid'), '2\n');
    writeFileSync(cfg, [...lines, 'syncLimit=5', ''].join('\n'));
    const noInitLimit = zabkit(['server', '--config', cfg]);
    expect(await noInitLimit.exit).toBe(2);
    expect(noInitLimit.stderr()).toMatch(/^zabkit: .*initLimit is not set/m);
  });
});
