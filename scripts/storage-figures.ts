// `npm run bench:storage`: the durability figures of docs/storage.md, measured in one process
// on this machine's disk (the data dir lives under $TMPDIR unless --dir is given):
//   1. group commit at saturation: txns per fdatasync and write throughput with fsync on;
//   2. event-loop lag p99 / max while a 1M-znode snapshot is written under a trickle of writes,
//      with the GC pauses meanwhile and the lag an idle process saw (the machine's share);
//   3. recovery time for 1M znodes: snapshot + a 100k-txn log.
// The request pipeline is driven directly (no sockets) so the figures are the storage's own.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { Command } from 'commander';
import { LagProbe } from '../bench/lag-probe.js';
import { encodeRequestFrame } from '../protocol/frames.js';
import { OpCode } from '../protocol/ops.js';
import * as R from '../protocol/records.js';
import { OPEN_ACL_UNSAFE } from '../protocol/types.js';
import type { ClientChannel } from '../server/requests/client-channel.js';
import { RequestProcessor } from '../server/requests/request-processor.js';
import { defaultServerOptions } from '../server/options.js';
import { DurableStore } from '../server/storage/durable-store.js';
import { recover } from '../server/storage/recovery.js';

const program = new Command()
  .option('--znodes <n>', 'znodes in the big tree', '1000000')
  .option('--log-txns <n>', 'txns in the log after the snapshot', '100000')
  .option('--saturation-seconds <s>', 'how long to saturate the log', '5')
  .option('--dir <path>', 'parent directory for the data dir (default: the OS temp dir)')
  .parse();
const opts = program.opts<{ znodes: string; logTxns: string; saturationSeconds: string; dir?: string }>();
const ZNODES = Number(opts.znodes);
const LOG_TXNS = Number(opts.logTxns);

const channel: ClientChannel = {
  remoteIp: '127.0.0.1', sessionId: 0n, authIds: [],
  send: () => undefined, close: () => undefined, notify: () => undefined, canRead: () => true,
};

async function open(dataDir: string, snapCount = 1_000_000_000) {
  const { store, recovery } = await DurableStore.open({
    dataDir, snapCount, preAllocBytes: 64 << 20, snapRetainCount: 3, purgeIntervalHours: 0,
    random: Math.random, log: () => undefined,
  });
  const proc = new RequestProcessor(defaultServerOptions(), Date.now(), store, recovery.state);
  store.attach(proc, () => Date.now(), (e) => { throw e; });
  await new Promise<void>((resolve) => proc.connect(channel, {
    protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30_000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false,
  }, Date.now(), () => resolve()));
  return { store, proc };
}

let xid = 0;
const createFrame = (path: string, data: Buffer) =>
  encodeRequestFrame(++xid, OpCode.create, R.CreateRequest, { path, data, acl: [...OPEN_ACL_UNSAFE], flags: 0 }).subarray(4);
const setFrame = (path: string, data: Buffer) =>
  encodeRequestFrame(++xid, OpCode.setData, R.SetDataRequest, { path, data, version: -1 }).subarray(4);

const payload = Buffer.alloc(100, 7);
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function saturation(parent: string) {
  const dir = mkdtempSync(join(parent, 'zabkit-sat-'));
  try {
    const { store, proc } = await open(dir);
    proc.process(channel, createFrame('/s', payload), Date.now());
    await store.settled();
    const { count: syncsBefore, total: txnsBefore } = store.log.stats.batchSize;
    const until = performance.now() + Number(opts.saturationSeconds) * 1000;
    let done = 0;
    // Keep 2,000 writes outstanding: the log always has a queue to commit as one batch.
    while (performance.now() < until) {
      for (let i = 0; i < 500; i++) proc.process(channel, setFrame('/s', payload), Date.now());
      while (proc.pendingTxns > 1500) await new Promise((r) => setImmediate(r));
      done += 500;
    }
    await store.settled();
    const seconds = Number(opts.saturationSeconds);
    const { count, total, max } = store.log.stats.batchSize;
    const syncs = count - syncsBefore;
    const txns = total - txnsBefore;
    await store.close();
    return { writesPerSecond: done / seconds, txnsPerFsync: txns / syncs, fsyncsPerSecond: syncs / seconds, maxBatch: max };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bigTree(parent: string) {
  const dir = mkdtempSync(join(parent, 'zabkit-big-'));
  try {
    let { store, proc } = await open(dir);
    const buildStart = performance.now();
    for (let p = 0; p < 1000; p++) proc.process(channel, createFrame(`/p${p}`, payload), Date.now());
    for (let i = 0; i < ZNODES; i++) {
      proc.process(channel, createFrame(`/p${i % 1000}/n${i}`, payload), Date.now());
      if (i % 20_000 === 0) await store.settled();
    }
    await store.settled();
    const buildSeconds = (performance.now() - buildStart) / 1000;

    // The snapshot, written while one write every millisecond keeps arriving.
    const probe = LagProbe.start();
    await probe.reset();
    const lag = monitorEventLoopDelay({ resolution: 1 });
    lag.enable();
    // garbage collection pauses meanwhile: the snapshot's own slices are bounded, GC is not
    let gcMaxMs = 0;
    let gcMs = 0;
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        gcMs += e.duration;
        gcMaxMs = Math.max(gcMaxMs, e.duration);
      }
    });
    gc.observe({ entryTypes: ['gc'] });
    let trickle = 0;
    const timer = setInterval(() => proc.process(channel, setFrame(`/p${trickle++ % 1000}`, payload), Date.now()), 1);
    const snapStart = performance.now();
    const written = await store.snapshot();
    const snapSeconds = (performance.now() - snapStart) / 1000;
    clearInterval(timer);
    lag.disable();
    gc.disconnect();
    const machine = await probe.read();
    probe.stop();
    const lagP99 = lag.percentile(99) / 1e6;
    const lagMax = lag.max / 1e6;

    for (let i = 0; i < LOG_TXNS; i++) {
      proc.process(channel, setFrame(`/p${i % 1000}/n${i}`, payload), Date.now());
      if (i % 20_000 === 0) await store.settled();
    }
    await store.close();
    const recoverStart = performance.now();
    const r = await recover(store.dirs);
    const recoverSeconds = (performance.now() - recoverStart) / 1000;
    return {
      znodes: r.state.tree.nodeCount, buildSeconds, snapshotBytes: written?.bytes ?? 0, snapshotSeconds: snapSeconds,
      snapshotLagP99Ms: lagP99, snapshotLagMaxMs: lagMax, snapshotGcMs: gcMs, snapshotGcMaxMs: gcMaxMs,
      snapshotProbeLagP99Ms: machine?.p99Ms, snapshotProbeLagMaxMs: machine?.maxMs, trickleWrites: trickle,
      replayedTxns: r.txnsReplayed, recoverySeconds: recoverSeconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const parent = opts.dir ?? tmpdir();
const sat = await saturation(parent);
console.log(`group commit:  ${fmt(sat.writesPerSecond)} writes/s with fsync on; ${fmt(sat.txnsPerFsync, 1)} txns per fdatasync ` +
  `(${fmt(sat.fsyncsPerSecond)} fdatasyncs/s, largest batch ${fmt(sat.maxBatch)})`);
const big = await bigTree(parent);
console.log(`snapshot:      ${fmt(big.znodes)} znodes, ${fmt(big.snapshotBytes / 1e6, 1)} MB in ${fmt(big.snapshotSeconds, 2)} s; ` +
  `event-loop lag meanwhile p99 ${fmt(big.snapshotLagP99Ms, 2)} ms, max ${fmt(big.snapshotLagMaxMs, 2)} ms (${fmt(big.trickleWrites)} writes served); ` +
  `GC meanwhile ${fmt(big.snapshotGcMs)} ms, longest pause ${fmt(big.snapshotGcMaxMs, 1)} ms; ` +
  `an idle process meanwhile: lag p99 ${fmt(big.snapshotProbeLagP99Ms ?? NaN, 2)} ms, max ${fmt(big.snapshotProbeLagMaxMs ?? NaN, 2)} ms`);
console.log(`recovery:      ${fmt(big.znodes)} znodes + ${fmt(big.replayedTxns)} txns of log in ${fmt(big.recoverySeconds, 2)} s`);
console.log(JSON.stringify({ machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, saturation: sat, bigTree: big }));
