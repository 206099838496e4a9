// Incremental decoder for the client port's `int32 length | payload` frames. It refuses a length
// outside [0, maxBuffer] as soon as the 4 length bytes arrive, before allocating anything; the
// complete frames that came before the bad length are still handed over, so the caller can
// process them first and then close, as ZooKeeper does.
// Counterpart: NIOServerCnxn.readLength / NettyServerCnxn.receiveMessage ("Len error"),
// ClientCnxnSocket.readLength (jute.maxbuffer).

export const DEFAULT_MAX_BUFFER = 0xfffff;

export class FrameTooLargeError extends Error {
  override readonly name = 'FrameTooLargeError';
  /**
   * @param frames the complete frames that preceded the bad length in the input that failed
   *   (already returned frames are not repeated); a caller of `push` processes them before closing.
   */
  constructor(readonly length: number, readonly maxBuffer: number, readonly frames: readonly Buffer[] = []) {
    super(`frame length ${length} is outside [0, ${maxBuffer}] (jute.maxbuffer)`);
  }
}

/** What one chunk of input yields: the frames now complete, and the framing error that ends the stream, if any. */
export interface DecodedInput {
  readonly frames: Buffer[];
  /** Set when a bad length followed `frames`; the decoder then refuses all input. */
  readonly error?: FrameTooLargeError;
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
   * Feeds bytes; returns the complete frame payloads now available, in order, and after them the
   * bad length that ends the stream, if one arrived. Frames before a bad length are always
   * delivered. After an error the decoder refuses all input (throws).
   */
  decode(chunk: Buffer): DecodedInput {
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
          return { frames, error: new FrameTooLargeError(len, this.maxBuffer, frames) };
        }
        this.expected = len;
      }
      if (this.buffered < this.expected) break;
      frames.push(this.take(this.expected));
      this.expected = -1;
    }
    return { frames };
  }

  /**
   * `decode` for callers that treat a bad length as an exception: returns the frames, or throws
   * the FrameTooLargeError, whose `frames` holds the complete frames that came before it.
   */
  push(chunk: Buffer): Buffer[] {
    const { frames, error } = this.decode(chunk);
    if (error) throw error;
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
