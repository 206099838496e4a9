// The in-process way to run one ensemble member (tests, TestingCluster, the CLI): validate the
// options, start the peer, and hand back a small handle — its client address, its mode as it
// changes, a way to wait for a mode, and close().
// Counterpart: QuorumPeerMain.runFromConfig.

import { validateServerOptions } from '../config/values.js';
import { defaultServerOptions, type QuorumSettings, type ServerOptions } from '../options.js';
import { QuorumPeer, type PeerMode } from './quorum-peer.js';

export type { PeerMode };

export interface RunningQuorumPeer {
  readonly myid: number;
  readonly host: string;
  /** The client port (the one chosen when `port: 0` was asked for). */
  readonly port: number;
  /** host:port for a client's connect string. */
  readonly connectString: string;
  readonly electionPort: number;
  readonly quorumPort: number;
  /** 'looking' until this member serves clients as leader, follower or observer. */
  readonly mode: PeerMode;
  /** The leader's sid while serving. */
  readonly leaderId: number | undefined;
  /** The last zxid applied here, while serving. */
  readonly lastZxid: bigint | undefined;
  /** The peer itself, for tests that look inside. */
  readonly peer: QuorumPeer;
  /** Resolves with the mode once it is `mode` (or any serving mode for 'serving'); rejects after timeoutMs. */
  waitForMode(mode: PeerMode | 'serving', timeoutMs?: number): Promise<PeerMode>;
  close(): Promise<void>;
}

/** Options for one member: ServerOptions with `quorum` and `dataDir` set, `serverId` its myid. */
export type QuorumPeerOptions = Partial<ServerOptions> & { quorum: QuorumSettings; serverId: number; dataDir: string };

/** Starts one ensemble member. Rejects with a ConfigError for bad options, or the listen error. */
export async function startQuorumPeer(
  overrides: QuorumPeerOptions,
  logger: (message: string) => void = () => undefined,
): Promise<RunningQuorumPeer> {
  const options = defaultServerOptions(overrides);
  validateServerOptions(options);
  const peer = await QuorumPeer.start(options, logger);
  const { host, port } = peer.address;
  const connectHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    myid: options.serverId,
    host,
    port,
    connectString: connectHost.includes(':') ? `[${connectHost}]:${port}` : `${connectHost}:${port}`,
    electionPort: peer.electionPort,
    quorumPort: peer.quorumPortNumber,
    get mode() { return peer.mode; },
    get leaderId() { return peer.leaderId === undefined ? undefined : Number(peer.leaderId); },
    get lastZxid() { return peer.processor?.lastProcessedZxid; },
    peer,
    waitForMode: (mode, timeoutMs = 30_000) =>
      peer.waitForMode((m) => (mode === 'serving' ? m !== 'looking' : m === mode), timeoutMs),
    close: () => peer.close(),
  };
}
