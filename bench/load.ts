// The pipelined load generator: N sessions, each keeping W requests in flight for a warm-up and
// then a measured window, with every reply's latency in an HDR histogram. Replies that arrive
// inside the window count; the rest (warm-up, drain) do not. Also the fixed-count pipeline the
// zk-latencies sequence and the key seeding use.

import { Code } from '../protocol/errors.js';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import { MeasuredWindow, type WindowResult } from './measured-window.js';
import { BenchSession, type SessionAddress } from './session.js';
import {
  BENCH_ROOT, CREATE_PARENT, KEYS_PARENT, TREE_PARENT, createPath, keyIndexAt, keyPath, opAt, payload, requestFrame, treePath,
  type WireOp, type Workload,
} from './workload.js';

export interface LoadSpec {
  workload: Workload;
  sessions: number;
  outstanding: number;
  warmupMs: number;
  durationMs: number;
  /** Makes this run's create paths unique on a server that keeps its tree between runs. */
  runTag: string;
}

export interface LoadProgress {
  phase: 'warmup' | 'measure';
  /** Seconds into the current phase. */
  elapsedS: number;
  phaseS: number;
  /** Replies per second over the last progress interval. */
  recentOpsPerSec: number;
  /** p99 so far in the measured window (0 during warm-up). */
  p99Ms: number;
}

export interface LoadHooks {
  /** Runs as the measured window opens (e.g. reset server-side stats); not awaited by the clock. */
  onMeasureStart?(): void | Promise<void>;
  onProgress?(p: LoadProgress): void;
}

export type LoadResult = WindowResult;

const PROGRESS_INTERVAL_MS = 500;
const DRAIN_TIMEOUT_MS = 15_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Opens `count` sessions, spread round-robin over `addresses`. */
export async function openSessions(addresses: readonly SessionAddress[], count: number): Promise<BenchSession[]> {
  const opened = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => BenchSession.connect(addresses[i % addresses.length]!)),
  );
  const sessions = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const failed = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed !== undefined) {
    for (const s of sessions) s.destroy();
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
  return sessions;
}

export async function closeSessions(sessions: readonly BenchSession[]): Promise<void> {
  await Promise.all(sessions.map((s) => s.close()));
}

/** Runs one throughput/latency load against already-open sessions. */
export async function runLoad(sessions: readonly BenchSession[], spec: LoadSpec, hooks: LoadHooks = {}): Promise<LoadResult> {
  const { workload, outstanding } = spec;
  const data = payload(workload.payloadBytes);
  const window = new MeasuredWindow();
  let stopping = false;
  let repliesSinceTick = 0;
  let failure: Error | undefined;
  let wakeDrain: (() => void) | undefined;
  const counters = sessions.map(() => 0);
  let inFlight = 0;

  const issue = (s: number): void => {
    const session = sessions[s]!;
    const i = counters[s]!;
    counters[s] = i + 1;
    const op = opAt(workload, i);
    const path = op === 'create' ? createPath(spec.runTag, s, i) : keyPath(keyIndexAt(s, sessions.length, i, workload.keys));
    const xid = session.takeXid();
    const frame = requestFrame(xid, op, path, op === 'create' || op === 'setData' ? data : null);
    const sentAt = performance.now();
    inFlight++;
    session.send(xid, frame, (err) => {
      inFlight--;
      repliesSinceTick++;
      window.record(sentAt, err);
      if (!stopping) issue(s);
      else if (inFlight === 0) wakeDrain?.();
    });
  };

  for (const session of sessions) {
    session.onFailure = (err) => {
      failure ??= err;
      stopping = true;
      wakeDrain?.();
    };
  }

  const progress = (phase: LoadProgress['phase'], since: number, phaseMs: number, tickStart: number): void => {
    const now = performance.now();
    hooks.onProgress?.({
      phase,
      elapsedS: (now - since) / 1000,
      phaseS: phaseMs / 1000,
      recentOpsPerSec: (repliesSinceTick * 1000) / Math.max(1, now - tickStart),
      p99Ms: phase === 'measure' ? window.histogram.summary().p99Ms : 0,
    });
    repliesSinceTick = 0;
  };

  /** Waits `ms`, reporting progress; stops early if a session fails. */
  const phase = async (name: LoadProgress['phase'], ms: number): Promise<void> => {
    const since = performance.now();
    let tickStart = since;
    while (failure === undefined) {
      const left = since + ms - performance.now();
      if (left <= 0) break;
      await sleep(Math.min(PROGRESS_INTERVAL_MS, left));
      progress(name, since, ms, tickStart);
      tickStart = performance.now();
    }
  };

  for (let s = 0; s < sessions.length; s++) for (let w = 0; w < outstanding; w++) issue(s);

  await phase('warmup', spec.warmupMs);
  window.open();
  const hook = Promise.resolve(hooks.onMeasureStart?.()).catch((err: unknown) => {
    failure ??= err instanceof Error ? err : new Error(String(err));
  });
  await phase('measure', spec.durationMs);
  const result = window.close();
  stopping = true;
  await hook;

  if (inFlight > 0 && failure === undefined) {
    await Promise.race([new Promise<void>((resolve) => (wakeDrain = resolve)), sleep(DRAIN_TIMEOUT_MS)]);
  }
  if (failure !== undefined) throw failure;
  if (inFlight > 0) throw new Error(`${inFlight} requests still unanswered ${DRAIN_TIMEOUT_MS} ms after the run ended`);
  return result;
}

export interface FixedRequest {
  op: WireOp;
  path: string;
  data?: Buffer | null;
  watch?: boolean;
}

export interface FixedResult {
  count: number;
  errors: number;
  firstErrorCode: number | undefined;
  elapsedMs: number;
  opsPerSec: number;
  latency: LatencySummary;
  /** performance.now() when each request was sent, by index. */
  sentAt: Float64Array;
}

/**
 * Sends request 0 … count-1 (built by `build`) on one session, `outstanding` at a time, and
 * resolves when all are answered. Error codes in `allowed` are not counted as errors.
 */
export function pipeline(
  session: BenchSession,
  count: number,
  outstanding: number,
  build: (i: number) => FixedRequest,
  allowed: readonly number[] = [],
): Promise<FixedResult> {
  return new Promise((resolve, reject) => {
    const histogram = new LatencyHistogram();
    const sentAt = new Float64Array(count);
    let next = 0;
    let done = 0;
    let errors = 0;
    let firstErrorCode: number | undefined;
    const t0 = performance.now();
    session.onFailure = reject;
    const issue = (): void => {
      const i = next++;
      const req = build(i);
      const xid = session.takeXid();
      const frame = requestFrame(xid, req.op, req.path, req.data ?? null, req.watch ?? false);
      sentAt[i] = performance.now();
      session.send(xid, frame, (err) => {
        histogram.recordMs(performance.now() - sentAt[i]!);
        if (err !== 0 && !allowed.includes(err)) {
          errors++;
          firstErrorCode ??= err;
        }
        if (++done === count) {
          session.onFailure = undefined;
          const elapsedMs = performance.now() - t0;
          resolve({ count, errors, firstErrorCode, elapsedMs, opsPerSec: (count * 1000) / elapsedMs, latency: histogram.summary(), sentAt });
        } else if (next < count) {
          issue();
        }
      });
    };
    if (count === 0) {
      resolve({ count, errors, firstErrorCode, elapsedMs: 0, opsPerSec: 0, latency: histogram.summary(), sentAt });
      return;
    }
    for (let w = 0; w < Math.min(outstanding, count); w++) issue();
  });
}

/** Creates the bench's parents and the key space (`keys` znodes of `payloadBytes`); idempotent. */
export async function seedKeys(session: BenchSession, keys: number, payloadBytes: number, outstanding = 200): Promise<void> {
  const data = payload(payloadBytes);
  const parents = [BENCH_ROOT, KEYS_PARENT, CREATE_PARENT];
  const p = await pipeline(session, parents.length, 1, (i) => ({ op: 'create', path: parents[i]!, data: null }), [Code.NODEEXISTS]);
  if (p.errors > 0) throw new Error(`creating ${BENCH_ROOT}: error ${p.firstErrorCode}`);
  const k = await pipeline(session, keys, outstanding, (i) => ({ op: 'create', path: keyPath(i), data }), [Code.NODEEXISTS]);
  if (k.errors > 0) throw new Error(`seeding ${keys} keys: error ${k.firstErrorCode}`);
}

/**
 * Creates TREE_PARENT and `nodes` znodes of `payloadBytes` under it, the work split over
 * `sessions` (each with `outstanding` in flight); idempotent.
 */
export async function seedTree(sessions: readonly BenchSession[], nodes: number, payloadBytes: number, outstanding = 200): Promise<void> {
  const data = payload(payloadBytes);
  const p = await pipeline(sessions[0]!, 1, 1, () => ({ op: 'create', path: TREE_PARENT, data: null }), [Code.NODEEXISTS]);
  if (p.errors > 0) throw new Error(`creating ${TREE_PARENT}: error ${p.firstErrorCode}`);
  const share = Math.ceil(nodes / sessions.length);
  const parts = await Promise.all(sessions.map((session, s) => {
    const from = s * share;
    const count = Math.max(0, Math.min(share, nodes - from));
    return pipeline(session, count, outstanding, (i) => ({ op: 'create', path: treePath(from + i), data }), [Code.NODEEXISTS]);
  }));
  const failed = parts.find((r) => r.errors > 0);
  if (failed !== undefined) throw new Error(`seeding ${nodes} tree znodes: error ${failed.firstErrorCode}`);
}
