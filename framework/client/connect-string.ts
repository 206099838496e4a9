// Parses a connect string: "host:port[,host:port...][/chroot]". Hosts without a port get 2181;
// IPv6 literals go in brackets ("[::1]:2181"). The chroot, when present, is validated as a path
// and "/" means none. Counterpart: org.apache.zookeeper.client.ConnectStringParser.

import { pathProblem } from '../../protocol/index.js';

export const DEFAULT_PORT = 2181;

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface ConnectString {
  readonly hosts: readonly HostPort[];
  /** The chroot prefix, e.g. "/app"; undefined when there is none. */
  readonly chroot: string | undefined;
}

export function formatHostPort(h: HostPort): string {
  return h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`;
}

function parseHost(spec: string, whole: string): HostPort {
  let host: string;
  let portText: string | undefined;
  if (spec.startsWith('[')) {
    const end = spec.indexOf(']');
    if (end < 0) throw new TypeError(`connect string "${whole}": unterminated IPv6 literal in "${spec}"`);
    host = spec.slice(1, end);
    const rest = spec.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new TypeError(`connect string "${whole}": bad host "${spec}"`);
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = spec.lastIndexOf(':');
    host = colon < 0 ? spec : spec.slice(0, colon);
    portText = colon < 0 ? undefined : spec.slice(colon + 1);
  }
  if (host === '') throw new TypeError(`connect string "${whole}": empty host in "${spec}"`);
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535 || portText === '') {
    throw new TypeError(`connect string "${whole}": bad port in "${spec}"`);
  }
  return { host, port };
}

export function parseConnectString(connectString: string): ConnectString {
  let hostsPart = connectString.trim();
  let chroot: string | undefined;
  const slash = hostsPart.indexOf('/');
  if (slash >= 0) {
    const root = hostsPart.slice(slash);
    hostsPart = hostsPart.slice(0, slash);
    if (root !== '/') {
      const problem = pathProblem(root);
      if (problem !== undefined) throw new TypeError(`connect string "${connectString}": bad chroot: ${problem}`);
      chroot = root;
    }
  }
  const specs = hostsPart.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (specs.length === 0) throw new TypeError(`connect string "${connectString}" names no host`);
  return { hosts: specs.map((s) => parseHost(s, connectString)), chroot };
}
