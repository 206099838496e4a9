// A zk-latencies-style sequence (after ZooKeeper's zk-smoketest tool): on one session with W
// requests in flight, create N znodes, set each, get each, delete each; then create them again,
// have `watchMultiple` other sessions set an exists-watch on every one (N x multiple watches) and
// delete them all, timing from the first delete sent to the last notification received.

import { Code } from '../protocol/errors.js';
import { EventType } from '../protocol/types.js';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import { closeSessions, openSessions, pipeline } from './load.js';
import type { BenchSession, SessionAddress } from './session.js';
import { BENCH_ROOT, payload } from './workload.js';

export type SequencePhase = 'create' | 'set' | 'get' | 'delete' | 'watch';
export const SEQUENCE_PHASES: readonly SequencePhase[] = ['create', 'set', 'get', 'delete', 'watch'];

export interface SequenceSpec {
  count: number;
  watchMultiple: number;
  outstanding: number;
  payloadBytes: number;
  /** Keeps paths unique when one server runs the sequence twice. */
  runTag: string;
}

export interface PhaseResult {
  phase: SequencePhase;
  /** Requests answered, or for `watch` notifications received. */
  count: number;
  errors: number;
  elapsedMs: number;
  opsPerSec: number;
  /** For `watch`: delete sent → notification received. */
  latency: LatencySummary;
}

const NOTIFY_TIMEOUT_MS = 60_000;

export async function runSequence(
  addresses: readonly SessionAddress[],
  spec: SequenceSpec,
  onPhase?: (phase: SequencePhase) => void,
): Promise<PhaseResult[]> {
  const dir = `${BENCH_ROOT}/seq-${spec.runTag}`;
  const path = (i: number): string => `${dir}/n${i}`;
  const data = payload(spec.payloadBytes);
  const n = spec.count;
  const w = spec.outstanding;
  const [main] = await openSessions(addresses.slice(0, 1), 1);
  if (main === undefined) throw new Error('no session');
  const results: PhaseResult[] = [];
  const record = (phase: SequencePhase, r: { count: number; errors: number; firstErrorCode: number | undefined; elapsedMs: number; opsPerSec: number; latency: LatencySummary }): void => {
    if (r.errors > 0) throw new Error(`sequence ${phase}: ${r.errors} errors (first ${r.firstErrorCode})`);
    results.push({ phase, count: r.count, errors: r.errors, elapsedMs: r.elapsedMs, opsPerSec: r.opsPerSec, latency: r.latency });
  };
  try {
    const root = await pipeline(main, 2, 1, (i) => ({ op: 'create', path: i === 0 ? BENCH_ROOT : dir, data: null }), [Code.NODEEXISTS]);
    if (root.errors > 0) throw new Error(`creating ${dir}: error ${root.firstErrorCode}`);

    onPhase?.('create');
    record('create', await pipeline(main, n, w, (i) => ({ op: 'create', path: path(i), data })));
    onPhase?.('set');
    record('set', await pipeline(main, n, w, (i) => ({ op: 'setData', path: path(i), data })));
    onPhase?.('get');
    record('get', await pipeline(main, n, w, (i) => ({ op: 'getData', path: path(i) })));
    onPhase?.('delete');
    record('delete', await pipeline(main, n, w, (i) => ({ op: 'delete', path: path(i) })));

    onPhase?.('watch');
    const again = await pipeline(main, n, w, (i) => ({ op: 'create', path: path(i), data }));
    if (again.errors > 0) throw new Error(`sequence watch setup: error ${again.firstErrorCode}`);
    const watchers = await openSessions(addresses, spec.watchMultiple);
    try {
      results.push(await watchPhase(main, watchers, n, w, path));
    } finally {
      await closeSessions(watchers);
    }
    await pipeline(main, 1, 1, () => ({ op: 'delete', path: dir }));
  } finally {
    await main.close();
  }
  return results;
}

async function watchPhase(
  deleter: BenchSession,
  watchers: readonly BenchSession[],
  n: number,
  outstanding: number,
  path: (i: number) => string,
): Promise<PhaseResult> {
  const set = await Promise.all(watchers.map((s) => pipeline(s, n, outstanding, (i) => ({ op: 'exists', path: path(i), watch: true }))));
  const bad = set.find((r) => r.errors > 0);
  if (bad !== undefined) throw new Error(`setting watches: error ${bad.firstErrorCode}`);

  const expected = n * watchers.length;
  const histogram = new LatencyHistogram();
  let received = 0;
  let sentAt: Float64Array | undefined;
  const pending: Array<{ index: number; at: number }> = [];
  let lastAt = 0;
  const allFired = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${received} of ${expected} watch notifications within ${NOTIFY_TIMEOUT_MS} ms`)),
      NOTIFY_TIMEOUT_MS,
    );
    for (const s of watchers) {
      s.onFailure = (err) => {
        clearTimeout(timer);
        reject(err);
      };
      s.onNotification = (type, p) => {
        if (type !== EventType.NodeDeleted) return;
        const at = performance.now();
        // a notification can beat the reply to its delete, so send times may not be known yet
        pending.push({ index: Number(p.slice(p.lastIndexOf('/n') + 2)), at });
        lastAt = at;
        if (++received === expected) {
          clearTimeout(timer);
          resolve();
        }
      };
    }
  });
  const t0 = performance.now();
  const del = pipeline(deleter, n, outstanding, (i) => ({ op: 'delete', path: path(i) }));
  // pipeline fills sentAt as it sends; keep a handle on it from the result once it is done
  const [deleted] = await Promise.all([del, allFired]);
  if (deleted.errors > 0) throw new Error(`deleting watched znodes: error ${deleted.firstErrorCode}`);
  sentAt = deleted.sentAt;
  for (const { index, at } of pending) histogram.recordMs(at - sentAt[index]!);
  for (const s of watchers) s.onNotification = undefined;
  const elapsedMs = lastAt - t0;
  return { phase: 'watch', count: received, errors: 0, elapsedMs, opsPerSec: (received * 1000) / elapsedMs, latency: histogram.summary() };
}
