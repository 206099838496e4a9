// The host list a session connects through: shuffled once (randomness injectable), then tried
// round-robin. It reports when a whole round has failed so the caller can back off before
// starting the next. Counterpart: org.apache.zookeeper.client.StaticHostProvider.

import type { HostPort } from './connect-string.js';

export class HostProvider {
  private readonly hosts: HostPort[];
  private index = -1;
  /** Attempts since the last successful connection. */
  private failedInRow = 0;

  constructor(hosts: readonly HostPort[], random: () => number) {
    if (hosts.length === 0) throw new TypeError('HostProvider needs at least one host');
    this.hosts = [...hosts];
    // Fisher-Yates with the injected source, so tests can fix the order.
    for (let i = this.hosts.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const a = this.hosts[i]!;
      this.hosts[i] = this.hosts[j]!;
      this.hosts[j] = a;
    }
  }

  get size(): number {
    return this.hosts.length;
  }

  /** The hosts in the order they are tried. */
  order(): readonly HostPort[] {
    return this.hosts;
  }

  /** The host for the next attempt and whether every host has failed since the last success. */
  next(): { host: HostPort; roundFailed: boolean } {
    const roundFailed = this.failedInRow > 0 && this.failedInRow % this.hosts.length === 0;
    this.index = (this.index + 1) % this.hosts.length;
    this.failedInRow++;
    return { host: this.hosts[this.index]!, roundFailed };
  }

  /** The host `next()` last returned. */
  current(): HostPort | undefined {
    return this.index < 0 ? undefined : this.hosts[this.index];
  }

  /** The attempt on `current()` succeeded. */
  connected(): void {
    this.failedInRow = 0;
  }
}
