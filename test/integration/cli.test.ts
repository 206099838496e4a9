// `zabkit server` as a real process: the banner, a client port that answers, a busy port
// (exit 1), a bad config (exit 2), and SIGTERM closing cleanly (exit 0).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function zabkit(args: string[]): Run {
  const child = spawn(TSX, ['cli/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(port, '127.0.0.1', () => socket.write(word));
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('zabkit server (CLI)', () => {
  it('prints one banner line, serves the port, refuses a busy port, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const run = zabkit(['server', '--in-memory', '--host', '127.0.0.1', '--port', String(port), '--four-letter-words', 'ruok,srvr']);
    await waitFor(() => run.stdout().includes('\n'), 'the banner');
    expect(run.stdout()).toBe(`zabkit server listening on 127.0.0.1:${port} (standalone, in-memory, tickTime=2000ms)\n`);
    expect(await fourLetterWord(port, 'ruok')).toBe('imok');
    expect(await fourLetterWord(port, 'srvr')).toMatch(/^Zookeeper version: .*\nMode: standalone\n/ms);

    const second = zabkit(['server', '--in-memory', '--host', '127.0.0.1', '--port', String(port)]);
    expect(await second.exit).toBe(1);
    expect(second.stderr()).toContain(`port ${port} on 127.0.0.1 is already in use`);

    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('exits 2 with a clear message for a bad config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zabkit-cli-'));
    const cfg = join(dir, 'zoo.cfg');
    writeFileSync(cfg, 'tickTime=2000\nclientPort=notaport\n');
    const run = zabkit(['server', '--config', cfg]);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toMatch(/^zabkit: .*clientPort.*notaport/m);
  });
});
