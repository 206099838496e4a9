// Request counters and latencies for the whole server and per connection, as the four-letter
// words (srvr, stat, cons, mntr) report them.
// Counterpart: org.apache.zookeeper.server.ServerStats and ServerCnxn's per-connection stats.
// Also the event-loop lag of this Node process (node:perf_hooks), which ZooKeeper has no
// counterpart for; mntr reports it as zk_event_loop_lag_* and srst resets it.

import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { AvgMinMax } from '../metrics/avg-min-max.js';

/** How often the event-loop delay is sampled; every sample is (time between timer runs) − this. */
export const EVENT_LOOP_SAMPLE_MS = 10;

/** Milliseconds the event loop was late, over the samples since the process started or since reset. */
export interface EventLoopLag {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number;
}

// One sampler per process: the event loop is shared by every server in it. Its timer is unref'd,
// so it never keeps a process alive, and is never disabled.
let loopDelay: IntervalHistogram | undefined;

function eventLoopDelay(): IntervalHistogram {
  if (loopDelay === undefined) {
    loopDelay = monitorEventLoopDelay({ resolution: EVENT_LOOP_SAMPLE_MS });
    loopDelay.enable();
  }
  return loopDelay;
}

/** A histogram value (ns between timer runs) → ms late. */
function lateMs(ns: number): number {
  return Math.max(0, ns / 1e6 - EVENT_LOOP_SAMPLE_MS);
}

export class ServerStats {
  packetsReceived = 0;
  packetsSent = 0;
  readonly latency = new AvgMinMax();

  constructor() {
    eventLoopDelay();
  }

  /** Process-wide (all servers in this process share it); reset by reset(). */
  get eventLoopLag(): EventLoopLag {
    const h = eventLoopDelay();
    if (h.count === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0, samples: 0 };
    return { p50Ms: lateMs(h.percentile(50)), p99Ms: lateMs(h.percentile(99)), maxMs: lateMs(h.max), samples: h.count };
  }

  reset(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.latency.reset();
    eventLoopDelay().reset();
  }
}

export class ConnectionStats {
  packetsReceived = 0;
  packetsSent = 0;
  readonly latency = new AvgMinMax();
  lastOp = 'NA';
  lastCxid = -1;
  lastZxid = -1n;
  lastResponseTime = 0;
  lastLatency = 0;

  reset(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.latency.reset();
    this.lastOp = 'NA';
    this.lastCxid = -1;
    this.lastZxid = -1n;
    this.lastResponseTime = 0;
    this.lastLatency = 0;
  }
}
