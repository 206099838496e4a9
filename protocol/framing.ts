// Incremental decoder for the client port's `int32 length | payload` frames. It refuses a length
// outside [0, maxBuffer] as soon as the 4 length bytes arrive, before allocating anything.
// Counterpart: NIOServerCnxn.readLength / ClientCnxnSocket.readLength (jute.maxbuffer).

export const DEFAULT_MAX_BUFFER = 0xfffff;

export class FrameTooLargeError extends Error {
  override readonly name = 'FrameTooLargeError';
  constructor(readonly length: number, readonly maxBuffer: number) {
    super(`frame length ${length} is outside [0, ${maxBuffer}] (jute.maxbuffer)`);
  }
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1;
  private failed = false;
  private firstWord: number | undefined;

  constructor(private readonly maxBuffer = DEFAULT_MAX_BUFFER) {}

  /** The first 4 bytes of the stream, once they have arrived (for four-letter-word detection). */
  peekFirstWord(): number | undefined {
    return this.firstWord;
  }

  /**
   * Feeds bytes; returns the complete frame payloads now available, in order.
   * Throws FrameTooLargeError for a bad length; after that the decoder refuses all input.
   */
  push(chunk: Buffer): Buffer[] {
    if (this.failed) throw new Error('FrameDecoder used after a framing error');
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Buffer[] = [];
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < 4) break;
        const len = this.take(4).readInt32BE(0);
        this.firstWord ??= len;
        if (len < 0 || len > this.maxBuffer) {
          this.failed = true;
          this.chunks = [];
          this.buffered = 0;
          throw new FrameTooLargeError(len, this.maxBuffer);
        }
        this.expected = len;
      }
      if (this.buffered < this.expected) break;
      frames.push(this.take(this.expected));
      this.expected = -1;
    }
    return frames;
  }

  /** Bytes received but not yet part of a complete frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  private contiguous(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    const merged = Buffer.concat(this.chunks);
    this.chunks = [merged];
    return merged;
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const buf = this.contiguous(n);
    const out = buf.subarray(0, n);
    if (buf.length === n) this.chunks.shift();
    else this.chunks[0] = buf.subarray(n);
    this.buffered -= n;
    return out;
  }
}
