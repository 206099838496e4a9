// The shapes of the Curator test agent's answers and events (see CuratorAgent.java for the
// line protocol and curator-agent.ts for the driver), and the error a refused command gives.

/** Curator's ConnectionState names. */
export type ConnectionStateName = 'CONNECTED' | 'SUSPENDED' | 'RECONNECTED' | 'LOST' | 'READ_ONLY';

export interface AgentSessionInfo {
  /** Hex, as the agent prints it. */
  readonly sessionIdHex: string;
  readonly sessionId: bigint;
  readonly sessionPassword: Buffer;
  /** CuratorFrameworkFactory.getLocalAddress(): Curator's default node data. */
  readonly localAddress: string;
}

export type CuratorAgentEvent =
  | { event: 'ready'; sessionId: string; sessionPassword: string; localAddress: string }
  | { event: 'state'; state: ConnectionStateName }
  | { event: 'leader'; id: string; participantId: string; isLeader: boolean }
  | { event: 'failed'; error: string }
  | { event: 'agent-error'; error: string };

/** One znode as the agent's `nodes` command lists it. */
export interface AgentNode {
  readonly path: string;
  /** The data decoded as UTF-8; null when the node has no data. */
  readonly data: string | null;
  readonly dataBase64: string | null;
  /** "0x0" for persistent and container nodes. */
  readonly ephemeralOwner: string;
  /** Ephemeral and owned by this agent's current session. */
  readonly ownedByMe: boolean;
  readonly version: number;
  readonly cversion: number;
  readonly numChildren: number;
}

export interface LockAnswer {
  readonly acquired: boolean;
  /** The full path of the lock node this agent holds (when acquired). */
  readonly node?: string;
}

export interface LeaseAnswer {
  readonly acquired: boolean;
  /** The lease node's name under <path>/leases (when acquired). */
  readonly nodeName?: string;
}

export interface LatchParticipant {
  readonly id: string;
  readonly isLeader: boolean;
}

/** The agent answered {ok:false}: Curator (or the agent) refused the command. */
export class CuratorAgentError extends Error {
  constructor(
    readonly command: string,
    readonly agentError: string,
  ) {
    super(`${command}: ${agentError}`);
    this.name = 'CuratorAgentError';
  }
}
