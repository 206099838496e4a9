// `npm run bench:pipeline`: what one request costs the standalone request pipeline itself, in
// process, with no sockets, no disk and no other process competing: decode, prepare, encode the
// txn as the log would, apply, build the reply. Frames are built before the clock starts; the log
// is stood in for by a sink that encodes each txn and reports a batch durable every --batch txns
// (about what a group commit holds under the bench's 4x100 load). CPU microseconds per request and
// the GC time are printed per round. On a shared machine the figure still moves by ~10%, far
// less than a whole server under load does; compare two builds by alternating them.
// Counterpart: none (ZooKeeper's request processors run on their own threads).

import { PerformanceObserver, performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { payload, requestFrame, type WireOp } from '../bench/workload.js';
import type { ClientChannel } from '../server/requests/client-channel.js';
import { RequestProcessor, type TxnSink } from '../server/requests/request-processor.js';
import { encodeTxn, type Txn } from '../server/requests/txn.js';
import { defaultServerOptions } from '../server/options.js';

const program = new Command()
  .option('--op <op>', 'create, setData, getData or exists', 'create')
  .option('--requests <n>', 'requests per round', '300000')
  .option('--rounds <n>', 'rounds, each on a fresh pipeline', '3')
  .option('--batch <n>', 'txns per simulated group commit', '130')
  .parse();
const opts = program.opts<{ op: string; requests: string; rounds: string; batch: string }>();
const OPS: readonly WireOp[] = ['create', 'setData', 'getData', 'exists'];
if (!OPS.includes(opts.op as WireOp)) program.error(`--op must be one of ${OPS.join(', ')}`);
const op = opts.op as WireOp;
const REQUESTS = Number(opts.requests);
const BATCH = Number(opts.batch);

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });

/** Encodes every txn, as the log does, and keeps only the newest zxid. */
class EncodingSink implements TxnSink {
  lastZxid = 0n;
  bytes = 0;
  append(txn: Txn): boolean {
    this.bytes += encodeTxn(txn).length;
    this.lastZxid = txn.header.zxid;
    return false;
  }
}

const data = payload(100);
const KEYS = 1000;
const keyPath = (i: number) => `/k${i % KEYS}`;

/** Lets the GC observer deliver what it has seen so far. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

async function round(n: number): Promise<string> {
  const sink = new EncodingSink();
  const processor = new RequestProcessor(defaultServerOptions(), 0, sink);
  let replies = 0;
  const channel: ClientChannel = {
    remoteIp: '127.0.0.1', sessionId: 0n, authIds: [],
    send: () => void replies++, close: () => undefined, notify: () => undefined, canRead: () => true,
  };
  processor.connect(channel, {
    protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30_000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false,
  }, 0, () => undefined);
  processor.durable(sink.lastZxid, 0); // the session exists once its createSession is applied
  for (let i = 0; i < KEYS; i++) processor.process(channel, requestFrame(i + 1, 'create', keyPath(i), data).subarray(4), 0);
  processor.durable(sink.lastZxid, 0);
  if (processor.tree.get(keyPath(KEYS - 1)) === undefined) throw new Error('the key space was not created');

  const frames: Buffer[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const path = op === 'create' ? `/c${n}-${i}` : keyPath(i);
    frames.push(requestFrame(KEYS + i + 1, op, path, op === 'create' || op === 'setData' ? data : null).subarray(4));
  }
  replies = 0;
  await settle();
  gcMs = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  // The clock the pipeline is given moves as at 40k requests per second.
  const clock = (i: number) => 1000 + i / 40;
  for (let i = 0; i < REQUESTS; i++) {
    processor.process(channel, frames[i]!, clock(i));
    if ((i + 1) % BATCH === 0) processor.durable(sink.lastZxid, clock(i));
  }
  processor.durable(sink.lastZxid, clock(REQUESTS));
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (replies !== REQUESTS) throw new Error(`${replies} replies to ${REQUESTS} requests`);
  await settle();
  const us = (x: number) => (x / REQUESTS).toFixed(2);
  return `round ${n + 1}: ${us((used.user + used.system))} us CPU per ${op} (${us(wallMs * 1000)} us wall), GC ${gcMs.toFixed(0)} ms, ${processor.tree.nodeCount} znodes`;
}

const rounds = Number(opts.rounds);
console.log(`${op}, ${REQUESTS} requests per round, a simulated group commit every ${BATCH} txns`);
for (let n = 0; n < rounds; n++) console.log(await round(n));
