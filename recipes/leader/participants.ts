// Who takes part in an election: every contender node in order, its participant id read from the
// node's data (UTF-8), the first existing one flagged as leader. Shared by LeaderLatch and
// LeaderSelector, whose nodes both carry the participant id. Reads poll the server, so the answer
// may differ from a participant's own hasLeadership for a moment.
// Counterpart: Curator's Participant and LeaderSelector.getParticipants / getLeader.

import { NoNodeError, type ZooKeeperFramework } from '../../framework/index.js';

export interface Participant {
  /** The participant id (the node's data); "" for a participant that gave none. */
  readonly id: string;
  readonly isLeader: boolean;
}

/** Curator's placeholder when nobody leads: an empty id, not leader. */
export const NO_LEADER: Participant = Object.freeze({ id: '', isLeader: false });

/** The participants of `nodes` (full paths, in election order); nodes gone meanwhile are skipped. */
export async function participantsOf(framework: ZooKeeperFramework, nodes: readonly string[]): Promise<Participant[]> {
  const ids = await Promise.all(nodes.map((node) => idOf(framework, node)));
  const result: Participant[] = [];
  for (const id of ids) {
    if (id !== undefined) result.push({ id, isLeader: result.length === 0 });
  }
  return result;
}

/** The first participant of `nodes` that still exists, or NO_LEADER. */
export async function leaderOf(framework: ZooKeeperFramework, nodes: readonly string[]): Promise<Participant> {
  for (const node of nodes) {
    const id = await idOf(framework, node);
    if (id !== undefined) return { id, isLeader: true };
  }
  return NO_LEADER;
}

async function idOf(framework: ZooKeeperFramework, node: string): Promise<string | undefined> {
  try {
    const { data } = await framework.getData(node);
    return data === null ? '' : data.toString('utf8');
  } catch (e) {
    if (e instanceof NoNodeError) return undefined;
    throw e;
  }
}
