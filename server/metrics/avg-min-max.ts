// A running count / total / min / max of a measured value (request latency, durable-write time,
// group-commit size), as mntr reports them: avg_, min_, max_, cnt_ and sum_ of a name.
// Counterpart: org.apache.zookeeper.server.metric.AvgMinMaxCounter.

export class AvgMinMax {
  count = 0;
  total = 0;
  min = Number.MAX_SAFE_INTEGER;
  max = 0;

  record(value: number): void {
    this.count++;
    this.total += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
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
