// How long a Redis contender waits between SET NX attempts: exponential from minMs to maxMs,
// each delay drawn from its upper half so contenders that collided drift apart ("equal
// jitter"). Counterpart: Curator's ExponentialBackoffRetry sleep, Redisson's lock retry delay.

export class PollBackoff {
  private ceiling: number;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly random: () => number,
  ) {
    this.ceiling = minMs;
  }

  /** The next delay in milliseconds, within [ceiling/2, ceiling]; the ceiling doubles up to maxMs. */
  next(): number {
    const ceiling = this.ceiling;
    this.ceiling = Math.min(this.maxMs, ceiling * 2);
    return ceiling / 2 + (this.random() * ceiling) / 2;
  }
}
