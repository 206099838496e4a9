// The layout of a local ensemble as `zabkit ensemble` writes it: per member a directory
// `<root>/member-<sid>/` with its zoo.cfg and its dataDir (`data/`, holding myid), the ports of
// every member, and the zoo.cfg text itself — the same file Apache ZooKeeper would accept for
// that member. Pure. Counterpart: the hand-written zoo.cfg + myid per member of ZooKeeper's
// "Running Replicated ZooKeeper" guide.

import { join } from 'node:path';
import { MAX_PORT } from '../server/config/values.js';

export const ENSEMBLE_HOST = '127.0.0.1';

export interface MemberPorts {
  readonly client: number;
  readonly quorum: number;
  readonly election: number;
}

export interface EnsembleLayoutSpec {
  /** Voting members (server.1 … server.voters). */
  readonly voters: number;
  /** Observers after them (server.voters+1 …). */
  readonly observers: number;
  /** Absolute directory holding every member's directory. */
  readonly root: string;
  /** Ports of member i (0-based) at index i. */
  readonly ports: readonly MemberPorts[];
  readonly tickTimeMs: number;
  readonly initLimit: number;
  readonly syncLimit: number;
  /** 4lw.commands.whitelist. */
  readonly fourLetterWords: string;
  readonly extendedTypes: boolean;
}

export interface MemberLayout {
  readonly sid: number;
  readonly role: 'participant' | 'observer';
  readonly ports: MemberPorts;
  /** `<root>/member-<sid>`. */
  readonly dir: string;
  /** `<dir>/data`: myid, txn log, snapshots, epoch files. */
  readonly dataDir: string;
  readonly cfgPath: string;
  readonly zooCfg: string;
  /** "127.0.0.1:clientPort". */
  readonly connectString: string;
}

/**
 * Ports for `count` members from `base`: client ports base…base+count-1, then the quorum ports,
 * then the election ports (`--base-port 2181` with 3 members: clients 2181-2183, quorum
 * 2184-2186, election 2187-2189). Throws RangeError past 65535.
 */
export function portsFromBase(base: number, count: number): MemberPorts[] {
  const last = base + 3 * count - 1;
  if (base < 1 || last > MAX_PORT) {
    throw new RangeError(`--base-port ${base} leaves no room for ${3 * count} ports (${base}-${last}); the highest port is ${MAX_PORT}`);
  }
  return Array.from({ length: count }, (_, i) => ({ client: base + i, quorum: base + count + i, election: base + 2 * count + i }));
}

/** Ports in groups of three (client, quorum, election), e.g. from a free-port probe. */
export function portsFromList(list: readonly number[], count: number): MemberPorts[] {
  if (list.length < 3 * count) throw new RangeError(`need ${3 * count} ports, got ${list.length}`);
  return Array.from({ length: count }, (_, i) => ({ client: list[3 * i]!, quorum: list[3 * i + 1]!, election: list[3 * i + 2]! }));
}

export function memberDir(root: string, sid: number): string {
  return join(root, `member-${sid}`);
}

export function ensembleLayout(spec: EnsembleLayoutSpec): MemberLayout[] {
  const count = spec.voters + spec.observers;
  if (spec.ports.length < count) throw new RangeError(`ports for ${spec.ports.length} of ${count} members`);
  const members = Array.from({ length: count }, (_, i) => ({
    sid: i + 1,
    role: i < spec.voters ? ('participant' as const) : ('observer' as const),
    ports: spec.ports[i]!,
  }));
  const serverLines = members.map(
    (m) => `server.${m.sid}=${ENSEMBLE_HOST}:${m.ports.quorum}:${m.ports.election}:${m.role};${ENSEMBLE_HOST}:${m.ports.client}`,
  );
  return members.map((m) => {
    const dir = memberDir(spec.root, m.sid);
    const dataDir = join(dir, 'data');
    const lines = [
      `# written by zabkit ensemble: server.${m.sid} (${m.role}) of ${spec.voters} voters` +
        (spec.observers > 0 ? ` and ${spec.observers} observer${spec.observers === 1 ? '' : 's'}` : ''),
      `# its id is in ${join(dataDir, 'myid')}; the client address is in its server.${m.sid} line`,
      `tickTime=${spec.tickTimeMs}`,
      `initLimit=${spec.initLimit}`,
      `syncLimit=${spec.syncLimit}`,
      `dataDir=${dataDir}`,
      'maxClientCnxns=0',
      `4lw.commands.whitelist=${spec.fourLetterWords}`,
      ...(spec.extendedTypes ? ['extendedTypesEnabled=true'] : []),
      ...(m.role === 'observer' ? ['peerType=observer'] : []),
      ...serverLines,
    ];
    return {
      ...m,
      dir,
      dataDir,
      cfgPath: join(dir, 'zoo.cfg'),
      zooCfg: `${lines.join('\n')}\n`,
      connectString: `${ENSEMBLE_HOST}:${m.ports.client}`,
    };
  });
}
