// Request counters and latencies for the whole server and per connection, as the four-letter
// words (srvr, stat, cons, mntr) report them.
// Counterpart: org.apache.zookeeper.server.ServerStats and ServerCnxn's per-connection stats.

export class LatencyStats {
  count = 0;
  total = 0;
  min = Number.MAX_SAFE_INTEGER;
  max = 0;

  record(ms: number): void {
    this.count++;
    this.total += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  get minOrZero(): number {
    return this.count === 0 ? 0 : this.min;
  }

  get avg(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }

  reset(): void {
    this.count = 0;
    this.total = 0;
    this.min = Number.MAX_SAFE_INTEGER;
    this.max = 0;
  }
}

export class ServerStats {
  packetsReceived = 0;
  packetsSent = 0;
  readonly latency = new LatencyStats();

  reset(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.latency.reset();
  }
}

export class ConnectionStats {
  packetsReceived = 0;
  packetsSent = 0;
  readonly latency = new LatencyStats();
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
