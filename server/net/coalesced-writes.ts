// Writes everything queued for one socket within one tick of the event loop as a single write:
// small frames are copied into one buffer (cheaper than handing the socket each of them, which
// ends in a writev of hundreds of tiny iovecs); a batch holding a big buffer (a snapshot stream)
// goes out corked instead, so the big buffer is not copied. Used for client replies and for the
// quorum links in both directions.
// Counterpart: NIOServerCnxn's outgoing queue drained by one gathering write per select round,
// and the BufferedOutputStream in front of LearnerHandler's / Learner's quorum sockets.

import type { Socket } from 'node:net';

/** A batch with more bytes than this is written corked, buffer by buffer, instead of copied. */
const COPY_LIMIT_BYTES = 256 * 1024;

export class CoalescedWrites {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly socket: Socket) {}

  /** Queues `frame` to leave with everything else queued in this tick. */
  write(frame: Buffer): void {
    if (this.pending.length === 0) process.nextTick(this.flush);
    this.pending.push(frame);
    this.pendingBytes += frame.length;
  }

  /** Writes what is queued now (also run by itself at the end of the tick). */
  readonly flush = (): void => {
    const frames = this.pending;
    if (frames.length === 0) return;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.socket.destroyed || this.socket.writableEnded) return;
    if (frames.length === 1) {
      this.socket.write(frames[0]!);
    } else if (bytes <= COPY_LIMIT_BYTES) {
      this.socket.write(Buffer.concat(frames, bytes));
    } else {
      this.socket.cork();
      for (const frame of frames) this.socket.write(frame);
      this.socket.uncork();
    }
  };
}
