// Free TCP port discovery for tests on 127.0.0.1. Ports are picked outside the kernel's
// ephemeral range, so that nothing else on the machine is handed them by listen(0) or connect()
// between the pick and the server's bind. They are released before returning: a process that
// binds fixed ports could still take one.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/**
 * Below this, ports are often some service's fixed port (2181, 5432, 6379, 8080, ...).
 */
const LOWEST_TEST_PORT = 20_000;

/**
 * Ports outside the kernel's ephemeral range (from which listen(0) and connect() take theirs):
 * a server that is started some time after its port was picked (a JVM, a member coming back
 * after a stop) would otherwise race every listen(0) and outgoing connection on the machine.
 */
function nonEphemeralRange(): { from: number; to: number } | undefined {
  let low = 32768;
  let high = 60999;
  try {
    [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];
  } catch {
    // not Linux: assume its default range
  }
  if (low - LOWEST_TEST_PORT >= 1000) return { from: LOWEST_TEST_PORT, to: low - 1 };
  if (65535 - high >= 1000) return { from: high + 1, to: 65535 };
  return undefined;
}

function listenOn(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined)); // in use: the caller tries another
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function closeAll(servers: Iterable<Server>): Promise<void[]> {
  return Promise.all([...servers].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
}

/** `count` ports the kernel picks (ephemeral ones), held open together while picked. */
async function ephemeralPorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<Server>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('freePorts: no TCP address');
    return address.port;
  });
  await closeAll(servers);
  return ports;
}

/**
 * Several distinct ports of 127.0.0.1, free now: chosen at random outside the ephemeral range
 * and held open together while chosen (ephemeral ones when the system leaves too few outside it).
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
  await closeAll(held.values());
  return held.size === count ? [...held.keys()] : ephemeralPorts(count);
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/** Listens on an ephemeral port of 127.0.0.1 and resolves with the port. */
export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('listening socket has no TCP address');
  return address.port;
}
