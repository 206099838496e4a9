// Writes jute primitives into a growable buffer, big-endian. `frame()` reserves the 4-byte
// length prefix so a whole client-port frame is built with one allocation in the common case.
// Longs go through a DataView: Buffer.writeBigInt64BE allocates several BigInts per call, which
// on a server writing a dozen longs per request is most of its garbage.
// Counterpart: org.apache.jute.BinaryOutputArchive.

/** A reused writer keeps a buffer up to this size (or its initial size, if bigger). */
const KEEP_AT_MOST = 1 << 20;

export class JuteWriter {
  private buf: Buffer;
  private offset = 0;
  /** Over `buf`, made on the first long() (many writers never write one). */
  private view: DataView | undefined;

  /** The largest buffer `reset()` keeps: the initial size, or KEEP_AT_MOST if that is more. */
  private readonly keep: number;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
    this.keep = Math.max(initialSize, KEEP_AT_MOST);
  }

  /** A writer whose first 4 bytes are reserved for the frame length. */
  static forFrame(initialSize = 256): JuteWriter {
    const w = new JuteWriter(initialSize);
    w.offset = 4;
    return w;
  }

  get length(): number {
    return this.offset;
  }

  /**
   * Starts over in the same buffer (views from `bytes()` are invalid afterwards). A buffer that
   * one big message grew past what the writer keeps is let go, so a reused writer does not hold
   * it forever.
   */
  reset(): void {
    this.offset = 0;
    if (this.buf.length > this.keep) {
      this.buf = Buffer.allocUnsafe(this.keep);
      this.view = undefined;
    }
  }

  /** `reset()`, then the length prefix reserved as by `forFrame`. */
  resetForFrame(): void {
    this.reset();
    this.offset = 4;
  }

  private ensure(n: number): void {
    if (this.offset + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.offset + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
    this.view = undefined;
  }

  int(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.offset);
    this.offset += 4;
    return this;
  }

  /** Two's complement, wrapped to 64 bits as BigInt.asIntN(64, v) would. */
  long(v: bigint): this {
    this.ensure(8);
    this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.view.setBigInt64(this.offset, v);
    this.offset += 8;
    return this;
  }

  byte(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.offset++);
    return this;
  }

  bool(v: boolean): this {
    this.ensure(1);
    this.buf[this.offset++] = v ? 1 : 0;
    return this;
  }

  buffer(v: Uint8Array | null): this {
    if (v === null) return this.int(-1);
    this.int(v.length);
    this.ensure(v.length);
    this.buf.set(v, this.offset);
    this.offset += v.length;
    return this;
  }

  ustring(v: string | null): this {
    if (v === null) return this.int(-1);
    const n = Buffer.byteLength(v, 'utf8');
    this.int(n);
    this.ensure(n);
    this.buf.write(v, this.offset, n, 'utf8');
    this.offset += n;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.offset);
    this.offset += bytes.length;
    return this;
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.offset);
  }

  /** Fills in the reserved length prefix and returns the whole frame. */
  frame(): Buffer {
    this.buf.writeInt32BE(this.offset - 4, 0);
    return this.buf.subarray(0, this.offset);
  }

  /**
   * A copy of the bytes written so far, in a buffer of its own. With a long-lived scratch writer
   * this is one small allocation per message, where a fresh writer costs its buffer, a DataView,
   * a bigger buffer when it grows, and the view returned.
   */
  copy(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.offset));
  }

  /** `frame()`, copied out as by `copy()`. */
  copyFrame(): Buffer {
    this.buf.writeInt32BE(this.offset - 4, 0);
    return this.copy();
  }
}
