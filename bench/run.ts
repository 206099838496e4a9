// Runs a whole bench: for each mode, start every target (zabkit, Apache ZooKeeper), seed the key
// space, then run each scenario on each target in turn (interleaved, alternating who goes first,
// so drift on a shared machine hits both), measuring the server's memory, CPU and event-loop lag
// alongside the client-side latencies; stop the targets. The `snapshot` part then does the same
// with fresh targets of its own (a small snapCount, a big tree seeded first) and also counts the
// snapshots written in its window. Return the report.

import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { dirname } from 'node:path';
import { runClientComparison, type ClientCompareDeps } from './client-compare.js';
import { LagProbe } from './lag-probe.js';
import { closeSessions, openSessions, runLoad, seedKeys, seedTree } from './load.js';
import type { BenchOptions, Mode, TargetName } from './options.js';
import { UsageSampler } from './process-stats.js';
import type { ProgressLine } from './progress.js';
import { measurement, RESULT_SCHEMA, type BenchReport, type ClientRunResult, type RunResult, type TargetInfo } from './results.js';
import { buildSuite, countLabel, snapshotScenarios, type Scenario } from './scenarios.js';
import { runSequence, SEQUENCE_PHASES, type PhaseResult } from './sequence.js';
import { countSnapshots } from './snapshot-files.js';
import { TargetUnavailable, type RunningTarget, type TargetLauncher, type TargetSettings } from './target.js';
import { zabkitCli, zabkitLauncher } from './zabkit-target.js';
import { zookeeperLauncher } from './zookeeper-target.js';

export interface RunDeps {
  progress: ProgressLine;
  /** Launchers by target and mode; defaults to the real ones. */
  launcher?(target: TargetName, mode: Mode): TargetLauncher;
  /** The `client` part; defaults to runClientComparison with the real server and libraries. */
  clientComparison?(o: BenchOptions, deps: ClientCompareDeps): Promise<ClientRunResult[]>;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The git commit of the checkout the zabkit CLI lives in, and whether it has uncommitted changes. */
function gitState(dir: string): { commit: string | undefined; dirty: boolean | undefined } {
  const head = spawnSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' });
  if (head.status !== 0) return { commit: undefined, dirty: undefined };
  const status = spawnSync('git', ['-C', dir, 'status', '--porcelain', '--', 'protocol', 'server', 'cli'], { encoding: 'utf8' });
  return { commit: head.stdout.trim(), dirty: status.status === 0 ? status.stdout.trim() !== '' : undefined };
}

function base(mode: Mode, target: TargetName, s: Scenario): Omit<RunResult, 'status'> {
  return {
    mode, target, scenarioId: s.id, part: s.part, label: s.label,
    sessions: s.sessions, outstanding: s.outstanding, payloadBytes: s.payloadBytes,
  };
}

/** The table rows a scenario produces (a sequence has one per phase and one for the whole). */
function rowLabels(s: Scenario): string[] {
  if (s.part !== 'sequence') return [s.label];
  return [...SEQUENCE_PHASES, 'whole sequence'].map((p) => `${s.label}: ${p}`);
}

let runCounter = 0;

async function runLoadScenario(t: RunningTarget, s: Scenario, o: BenchOptions, probe: LagProbe, progress: ProgressLine, prefix: string): Promise<RunResult> {
  const workload = s.workload!;
  const sessions = await openSessions(t.addresses, s.sessions);
  const snapshotPart = s.part === 'snapshot';
  let sampler: UsageSampler | undefined;
  let snapshotsBefore = 0;
  try {
    const r = await runLoad(
      sessions,
      {
        workload,
        sessions: s.sessions,
        outstanding: s.outstanding,
        warmupMs: o.warmupS * 1000,
        durationMs: o.durationS * 1000,
        runTag: `r${++runCounter}`,
      },
      {
        onMeasureStart: async () => {
          sampler = new UsageSampler(t.pids);
          await Promise.all([t.resetStats(), probe.reset()]);
          if (snapshotPart) snapshotsBefore = await countSnapshots(t.dataDirs);
        },
        onProgress: (p) => progress.load(prefix, p),
      },
    );
    const usage = sampler?.stop();
    const [lag, probeLag] = await Promise.all([t.readEventLoopLag(), probe.read()]);
    const snapshots = snapshotPart ? (await countSnapshots(t.dataDirs)) - snapshotsBefore : undefined;
    return {
      ...base(t.mode, t.name, s),
      status: 'ok',
      result: measurement(r, {
        serverRssMb: usage?.rssMbMax,
        serverCpuPct: usage?.cpuPct,
        clientCpuPct: r.clientCpuPct,
        ...(lag === undefined ? {} : { eventLoopLagMs: lag }),
        ...(probeLag === undefined ? {} : { probeLagMs: probeLag }),
        ...(snapshots === undefined ? {} : { snapshots }),
      }),
    };
  } finally {
    sampler?.stop();
    await closeSessions(sessions);
  }
}

async function runSequenceScenario(t: RunningTarget, s: Scenario, o: BenchOptions, probe: LagProbe, progress: ProgressLine, prefix: string): Promise<RunResult[]> {
  await Promise.all([t.resetStats(), probe.reset()]);
  const sampler = new UsageSampler(t.pids);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let phases: PhaseResult[];
  try {
    phases = await runSequence(
      t.addresses,
      { count: o.sequenceCount, watchMultiple: o.watchMultiple, outstanding: o.outstanding, payloadBytes: o.payloadBytes, runTag: `q${++runCounter}` },
      (phase) => progress.status(`${prefix} · ${phase}`),
    );
  } catch (err) {
    sampler.stop();
    throw err;
  }
  const usage = sampler.stop();
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const [lag, probeLag] = await Promise.all([t.readEventLoopLag(), probe.read()]);
  const rows: RunResult[] = phases.map((p) => ({
    ...base(t.mode, t.name, s),
    label: `${s.label}: ${p.phase}`,
    phase: p.phase,
    status: 'ok',
    result: measurement({ ops: p.count, errors: p.errors, elapsedMs: p.elapsedMs, opsPerSec: p.opsPerSec, latency: p.latency }),
  }));
  // the whole sequence, setup and session handshakes included: memory, CPU and lag live here
  const ops = phases.reduce((sum, p) => sum + p.count, 0);
  rows.push({
    ...base(t.mode, t.name, s),
    label: `${s.label}: whole sequence`,
    phase: 'total',
    status: 'ok',
    result: {
      ops,
      errors: 0,
      elapsedMs,
      opsPerSec: (ops * 1000) / elapsedMs,
      serverRssMb: usage.rssMbMax,
      serverCpuPct: usage.cpuPct,
      clientCpuPct: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
      ...(lag === undefined ? {} : { eventLoopLagMs: lag }),
      ...(probeLag === undefined ? {} : { probeLagMs: probeLag }),
    },
  });
  return rows;
}

interface ModeContext {
  o: BenchOptions;
  launcherFor(target: TargetName, mode: Mode): TargetLauncher;
  probe: LagProbe;
  progress: ProgressLine;
  /** Results are appended to these. */
  runs: RunResult[];
  targets: TargetInfo[];
}

/** A suite run on one set of targets, and how those targets are set up for it. */
interface ModeSuite {
  suite: Scenario[];
  /** Beyond the common zoo.cfg (the same for every target). */
  settings?: TargetSettings;
  /** Znodes seeded into each target's tree besides the key space (the snapshot part's bulk). */
  treeNodes?: number;
}

/** Opens sessions on a fresh target and seeds the key space, and the bulk tree if asked. */
async function seedTarget(t: RunningTarget, o: BenchOptions, treeNodes: number): Promise<void> {
  const seed = await openSessions(t.addresses.slice(0, 1), treeNodes > 0 ? o.sessions : 1);
  try {
    await seedKeys(seed[0]!, o.keys, o.payloadBytes);
    if (treeNodes > 0) await seedTree(seed, treeNodes, o.payloadBytes);
  } finally {
    await closeSessions(seed);
  }
}

/** One mode: start every target, run the suite interleaved over them, stop them. */
async function runMode(mode: Mode, run: ModeSuite, ctx: ModeContext): Promise<void> {
  const { o, launcherFor, probe, progress, runs } = ctx;
  const { suite } = run;
  const treeNodes = run.treeNodes ?? 0;
  const setup = [
    ...(run.settings?.snapCount === undefined ? [] : [`snapCount=${run.settings.snapCount}`]),
    ...(treeNodes > 0 ? [`seeded with ${countLabel(treeNodes)} extra znodes`] : []),
  ];
  const running: RunningTarget[] = [];
  /** This suite's targets (ctx.targets also holds other suites' for the same mode). */
  const targets: TargetInfo[] = [];
  try {
    for (const name of o.targets) {
      progress.status(`[${mode}] starting ${name}${setup.length > 0 ? ` (${setup.join(', ')})` : ''}…`);
      try {
        const t = await launcherFor(name, mode).start(run.settings);
        running.push(t);
        if (treeNodes > 0) progress.status(`[${mode}] ${name}: seeding ${countLabel(treeNodes)} znodes…`);
        await seedTarget(t, o, treeNodes);
        targets.push({ target: name, mode, status: 'ok', version: t.version, notes: [...t.notes, ...setup] });
        progress.log(`[${mode}] ${name} ready: ${t.version} (pids ${t.pids.join(', ')})`);
      } catch (err) {
        const status = err instanceof TargetUnavailable ? 'n/a' : 'failed';
        targets.push({ target: name, mode, status, reason: errorText(err), notes: [...setup] });
        progress.log(`[${mode}] ${name}: ${status}: ${errorText(err).split('\n')[0]}`);
        const up = running.find((r) => r.name === name);
        if (up !== undefined) {
          running.splice(running.indexOf(up), 1);
          await up.stop();
        }
      }
    }
    for (const [i, s] of suite.entries()) {
      // alternate who goes first, so slow drift on a shared machine does not favour one side
      const order = i % 2 === 0 ? o.targets : [...o.targets].reverse();
      for (const name of order) {
        const t = running.find((r) => r.name === name);
        const info = targets.find((x) => x.target === name && x.mode === mode);
        if (t === undefined) {
          const status = info?.status === 'n/a' ? 'n/a' : 'failed';
          const reason = info?.reason?.split('\n')[0] ?? 'not started';
          for (const label of rowLabels(s)) runs.push({ ...base(mode, name, s), label, status, reason });
          continue;
        }
        const prefix = `[${mode} ${i + 1}/${suite.length}] ${s.label} · ${name}`;
        try {
          if (s.part === 'sequence') runs.push(...(await runSequenceScenario(t, s, o, probe, progress, prefix)));
          else runs.push(await runLoadScenario(t, s, o, probe, progress, prefix));
          const last = runs[runs.length - 1]!;
          progress.log(`${prefix}: ${summaryLine(last)}`);
        } catch (err) {
          for (const label of rowLabels(s)) runs.push({ ...base(mode, name, s), label, status: 'failed', reason: errorText(err).split('\n')[0] });
          progress.log(`${prefix}: failed: ${errorText(err)}`);
        }
      }
    }
  } finally {
    ctx.targets.push(...targets);
    progress.status(`[${mode}] stopping servers…`);
    await Promise.all(running.map((t) => t.stop()));
    progress.done();
  }
}

export async function runBench(o: BenchOptions, deps: RunDeps): Promise<BenchReport> {
  const { progress } = deps;
  const launcherFor = deps.launcher ?? ((target: TargetName, mode: Mode) =>
    target === 'zabkit' ? zabkitLauncher(mode, { dataRoot: o.dataRoot, cliEntry: o.zabkitCli, cpuProfDir: o.cpuProfDir, nodeFlags: o.nodeFlags }) : zookeeperLauncher(mode, o.dataRoot));
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = os.loadavg();
  const suite = buildSuite(o);
  const snapshots = snapshotScenarios(o);
  const runs: RunResult[] = [];
  const targets: TargetInfo[] = [];
  let cliEntry: string | undefined;
  try {
    cliEntry = o.targets.includes('zabkit') ? zabkitCli(o.zabkitCli).entry : undefined;
  } catch {
    cliEntry = undefined;
  }

  // with only the `client` part selected there is nothing to run per target: start no servers
  const probe = LagProbe.start();
  try {
    for (const mode of suite.length + snapshots.length > 0 ? o.modes : []) {
      const ctx = { o, launcherFor, probe, progress, runs, targets };
      if (suite.length > 0) await runMode(mode, { suite }, ctx);
      for (const s of snapshots) await runMode(mode, { suite: [s], settings: { snapCount: s.snapCount }, treeNodes: s.treeNodes }, ctx);
    }
  } finally {
    probe.stop();
  }

  const clients = o.parts.includes('client') ? await (deps.clientComparison ?? runClientComparison)(o, { progress }) : undefined;

  const git = cliEntry === undefined ? { commit: undefined, dirty: undefined } : gitState(dirname(cliEntry));
  const { progress: _omit, ...options } = o;
  return {
    schema: RESULT_SCHEMA,
    startedAt,
    finishedAt: new Date().toISOString(),
    zabkit: { commit: git.commit, uncommittedChanges: git.dirty, cli: cliEntry },
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryMb: Math.round(os.totalmem() / 1024 / 1024),
      node: process.version,
      kernel: os.release(),
      loadAverageAtStart,
      loadAverage: os.loadavg(),
    },
    options,
    targets,
    runs,
    ...(clients === undefined ? {} : { clients }),
  };
}

function summaryLine(r: RunResult): string {
  const m = r.result;
  if (m === undefined) return r.status;
  const lag = m.eventLoopLagMs === undefined ? '' : `, lag p99 ${m.eventLoopLagMs.p99Ms.toFixed(2)} ms`;
  const rss = m.serverRssMb === undefined ? '' : `, RSS ${Math.round(m.serverRssMb)} MiB`;
  const lat = m.latencyMs === undefined ? '' : `, p50 ${m.latencyMs.p50.toFixed(3)} ms, p99 ${m.latencyMs.p99.toFixed(3)} ms`;
  return `${Math.round(m.opsPerSec)} ops/s${lat}${rss}${lag}`;
}
