// The `client` part: ONE Apache ZooKeeper standalone (the bench's own launcher and zoo.cfg), its
// key space seeded, then the same K sessions x W outstanding getData / setData load driven
// through each client library in turn — our ZooKeeperClient and node-zookeeper-client —
// alternating who goes first per op. The server is the same process for both, so the ratio is
// the libraries' (and their event-loop cost in this one Node process), not the servers'.

import { nzcClientDriver } from './nzc-client-driver.js';
import { CLIENT_LIBRARIES, type ClientDriver, type ClientSession } from './client-driver.js';
import { runClientLoad } from './client-load.js';
import { closeSessions, openSessions, seedKeys } from './load.js';
import type { BenchOptions } from './options.js';
import type { ProgressLine } from './progress.js';
import { measurement, type ClientRunResult } from './results.js';
import { clientScenarios, type ClientScenario } from './scenarios.js';
import { TargetUnavailable, type RunningTarget, type TargetLauncher } from './target.js';
import { payload } from './workload.js';
import { zabkitClientDriver } from './zabkit-client-driver.js';
import { zookeeperLauncher } from './zookeeper-target.js';

export interface ClientCompareDeps {
  progress: ProgressLine;
  /** Defaults to Apache ZooKeeper standalone. */
  launcher?: TargetLauncher;
  /** Defaults to ours, then node-zookeeper-client. */
  drivers?: readonly ClientDriver[];
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function openClientSessions(driver: ClientDriver, connectString: string, count: number): Promise<ClientSession[]> {
  const opened = await Promise.allSettled(Array.from({ length: count }, () => driver.connect(connectString)));
  const sessions = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const failed = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(sessions.map((s) => s.close()));
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
  return sessions;
}

export async function runClientComparison(o: BenchOptions, deps: ClientCompareDeps): Promise<ClientRunResult[]> {
  const { progress } = deps;
  const scenarios = clientScenarios(o);
  const drivers = deps.drivers ?? [zabkitClientDriver, nzcClientDriver];
  if (scenarios.length === 0) return [];
  const row = (s: ClientScenario, d: ClientDriver, server: string): Omit<ClientRunResult, 'status'> => ({
    scenarioId: s.id, op: s.op, label: s.label, library: d.library, libraryVersion: d.version, server,
    sessions: s.sessions, outstanding: s.outstanding, payloadBytes: s.payloadBytes,
  });

  const launcher = deps.launcher ?? zookeeperLauncher('standalone', o.dataRoot);
  let target: RunningTarget;
  progress.status('[client] starting Apache ZooKeeper standalone…');
  try {
    target = await launcher.start();
  } catch (err) {
    const status = err instanceof TargetUnavailable ? 'n/a' : 'failed';
    const reason = `Apache ZooKeeper did not start: ${errorText(err).split('\n')[0]}`;
    progress.log(`[client] ${reason}`);
    return scenarios.flatMap((s) => drivers.map((d) => ({ ...row(s, d, 'Apache ZooKeeper standalone'), status, reason })));
  }

  // the srvr line ("3.8.0-<commit>, built on …"): the release is what identifies the server
  const server = `Apache ZooKeeper ${target.version.split(',')[0]!.replace(/-.*$/, '')} standalone`;
  const out: ClientRunResult[] = [];
  try {
    const seed = await openSessions(target.addresses.slice(0, 1), 1);
    try {
      await seedKeys(seed[0]!, o.keys, o.payloadBytes);
    } finally {
      await closeSessions(seed);
    }
    progress.log(`[client] ${server} ready (pid ${target.pids.join(', ')}); ${drivers.map((d) => `${d.library} ${d.version}`).join(' vs ')}`);
    const address = target.addresses[0]!;
    const connectString = `${address.host}:${address.port}`;
    const data = payload(o.payloadBytes);
    for (const [i, s] of scenarios.entries()) {
      // alternate who goes first, so drift on a shared machine does not favour one library
      const order = i % 2 === 0 ? drivers : [...drivers].reverse();
      for (const d of order) {
        const prefix = `[client ${i + 1}/${scenarios.length}] ${s.label} · ${d.library}`;
        try {
          const sessions = await openClientSessions(d, connectString, s.sessions);
          let r;
          try {
            r = await runClientLoad(
              sessions,
              { op: s.op, outstanding: s.outstanding, keys: o.keys, data, warmupMs: o.warmupS * 1000, durationMs: o.durationS * 1000 },
              (phase) => progress.status(`${prefix} · ${phase}`),
            );
          } finally {
            await Promise.all(sessions.map((x) => x.close()));
          }
          const m = measurement(r, { clientCpuPct: r.clientCpuPct });
          out.push({ ...row(s, d, server), status: 'ok', result: m });
          const errs = r.errors > 0 ? `, ${r.errors} errors (first code ${r.firstErrorCode})` : '';
          progress.log(`${prefix}: ${Math.round(r.opsPerSec)} ops/s, p50 ${r.latency.p50Ms.toFixed(3)} ms, p99 ${r.latency.p99Ms.toFixed(3)} ms${errs}`);
        } catch (err) {
          out.push({ ...row(s, d, server), status: 'failed', reason: errorText(err).split('\n')[0] });
          progress.log(`${prefix}: failed: ${errorText(err)}`);
        }
      }
    }
  } catch (err) {
    const reason = errorText(err).split('\n')[0];
    for (const s of scenarios) {
      for (const d of drivers) {
        if (!out.some((r) => r.scenarioId === s.id && r.library === d.library)) out.push({ ...row(s, d, server), status: 'failed', reason });
      }
    }
    progress.log(`[client] failed: ${errorText(err)}`);
  } finally {
    progress.status('[client] stopping Apache ZooKeeper…');
    await target.stop();
    progress.done();
  }
  // table order: by scenario, ours first
  const rank = (r: ClientRunResult): number => scenarios.findIndex((s) => s.id === r.scenarioId) * 10 + CLIENT_LIBRARIES.indexOf(r.library);
  return out.sort((a, b) => rank(a) - rank(b));
}
