// `zabkit ensemble` as a real process: three member processes elect a leader, the command prints
// the member table and the connect string, every member line carries its id, writes made
// through a follower are read on every member after sync, SIGTERM stops them all (exit 0); a
// second run keeps the data, takes --base-port and an observer; SIGKILL of the command leaves
// no member behind; bad flags exit 2.

import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fourLetterWord } from '../support/apache-zookeeper.js';
import { removeDataDir, tempDataDir } from '../support/data-dirs.js';
import { signalGroup, spawnTracked } from '../support/processes.js';
import { useClients } from '../client/support/clients.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = tempDataDir('zabkit-cli-ensemble');
afterAll(() => removeDataDir(dataDir));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** The CLI run by node itself (no tsx wrapper process), so `child.pid` is the ensemble command. */
function zabkit(args: string[]): Run {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: ROOT });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

interface Listed {
  label: string;
  mode: string;
  address: string;
  port: number;
  pid: number;
}

/** Waits for the connect string line; returns the member table printed before it. */
async function ready(run: Run): Promise<{ members: Listed[]; connectString: string }> {
  await expect.poll(() => /^connect string: /m.test(run.stdout()) || run.child.exitCode !== null, { timeout: 150_000, interval: 200 })
    .toBe(true);
  const connectString = /^connect string: (.*)$/m.exec(run.stdout())?.[1];
  if (connectString === undefined) throw new Error(`ensemble did not start\n${run.stdout()}\n${run.stderr()}`);
  const members = [...run.stdout().matchAll(/^ {2}(server\.\d+)\s+(\w+)\s+(127\.0\.0\.1:(\d+))\s+pid (\d+)$/gm)]
    .map((m) => ({ label: m[1]!, mode: m[2]!, address: m[3]!, port: Number(m[4]), pid: Number(m[5]) }));
  return { members, connectString };
}

/** Gone: no such process, or a zombie nobody has reaped yet. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function modeOf(port: number): Promise<string | undefined> {
  try {
    return /^Mode: (\w+)$/m.exec(await fourLetterWord(port, 'srvr', 2000))?.[1];
  } catch {
    return undefined;
  }
}

/** `count` consecutive ports on 127.0.0.1 that are free right now, from a random high base. */
async function consecutiveFreePorts(count: number): Promise<number> {
  const free = (port: number) => new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = await free(p);
    if (ok) return base;
  }
}

const open = useClients();

describe('zabkit ensemble (CLI)', () => {
  it('starts 3 members, prints the connect string, serves through a follower, and stops all on SIGTERM', async () => {
    const run = zabkit(['ensemble', '--size', '3', '--tick-time', '500', '--data-dir', dataDir]);
    const { members, connectString } = await ready(run);
    expect(members.map((m) => m.label)).toEqual(['server.1', 'server.2', 'server.3']);
    expect(members.map((m) => m.mode).sort()).toEqual(['follower', 'follower', 'leader']);
    expect(connectString).toBe(members.map((m) => m.address).join(','));
    expect(run.stdout()).toMatch(/^zabkit ensemble: 3 voting members serving, leader server\.\d$/m);
    for (const m of members) {
      expect(gone(m.pid)).toBe(false);
      expect(await modeOf(m.port)).toBe(m.mode);
      expect(run.stdout()).toContain(`${m.label} | zabkit server listening on ${m.address} (member ${m.label.slice(7)} of a 3-server ensemble`);
    }
    // Every line is the command's own or a member's, prefixed with its id.
    for (const line of `${run.stdout()}${run.stderr()}`.trimEnd().split('\n')) {
      expect(line).toMatch(/^(zabkit ensemble: |server\.\d \| | {2}server\.\d {2}|connect string: )/);
    }

    const follower = members.find((m) => m.mode === 'follower')!;
    const writer = await open(follower.address, { sessionTimeoutMs: 10_000 });
    await writer.create('/ensemble-cli', Buffer.from('kept'));
    await writer.create('/ensemble-cli/child', Buffer.from('c'));
    for (const m of members) {
      const reader = await open(m.address);
      await reader.sync('/ensemble-cli');
      expect((await reader.getData('/ensemble-cli')).data?.toString()).toBe('kept');
      expect((await reader.getChildren('/ensemble-cli')).children).toEqual(['child']);
    }
    await writer.close();

    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(members.every((m) => gone(m.pid))).toBe(true);
    for (const m of members) expect(run.stderr()).toContain(`${m.label} | zabkit: SIGTERM received`);
  }, 240_000);

  it('keeps the data across runs, takes --base-port and an observer, and leaves no member behind when SIGKILLed', async () => {
    const base = await consecutiveFreePorts(12);
    const run = zabkit(['ensemble', '--size', '3', '--observers', '1', '--tick-time', '500', '--data-dir', dataDir, '--base-port', String(base)]);
    try {
      const { members, connectString } = await ready(run);
      expect(connectString).toBe([0, 1, 2, 3].map((i) => `127.0.0.1:${base + i}`).join(','));
      expect(members.map((m) => m.mode)[3]).toBe('observer');
      expect(members.slice(0, 3).map((m) => m.mode).sort()).toEqual(['follower', 'follower', 'leader']);
      const cfg = readFileSync(`${dataDir}/member-4/zoo.cfg`, 'utf8');
      expect(cfg).toContain(`server.4=127.0.0.1:${base + 7}:${base + 11}:observer;127.0.0.1:${base + 3}`);
      expect(readFileSync(`${dataDir}/member-4/data/myid`, 'utf8')).toBe('4\n');

      // The data written in the first run is there, on the new observer too.
      const reader = await open(`127.0.0.1:${base + 3}`);
      await reader.sync('/ensemble-cli');
      expect((await reader.getData('/ensemble-cli')).data?.toString()).toBe('kept');
      await reader.close();

      signalGroup(run.child, 'SIGKILL');
      expect(await run.exit).toBe(null);
      await expect.poll(() => members.filter((m) => !gone(m.pid)).map((m) => m.label), { timeout: 30_000, interval: 200 }).toEqual([]);
    } finally {
      signalGroup(run.child, 'SIGKILL');
    }
  }, 240_000);

  it('exits 2 naming the flag for a bad size or base port', async () => {
    const single = zabkit(['ensemble', '--size', '1', '--data-dir', dataDir]);
    const high = zabkit(['ensemble', '--base-port', '65530', '--data-dir', dataDir]);
    expect(await single.exit).toBe(2);
    expect(single.stderr()).toMatch(/^zabkit ensemble: --size 1 without observers is a single standalone server/m);
    expect(await high.exit).toBe(2);
    expect(high.stderr()).toMatch(/^zabkit ensemble: --base-port 65530 leaves no room for 9 ports/m);
  }, 60_000);
});
