// Golden bytes: every frame captured between real clients (zkCli, kazoo, the C client, the Java
// client) and Apache ZooKeeper 3.8 decodes with our codecs and re-encodes to the same bytes.

import { describe, expect, it } from 'vitest';
import { decodeConnectRequest, decodeConnectResponse, encodeConnectRequest, encodeConnectResponse } from '../../../protocol/handshake.js';
import { JuteReader } from '../../../protocol/jute/reader.js';
import { JuteWriter } from '../../../protocol/jute/writer.js';
import {
  decodeReplyFrame, decodeRequestFrame, encodeReply, encodeRequest, loadGoldens,
} from '../../support/golden.js';

const goldens = loadGoldens();

describe('golden bytes from ZooKeeper 3.8', () => {
  it('has captures to check', () => {
    expect(goldens.length).toBeGreaterThanOrEqual(10);
  });

  it.each(goldens.map((g) => [g.name, g] as const))('%s: every frame round-trips byte for byte', (_name, golden) => {
    const seen = new Set<string>();
    const pending = new Map<number, Map<number, number>>();
    let requests = 0;
    let replies = 0;
    for (const frame of golden.frames) {
      const bytes = Buffer.from(frame.hex, 'hex');
      const key = `${frame.conn}/${frame.dir}`;
      const first = !seen.has(key);
      seen.add(key);
      if (!pending.has(frame.conn)) pending.set(frame.conn, new Map());
      const outstanding = pending.get(frame.conn)!;
      if (first) {
        const w = JuteWriter.forFrame();
        if (frame.dir === 'c2s') encodeConnectRequest(w, decodeConnectRequest(new JuteReader(bytes, 4)));
        else encodeConnectResponse(w, decodeConnectResponse(new JuteReader(bytes, 4)));
        expect(Buffer.from(w.frame()).toString('hex'), `${key} handshake`).toBe(frame.hex);
        continue;
      }
      if (frame.dir === 'c2s') {
        const req = decodeRequestFrame(bytes);
        expect(req.trailing, `request ${frame.note}`).toBe(0);
        expect(encodeRequest(req).toString('hex'), `request ${frame.note}`).toBe(frame.hex);
        if (req.xid >= 0 || req.xid === -8) outstanding.set(req.xid, req.type);
        requests++;
      } else {
        const rep = decodeReplyFrame(bytes, outstanding);
        expect(rep.type, `reply to an unknown xid: ${frame.note}`).not.toBe(-999);
        if (rep.err === 0) {
          expect(rep.trailing, `reply ${frame.note}`).toBe(0);
          expect(encodeReply(rep).toString('hex'), `reply ${frame.note}`).toBe(frame.hex);
        }
        replies++;
      }
    }
    expect(requests).toBeGreaterThan(0);
    expect(replies).toBeGreaterThan(0);
  });
});
