// Human-readable notes for captured golden frames (used only by scripts/capture-golden.ts):
// a deliberately small, independent decoder of headers, paths and watch events, so fixture
// readers can see what each hex frame is without running the project's own codec.
import type { RecordedFrame } from '../../test/support/recording-proxy.js';

export const OP_NAMES: Record<number, string> = {
  1: 'create', 2: 'delete', 3: 'exists', 4: 'getData', 5: 'setData', 6: 'getACL', 7: 'setACL',
  8: 'getChildren', 9: 'sync', 11: 'ping', 12: 'getChildren2', 13: 'check', 14: 'multi',
  15: 'create2', 16: 'reconfig', 17: 'checkWatches', 18: 'removeWatches', 19: 'createContainer',
  20: 'deleteContainer', 21: 'createTTL', 22: 'multiRead', 100: 'auth', 101: 'setWatches',
  102: 'sasl', 103: 'getEphemerals', 104: 'getAllChildrenNumber', 105: 'setWatches2',
  106: 'addWatch', 107: 'whoAmI', [-11]: 'closeSession',
};

const ERR_NAMES: Record<number, string> = {
  0: 'OK', [-2]: 'RuntimeInconsistency', [-5]: 'MarshallingError', [-6]: 'Unimplemented',
  [-8]: 'BadArguments', [-101]: 'NoNode', [-102]: 'NoAuth', [-103]: 'BadVersion',
  [-108]: 'NoChildrenForEphemerals', [-110]: 'NodeExists', [-111]: 'NotEmpty',
  [-112]: 'SessionExpired', [-121]: 'NoWatcher', [-123]: 'ReconfigDisabled',
};

const EVENT_NAMES: Record<number, string> = {
  1: 'NodeCreated', 2: 'NodeDeleted', 3: 'NodeDataChanged', 4: 'NodeChildrenChanged',
  5: 'DataWatchRemoved', 6: 'ChildWatchRemoved', 7: 'PersistentWatchRemoved',
};

/** Request types whose record starts with a ustring path. */
const PATH_FIRST = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 17, 18, 19, 21, 103, 104, 106]);

const hex64 = (b: Buffer, off: number): string => {
  const v = b.readBigInt64BE(off);
  return v < 0n ? v.toString() : `0x${v.toString(16)}`;
};

function ustring(b: Buffer, off: number): string | undefined {
  if (b.length < off + 4) return undefined;
  const len = b.readInt32BE(off);
  if (len < 0 || b.length < off + 4 + len) return undefined;
  return b.toString('utf8', off + 4, off + 4 + len);
}

/** Annotates frames in order; tracks per-connection state (first frame, xid → op). */
export class FrameAnnotator {
  private readonly seen = new Map<string, number>();
  private readonly pending = new Map<number, Map<number, number>>();

  /** The c2s request type code of a frame, or undefined for handshake/reply frames. */
  requestType(frame: RecordedFrame): number | undefined {
    if (frame.dir !== 'c2s' || this.isFirst(frame)) return undefined;
    return Buffer.from(frame.hex, 'hex').readInt32BE(8);
  }

  note(frame: RecordedFrame): string {
    const b = Buffer.from(frame.hex, 'hex');
    const first = this.isFirst(frame);
    this.seen.set(`${frame.conn}/${frame.dir}`, (this.seen.get(`${frame.conn}/${frame.dir}`) ?? 0) + 1);
    if (frame.dir === 'c2s') return first ? this.connectRequest(b) : this.request(frame.conn, b);
    return first ? this.connectResponse(b) : this.reply(frame.conn, b);
  }

  private isFirst(frame: RecordedFrame): boolean {
    return !this.seen.has(`${frame.conn}/${frame.dir}`);
  }

  private connectRequest(b: Buffer): string {
    const ro = b.length > 48 ? ` readOnly=${b[48] !== 0}` : ' (no readOnly byte)';
    return `ConnectRequest lastZxidSeen=${hex64(b, 8)} timeout=${b.readInt32BE(16)} sessionId=${hex64(b, 20)}${ro}`;
  }

  private connectResponse(b: Buffer): string {
    const ro = b.length > 40 ? ` readOnly=${b[40] !== 0}` : ' (no readOnly byte)';
    return `ConnectResponse timeout=${b.readInt32BE(8)} sessionId=${hex64(b, 12)}${ro}`;
  }

  private request(conn: number, b: Buffer): string {
    const xid = b.readInt32BE(4);
    const type = b.readInt32BE(8);
    const name = OP_NAMES[type] ?? `op${type}`;
    let byXid = this.pending.get(conn);
    if (!byXid) this.pending.set(conn, (byXid = new Map()));
    byXid.set(xid, type);
    if (type === 100) return `auth xid=${xid} scheme=${ustring(b, 16) ?? '?'}`;
    const path = PATH_FIRST.has(type) ? ustring(b, 12) : undefined;
    return `${name} xid=${xid}${path === undefined ? '' : ` ${path}`}`;
  }

  private reply(conn: number, b: Buffer): string {
    const xid = b.readInt32BE(4);
    const zxid = hex64(b, 8);
    const err = b.readInt32BE(16);
    const errName = err === 0 ? undefined : ERR_NAMES[err];
    const errText = errName === undefined ? `err=${err}` : `err=${err} ${errName}`;
    if (xid === -1) {
      const event = b.readInt32BE(20);
      return `notification ${EVENT_NAMES[event] ?? event} ${ustring(b, 28) ?? '?'} zxid=${zxid}`;
    }
    if (xid === -2) return `ping reply zxid=${zxid}`;
    const type = this.pending.get(conn)?.get(xid);
    this.pending.get(conn)?.delete(xid);
    const name = type === undefined ? '?' : (OP_NAMES[type] ?? `op${type}`);
    return `${name} reply xid=${xid} zxid=${zxid} ${errText}`;
  }
}
