// Reads jute primitives from one buffer, big-endian, with bounds checks on every field.
// Never allocates from an untrusted length before checking it against the bytes present.
// Counterpart: org.apache.jute.BinaryInputArchive.

import { JuteDecodeError } from './errors.js';

export class JuteReader {
  private offset: number;
  private readonly end: number;
  private view: DataView | undefined;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    end = buf.length,
  ) {
    this.offset = start;
    this.end = end;
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number, what: string): void {
    if (this.end - this.offset < n) {
      throw new JuteDecodeError(`truncated ${what}: need ${n} bytes, have ${this.end - this.offset}`);
    }
  }

  int(): number {
    this.need(4, 'int');
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  long(): bigint {
    this.need(8, 'long');
    // a DataView allocates only the result; Buffer.readBigInt64BE allocates several BigInts
    this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    const v = this.view.getBigInt64(this.offset);
    this.offset += 8;
    return v;
  }

  byte(): number {
    this.need(1, 'byte');
    return this.buf.readInt8(this.offset++);
  }

  bool(): boolean {
    this.need(1, 'boolean');
    return this.buf[this.offset++] !== 0;
  }

  /** Length-prefixed bytes; length -1 is null. The result is a copy, safe to keep. */
  buffer(): Buffer | null {
    const n = this.length('buffer');
    if (n < 0) return null;
    const out = Buffer.allocUnsafe(n);
    this.buf.copy(out, 0, this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** Length-prefixed UTF-8; length -1 is null. */
  ustringOrNull(): string | null {
    const n = this.length('ustring');
    if (n < 0) return null;
    const s = this.buf.toString('utf8', this.offset, this.offset + n);
    this.offset += n;
    return s;
  }

  /** Reads a vector/string/buffer length: -1 (null) or a length the remaining bytes can hold. */
  length(what: string): number {
    const n = this.int();
    if (n === -1) return -1;
    if (n < -1) throw new JuteDecodeError(`negative ${what} length ${n}`);
    this.need(n, what);
    return n;
  }

  /** A vector count; each element takes at least one byte, so a count beyond the remaining bytes is refused. */
  count(what: string): number {
    const n = this.int();
    if (n === -1) return -1;
    if (n < -1) throw new JuteDecodeError(`negative ${what} count ${n}`);
    if (n > this.remaining) throw new JuteDecodeError(`${what} count ${n} exceeds the ${this.remaining} bytes left`);
    return n;
  }
}
