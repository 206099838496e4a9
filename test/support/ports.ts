// Free TCP port discovery for tests on 127.0.0.1: freePorts (TestingCluster's picker, outside the
// kernel's ephemeral range, so nothing else on the machine is handed them by listen(0) or
// connect() between the pick and the server's bind), and listening on an ephemeral port.
import { type Server } from 'node:net';
import { freePorts } from '../../framework/testing/free-ports.js';

export { freePorts };

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
