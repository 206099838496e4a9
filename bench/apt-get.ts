// Installs Debian packages with apt-get when something a run needs is missing: as root it runs
// `apt-get update` and `apt-get install -y …` (output to a log file, a hard timeout that kills the
// whole process group); otherwise it throws with the command to run by hand. Shared by the bench
// (Apache ZooKeeper to compare against) and the tests (real clients, Curator, Redis).

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const APT_TIMEOUT_MS = 20 * 60_000;

function logTail(log: string, max = 4000): string {
  const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
  return text.length <= max ? text : `…${text.slice(-max)}`;
}

/** Runs `apt-get <args>` with its output appended to `log`; rejects on failure or timeout. */
function aptGet(args: readonly string[], log: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // a shell only for the redirection into the log; args are fixed strings
    const child = spawn('/bin/sh', ['-c', `apt-get ${args.join(' ')} >>'${log}' 2>&1`], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: 'ignore',
      detached: true,
    });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, APT_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`apt-get ${args[0] ?? ''}: failed to start: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`apt-get ${args.join(' ')} failed (${signal ?? `exit ${code}`}); log ${log}:\n${logTail(log)}`));
    });
  });
}

/**
 * Makes sure nothing is missing: `missing()` lists what is absent (paths, checks); when the list
 * is not empty, installs `packages` as root and checks again, or explains what to run.
 */
export async function ensureDebianPackages(packages: readonly string[], missing: () => string[]): Promise<void> {
  const before = missing();
  if (before.length === 0) return;
  const install = `apt-get update && apt-get install -y ${packages.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new Error(`Missing: ${before.join(', ')}.\nAs root, run: ${install}`);
  }
  const log = join(mkdtempSync(join(tmpdir(), 'zabkit-apt-')), 'apt.log');
  await aptGet(['update', '-q'], log);
  await aptGet(['install', '-y', '-q', ...packages], log);
  const still = missing();
  if (still.length > 0) throw new Error(`Still missing after "${install}": ${still.join(', ')} (log ${log})`);
}
