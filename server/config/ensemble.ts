// The ensemble part of a configuration: a zoo.cfg with server.N lines makes this server member
// `myid` (read from dataDir/myid), with initLimit, syncLimit and peerType; and the checks an
// ensemble member's options must pass however they were built (zoo.cfg or code). Errors name
// the key. Pure. Counterpart: QuorumPeerConfig.setupQuorumPeerConfig / setupMyId / checkValidity.

import type { QuorumServerSpec, ServerOptions } from '../options.js';
import { ConfigError } from './config-error.js';
import type { ZooCfg } from './zoo-cfg.js';

const MAX_PORT = 65535;

export interface EnsembleConfig {
  options: Pick<ServerOptions, 'initLimit' | 'syncLimit' | 'quorum'>;
  warnings: string[];
}

/**
 * For a file with server.N lines: the quorum settings of member `myid` (undefined when dataDir
 * has no myid file, which is an error here). Throws ConfigError naming the key.
 */
export function ensembleFromZooCfg(cfg: ZooCfg, myid: number | undefined, dataDir: string | undefined, source?: string): EnsembleConfig {
  const warnings: string[] = [];
  const err = (key: string, message: string, value = ''): never => {
    throw new ConfigError(message, { key, value, source });
  };
  if (myid === undefined) {
    err('myid', `${dataDir === undefined ? 'dataDir' : `${dataDir}/myid`} holds no myid: an ensemble member (server.N lines) reads its id from dataDir/myid`);
  }
  const limit = (key: 'initLimit' | 'syncLimit'): number => {
    const text = cfg.raw.get(key);
    const n = text === undefined ? 0 : Number(text);
    if (n <= 0) err(key, `${key} is not set: an ensemble needs it (in ticks, e.g. ${key}=${key === 'initLimit' ? 10 : 5})`, text ?? '');
    return n;
  };
  const initLimit = limit('initLimit');
  const syncLimit = limit('syncLimit');
  const own = cfg.servers.find((s) => s.sid === myid);
  const peerType = cfg.raw.get('peerType')?.toLowerCase();
  if (own && peerType !== undefined && peerType !== own.role) {
    warnings.push(`peerType=${peerType} does not match server.${myid}'s role (${own.role}); the server list wins, as in ZooKeeper`);
  }
  const options = { initLimit, syncLimit, quorum: { servers: cfg.servers } };
  checkEnsemble({ ...options, serverId: myid! }, source);
  return { options, warnings };
}

/** The ensemble checks of validateServerOptions (only when `quorum` is set). */
export function checkEnsemble(o: Pick<ServerOptions, 'initLimit' | 'syncLimit' | 'quorum' | 'serverId'>, source?: string): void {
  const quorum = o.quorum;
  if (!quorum) return;
  const err = (key: string, message: string, value = ''): never => {
    throw new ConfigError(message, { key, value, source });
  };
  for (const key of ['initLimit', 'syncLimit'] as const) {
    if (!Number.isSafeInteger(o[key]) || o[key] < 1) err(key, `${key} '${o[key]}' must be an integer >= 1 in an ensemble`, String(o[key]));
  }
  if (quorum.servers.length === 0) err('server.N', 'an ensemble needs server.N lines');
  const seen = new Set<number>();
  for (const s of quorum.servers) {
    const key = `server.${s.sid}`;
    if (!Number.isSafeInteger(s.sid) || s.sid < 0) err(key, `${key}: the server id must be a non-negative integer`, String(s.sid));
    if (seen.has(s.sid)) err(key, `${key} appears twice`);
    seen.add(s.sid);
    if (s.host === '') err(key, `${key} has an empty host`);
    for (const [what, port] of [['quorum port', s.quorumPort], ['election port', s.electionPort]] as const) {
      if (!Number.isSafeInteger(port) || port < 1 || port > MAX_PORT) err(key, `${key}: ${what} ${port} is not a port number (1-${MAX_PORT})`, String(port));
    }
    if (s.quorumPort === s.electionPort) err(key, `${key}: the quorum and election ports must differ`, String(s.quorumPort));
  }
  if (!quorum.servers.some((s) => s.role === 'participant')) err('server.N', 'an ensemble needs at least one participant (server.N without :observer)');
  if (!seen.has(o.serverId)) {
    err('myid', `myid ${o.serverId} is not among the servers (${describe(quorum.servers)})`, String(o.serverId));
  }
  for (const key of ['electionTickMs', 'maxNotificationIntervalMs'] as const) {
    const v = quorum[key];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) err(key, `${key} '${v}' must be an integer >= 1`, String(v));
  }
}

function describe(servers: readonly QuorumServerSpec[]): string {
  return servers.map((s) => `server.${s.sid}`).join(', ');
}
