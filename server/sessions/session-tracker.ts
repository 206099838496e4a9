// Sessions and their expiry, in pure form: time is an input (ms), never read from a clock.
// Expiry uses tick-sized buckets: each touch moves a session to bucket ceil(now + timeout).
// Counterpart: SessionTrackerImpl + ExpiryQueue.

export interface Session {
  readonly id: bigint;
  timeoutMs: number;
  /** The expiry bucket the session is in. */
  expiresAtMs: number;
  /** Set once a closeSession txn has been issued; requests then get SessionExpired. */
  closing: boolean;
}

/** The first session id of a server: myid in the top byte, the start time below it. */
export function initialSessionId(serverId: number, nowMs: number): bigint {
  const timeBits = BigInt.asUintN(64, BigInt(Math.trunc(nowMs)) << 24n) >> 8n;
  let id = BigInt.asIntN(64, timeBits | (BigInt(serverId) << 56n));
  if (id === -0x8000000000000000n) id++;
  return id;
}

export class SessionTracker {
  private readonly sessions = new Map<bigint, Session>();
  private readonly buckets = new Map<number, Set<Session>>();
  private nextExpirationMs: number;
  private nextId: bigint;

  constructor(
    private readonly tickTimeMs: number,
    serverId: number,
    nowMs: number,
  ) {
    this.nextId = initialSessionId(serverId, nowMs);
    this.nextExpirationMs = this.roundToBucket(nowMs);
  }

  private roundToBucket(t: number): number {
    return (Math.floor(t / this.tickTimeMs) + 1) * this.tickTimeMs;
  }

  /** Allocates the id for a new session (the createSession txn carries it). */
  nextSessionId(): bigint {
    let id = this.take();
    if (id === -0x8000000000000000n) id = this.take();
    return id;
  }

  /** next++ with Java long wrap-around, so ids stay signed 64-bit. */
  private take(): bigint {
    const id = this.nextId;
    this.nextId = BigInt.asIntN(64, id + 1n);
    return id;
  }

  /** Registers a session (when its createSession txn is applied). */
  add(id: bigint, timeoutMs: number, nowMs: number): Session {
    let session = this.sessions.get(id);
    if (!session) {
      session = { id, timeoutMs, expiresAtMs: 0, closing: false };
      this.sessions.set(id, session);
    }
    session.timeoutMs = timeoutMs;
    this.touchSession(session, nowMs);
    return session;
  }

  get(id: bigint): Session | undefined {
    return this.sessions.get(id);
  }

  /** Moves a live session's expiry forward; false when it is unknown or closing. */
  touch(id: bigint, nowMs: number): boolean {
    const session = this.sessions.get(id);
    if (!session || session.closing) return false;
    this.touchSession(session, nowMs);
    return true;
  }

  private touchSession(session: Session, nowMs: number): void {
    const bucket = this.roundToBucket(nowMs + session.timeoutMs);
    if (bucket === session.expiresAtMs) return;
    this.buckets.get(session.expiresAtMs)?.delete(session);
    let set = this.buckets.get(bucket);
    if (!set) this.buckets.set(bucket, (set = new Set()));
    set.add(session);
    session.expiresAtMs = bucket;
  }

  setClosing(id: bigint): void {
    const session = this.sessions.get(id);
    if (session) session.closing = true;
  }

  remove(id: bigint): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    const set = this.buckets.get(session.expiresAtMs);
    set?.delete(session);
    if (set?.size === 0) this.buckets.delete(session.expiresAtMs);
  }

  /** Sessions whose bucket has passed; each is marked closing and returned once. */
  expire(nowMs: number): Session[] {
    const out: Session[] = [];
    while (this.nextExpirationMs <= nowMs) {
      const set = this.buckets.get(this.nextExpirationMs);
      this.buckets.delete(this.nextExpirationMs);
      if (set) {
        for (const s of set) {
          if (!s.closing) {
            s.closing = true;
            out.push(s);
          }
        }
      }
      this.nextExpirationMs += this.tickTimeMs;
    }
    return out;
  }

  all(): IterableIterator<Session> {
    return this.sessions.values();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Sessions grouped by expiry bucket (for the dump four-letter word). */
  bucketsByTime(): [number, Session[]][] {
    return [...this.buckets.entries()].filter(([, s]) => s.size > 0).sort((a, b) => a[0] - b[0]).map(([t, s]) => [t, [...s]]);
  }
}
