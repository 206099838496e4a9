// Free TCP ports of 127.0.0.1 for test servers that are started, stopped and started again on the
// same ports. They are picked outside the kernel's ephemeral range, the range listen(0) and every
// outgoing connect() draw from: a member restarted on its old port would otherwise race every such
// socket on the machine (and lose now and then, with EADDRINUSE). Held open together while
// picked, then released: a process binding fixed ports could still take one.
// Counterpart: Curator's InstanceSpec.getRandomPort (which asks the kernel, so ephemeral ports).

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

const HOST = '127.0.0.1';

/** Below this, ports are often some service's fixed port (2181, 5432, 6379, 8080, ...). */
const LOWEST_PORT = 20_000;

function nonEphemeralRange(): { from: number; to: number } | undefined {
  let low = 32768;
  let high = 60999;
  try {
    [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];
  } catch {
    // not Linux: assume its default range
  }
  if (low - LOWEST_PORT >= 1000) return { from: LOWEST_PORT, to: low - 1 };
  if (65535 - high >= 1000) return { from: high + 1, to: 65535 };
  return undefined;
}

/** Listens on `port` (0: the kernel picks); undefined when it is taken. */
function listenOn(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, HOST, () => resolve(server));
  });
}

/** Closes the servers and returns their ports. */
async function release(servers: Iterable<Server>): Promise<number[]> {
  const all = [...servers];
  const ports = all.map((s) => (s.address() as { port: number }).port);
  await Promise.all(all.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

/** `count` ports the kernel picks (ephemeral ones), held open together while picked. */
async function ephemeralPorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => listenOn(0)));
  const held = servers.filter((s): s is Server => s !== undefined);
  if (held.length < count) {
    await release(held);
    throw new Error(`no ${count} free ports on ${HOST}`);
  }
  return release(held);
}

/**
 * `count` distinct ports of 127.0.0.1, free now: chosen at random outside the ephemeral range
 * (ephemeral ones when the system leaves too few outside it).
 */
export async function freePorts(count: number): Promise<number[]> {
  const range = nonEphemeralRange();
  if (!range) return ephemeralPorts(count);
  const held = new Map<number, Server>();
  for (let attempt = 0; held.size < count && attempt < 100 * count; attempt++) {
    const port = range.from + Math.floor(Math.random() * (range.to - range.from + 1));
    if (held.has(port)) continue;
    const server = await listenOn(port);
    if (server) held.set(port, server);
  }
  if (held.size < count) {
    await release(held.values());
    return ephemeralPorts(count);
  }
  return release(held.values());
}
