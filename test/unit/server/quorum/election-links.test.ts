// The election port on real loopback sockets: messages between members in both directions;
// only the higher sid keeps a connection (a lower sid's connection is closed and dialled back);
// unconfigured sids and garbage are refused while the member goes on; a message for a member
// that is down waits and is delivered once it comes up, also after a restart.

import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ElectionLinks, type PeerEndpoint } from '../../../../server/quorum/election-links.js';
import { ElectionFrameReader, encodeElectionFrame, encodeInitialMessage, parseInitialMessage } from '../../../../server/quorum/initial-message.js';
import { freePorts } from '../../../support/ports.js';

interface Node {
  sid: bigint;
  links: ElectionLinks;
  received: { from: bigint; text: string }[];
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function endpoints(ports: number[]): Map<bigint, PeerEndpoint> {
  return new Map(ports.map((port, i) => [BigInt(i + 1), { host: '127.0.0.1', port }]));
}

async function node(sid: bigint, all: Map<bigint, PeerEndpoint>, listen = true): Promise<Node> {
  const received: Node['received'] = [];
  const links = new ElectionLinks({
    myid: sid, self: all.get(sid)!, peers: all, log: () => undefined, minRetryMs: 20, maxRetryMs: 200,
    onMessage: (from, payload) => received.push({ from, text: payload.toString() }),
  });
  if (listen) await links.listen();
  cleanups.push(() => links.close());
  return { sid, links, received };
}

/** A raw peer: dials `port`, sends an initial message as `sid`, and records frames it receives. */
function rawPeer(port: number, sid: bigint): { socket: Socket; frames: string[]; closed: () => boolean } {
  const socket = createConnection(port, '127.0.0.1');
  const frames: string[] = [];
  let closed = false;
  const reader = new ElectionFrameReader();
  socket.on('data', (d) => frames.push(...reader.push(d).map((f) => f.toString())));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  socket.write(encodeInitialMessage(sid, '127.0.0.1:1'));
  cleanups.push(() => void socket.destroy());
  return { socket, frames, closed: () => closed };
}

describe('election links', () => {
  it('carry messages both ways between three members, over one connection per pair', async () => {
    const all = endpoints(await freePorts(3));
    const nodes = await Promise.all([1n, 2n, 3n].map((sid) => node(sid, all)));
    for (const a of nodes) for (const b of nodes) if (a !== b) a.links.send(b.sid, Buffer.from(`${a.sid}->${b.sid}`));
    await waitFor(() => nodes.every((n) => n.received.length === 2), 'every message');
    for (const n of nodes) {
      expect(n.received.map((r) => r.text).sort()).toEqual(nodes.filter((o) => o !== n).map((o) => `${o.sid}->${n.sid}`).sort());
      expect(n.links.connectedPeers().sort()).toEqual(nodes.filter((o) => o !== n).map((o) => o.sid).sort());
    }
  });

  it('keeps a connection from a higher sid, and closes one from a lower sid and dials it back', async () => {
    const ports = await freePorts(3);
    const all = endpoints(ports);
    const two = await node(2n, all);

    // sid 3 (higher) dials 2: kept, and used in both directions.
    const higher = rawPeer(ports[1]!, 3n);
    higher.socket.write(encodeElectionFrame(Buffer.from('from 3')));
    await waitFor(() => two.received.length === 1, 'the frame from 3');
    expect(two.received[0]).toEqual({ from: 3n, text: 'from 3' });
    two.links.send(3n, Buffer.from('to 3'));
    await waitFor(() => higher.frames.length === 1, 'the frame to 3');
    expect(higher.frames).toEqual(['to 3']);

    // sid 1 (lower) dials 2: closed, and 2 dials 1's election address announcing itself.
    const dialledBack = new Promise<bigint>((resolve) => {
      const accepted: Socket[] = [];
      const server: Server = createServer((s) => {
        accepted.push(s);
        let head = Buffer.alloc(0);
        s.on('data', (d) => {
          head = Buffer.concat([head, d]);
          const parsed = parseInitialMessage(head);
          if (parsed) resolve(parsed.message.sid);
        });
      });
      server.listen(ports[0]!, '127.0.0.1');
      cleanups.push(() => new Promise<void>((r) => {
        for (const s of accepted) s.destroy();
        server.close(() => r());
      }));
    });
    const lower = rawPeer(ports[1]!, 1n);
    await waitFor(() => lower.closed(), 'the lower sid\'s connection to close');
    expect(await dialledBack).toBe(2n);
  });

  it('refuses unconfigured sids and garbage, and goes on working', async () => {
    const ports = await freePorts(2);
    const all = endpoints(ports);
    const [one, two] = await Promise.all([node(1n, all), node(2n, all)]);
    const stranger = rawPeer(ports[0]!, 9n);
    await waitFor(() => stranger.closed(), 'the stranger to be closed');
    const garbage = createConnection(ports[0]!, '127.0.0.1');
    garbage.on('error', () => undefined);
    let garbageClosed = false;
    garbage.on('close', () => (garbageClosed = true));
    garbage.write(Buffer.from('\xff\xff\xff\xff\xff\xff\xff\x01 what', 'latin1')); // an unknown protocol version
    await waitFor(() => garbageClosed, 'the garbage connection to be closed');
    expect(one.links.refused).toBe(2);
    two.links.send(1n, Buffer.from('still here'));
    await waitFor(() => one.received.length === 1, 'a message after the refusals');
    expect(one.received[0]).toEqual({ from: 2n, text: 'still here' });
  });

  it('delivers a message to a member that comes up later, and again after it restarts', async () => {
    const all = endpoints(await freePorts(2));
    const one = await node(1n, all);
    one.links.send(2n, Buffer.from('early'));
    await new Promise((r) => setTimeout(r, 100)); // a few failed dials with back-off
    let two = await node(2n, all);
    await waitFor(() => two.received.length === 1, 'the waiting message');
    expect(two.received[0]).toEqual({ from: 1n, text: 'early' });

    await two.links.close();
    two = await node(2n, all);
    // The link broke with the restart; the next message waits for the new link and arrives.
    one.links.send(2n, Buffer.from('after restart'));
    await waitFor(() => two.received.some((r) => r.text === 'after restart'), 'the message after the restart');
  });
});
