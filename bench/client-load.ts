// The closed-loop load for the client comparison: K sessions of one client library, each keeping
// W getData or setData requests in flight through the library's API for a warm-up and then a
// measured window. Latency is API call → completion callback (so the library's own queueing,
// encoding and promise/callback costs are in it), recorded in an HDR histogram; only completions
// inside the window count.

import type { ClientSession } from './client-driver.js';
import { MeasuredWindow, type WindowResult } from './measured-window.js';
import { keyIndexAt, keyPath } from './workload.js';

export type ClientOp = 'getData' | 'setData';

export interface ClientLoadSpec {
  op: ClientOp;
  outstanding: number;
  /** Size of the seeded key space the sessions walk. */
  keys: number;
  data: Buffer;
  warmupMs: number;
  durationMs: number;
}

/** clientCpuPct is where the library's own cost shows. */
export type ClientLoadResult = WindowResult;

const DRAIN_TIMEOUT_MS = 15_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function runClientLoad(
  sessions: readonly ClientSession[],
  spec: ClientLoadSpec,
  onPhase?: (phase: 'warmup' | 'measure') => void,
): Promise<ClientLoadResult> {
  const window = new MeasuredWindow();
  const counters = sessions.map(() => 0);
  let stopping = false;
  let inFlight = 0;
  let wakeDrain: (() => void) | undefined;

  const issue = (s: number): void => {
    const i = counters[s]!;
    counters[s] = i + 1;
    const path = keyPath(keyIndexAt(s, sessions.length, i, spec.keys));
    const sentAt = performance.now();
    inFlight++;
    const done = (code: number): void => {
      inFlight--;
      window.record(sentAt, code);
      if (!stopping) issue(s);
      else if (inFlight === 0) wakeDrain?.();
    };
    if (spec.op === 'getData') sessions[s]!.getData(path, done);
    else sessions[s]!.setData(path, spec.data, done);
  };

  onPhase?.('warmup');
  for (let s = 0; s < sessions.length; s++) for (let w = 0; w < spec.outstanding; w++) issue(s);
  await sleep(spec.warmupMs);
  onPhase?.('measure');
  window.open();
  await sleep(spec.durationMs);
  const result = window.close();
  stopping = true;

  if (inFlight > 0) await Promise.race([new Promise<void>((resolve) => (wakeDrain = resolve)), sleep(DRAIN_TIMEOUT_MS)]);
  if (inFlight > 0) throw new Error(`${inFlight} requests still unanswered ${DRAIN_TIMEOUT_MS} ms after the run ended`);

  return result;
}
