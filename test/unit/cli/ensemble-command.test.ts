// `zabkit ensemble` without processes: flags → options, the generated layout and zoo.cfg (read
// back by the server's own config loader), and the run sequence with fake members — start-up
// failures, a lost free-port race retried, signals, members dying afterwards.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  resolveEnsembleOptions, runEnsembleCommand, type EnsembleCommandDeps, type EnsembleFlags, type MemberHandle,
} from '../../../cli/ensemble-command.js';
import { ensembleLayout, portsFromBase, portsFromList } from '../../../cli/ensemble-layout.js';
import type { MemberExit } from '../../../cli/member-process.js';
import { resolveServerOptions } from '../../../cli/server-command.js';
import { ConfigError } from '../../../server/config/config-error.js';
import { applyMyid, parseZooCfg } from '../../../server/config/zoo-cfg.js';

const DEFAULT_FLAGS: EnsembleFlags = {
  size: '3', observers: '0', dataDir: './zabkit-ensemble', tickTime: '2000', fourLetterWords: '*', startTimeout: '120',
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempRoot(): string {
  const d = mkdtempSync(join(tmpdir(), 'zabkit-ensemble-unit-'));
  dirs.push(d);
  return d;
}

describe('resolveEnsembleOptions', () => {
  it('defaults: 3 voters, no observers, ./zabkit-ensemble, free ports, tickTime 2000, every 4lw', () => {
    expect(resolveEnsembleOptions(DEFAULT_FLAGS, '/work')).toEqual({
      voters: 3, observers: 0, root: '/work/zabkit-ensemble', basePort: undefined, tickTimeMs: 2000,
      fourLetterWords: '*', extendedTypes: false, startTimeoutMs: 120_000, warnings: [],
    });
  });

  it('a word list keeps srvr and warns about unknown words', () => {
    const o = resolveEnsembleOptions({ ...DEFAULT_FLAGS, fourLetterWords: 'ruok,mntr,xyzw' }, '/w');
    expect(o.fourLetterWords).toBe('mntr,ruok,srvr');
    expect(o.warnings).toEqual(["--four-letter-words: unknown four-letter word 'xyzw' ignored"]);
  });

  it.each<[string, Partial<EnsembleFlags>, RegExp]>([
    ['one member', { size: '1' }, /^--size 1 without observers is a single standalone server/],
    ['no voter', { size: '0', observers: '2' }, /^--size '0' must be between 1 and 50/],
    ['a size that is not a number', { size: 'three' }, /^--size 'three' is not an integer/],
    ['negative observers', { observers: '-1' }, /^--observers '-1' must be between 0 and 50/],
    ['too many members', { size: '40', observers: '20' }, /^--size plus --observers must be at most 50/],
    ['base port 0', { basePort: '0' }, /^--base-port '0' is not a port number \(1-65535\)/],
    ['no room above the base port', { basePort: '65530' }, /^--base-port 65530 leaves no room for 9 ports \(65530-65538\)/],
    ['an empty data dir', { dataDir: ' ' }, /^--data-dir must not be empty/],
    ['tickTime 0', { tickTime: '0' }, /^--tick-time '0' must be at least 1/],
  ])('refuses %s', (_name, flags, message) => {
    const run = () => resolveEnsembleOptions({ ...DEFAULT_FLAGS, ...flags }, '/w');
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
  });

  it('lets one voter run with observers (an ensemble, not standalone)', () => {
    expect(resolveEnsembleOptions({ ...DEFAULT_FLAGS, size: '1', observers: '1' }, '/w')).toMatchObject({ voters: 1, observers: 1 });
  });
});

describe('ensemble layout', () => {
  it('--base-port: client ports first, then quorum, then election ports', () => {
    expect(portsFromBase(2181, 3)).toEqual([
      { client: 2181, quorum: 2184, election: 2187 },
      { client: 2182, quorum: 2185, election: 2188 },
      { client: 2183, quorum: 2186, election: 2189 },
    ]);
    expect(() => portsFromBase(65528, 3)).toThrow(RangeError);
    expect(portsFromBase(65527, 3).at(-1)!.election).toBe(65535);
  });

  it('writes a zoo.cfg per member that the server reads as that member of the ensemble', () => {
    const layout = ensembleLayout({
      voters: 2, observers: 1, root: '/e', ports: portsFromList([10, 11, 12, 20, 21, 22, 30, 31, 32], 3),
      tickTimeMs: 500, initLimit: 10, syncLimit: 5, fourLetterWords: 'ruok,srvr', extendedTypes: true,
    });
    expect(layout.map((m) => [m.sid, m.role, m.dir, m.dataDir, m.cfgPath, m.connectString])).toEqual([
      [1, 'participant', '/e/member-1', '/e/member-1/data', '/e/member-1/zoo.cfg', '127.0.0.1:10'],
      [2, 'participant', '/e/member-2', '/e/member-2/data', '/e/member-2/zoo.cfg', '127.0.0.1:20'],
      [3, 'observer', '/e/member-3', '/e/member-3/data', '/e/member-3/zoo.cfg', '127.0.0.1:30'],
    ]);
    expect(layout[2]!.zooCfg.split('\n').filter((l) => !l.startsWith('#'))).toEqual([
      'tickTime=500', 'initLimit=10', 'syncLimit=5', 'dataDir=/e/member-3/data', 'maxClientCnxns=0',
      '4lw.commands.whitelist=ruok,srvr', 'extendedTypesEnabled=true', 'peerType=observer',
      'server.1=127.0.0.1:11:12:participant;127.0.0.1:10',
      'server.2=127.0.0.1:21:22:participant;127.0.0.1:20',
      'server.3=127.0.0.1:31:32:observer;127.0.0.1:30',
      '',
    ]);
    for (const m of layout) {
      // As loadZooCfg does with the myid file in dataDir.
      const file = applyMyid(parseZooCfg(m.zooCfg, { source: m.cfgPath }), m.sid, m.cfgPath);
      const { options, warnings } = resolveServerOptions({}, file);
      expect(warnings).toEqual([]);
      expect(options).toMatchObject({
        serverId: m.sid, host: '127.0.0.1', port: m.ports.client, dataDir: m.dataDir, tickTimeMs: 500,
        initLimit: 10, syncLimit: 5, maxClientCnxns: 0, extendedTypesEnabled: true,
      });
      expect(options.quorum!.servers.map((s) => [s.sid, s.role, s.quorumPort, s.electionPort]))
        .toEqual([[1, 'participant', 11, 12], [2, 'participant', 21, 22], [3, 'observer', 31, 32]]);
    }
  });
});

/** A member that answers srvr with `mode` once `serving` is true and exits on the signals it gets. */
class FakeMember implements MemberHandle {
  readonly signals: NodeJS.Signals[] = [];
  exitInfo: MemberExit | undefined;
  private resolveExit!: (e: MemberExit) => void;
  readonly exited = new Promise<MemberExit>((r) => (this.resolveExit = r));
  /** The client port in this member's own server.N line. */
  readonly port: number;
  constructor(readonly pid: number, cfgPath: string, readonly onLine: (s: 'stdout' | 'stderr', l: string) => void, public mode: string | undefined) {
    const sid = /member-(\d+)/.exec(cfgPath)![1];
    this.port = Number(new RegExp(`^server\\.${sid}=.*;127\\.0\\.0\\.1:(\\d+)$`, 'm').exec(readFileSync(cfgPath, 'utf8'))![1]);
  }
  get alive(): boolean {
    return this.exitInfo === undefined;
  }
  die(exit: MemberExit): void {
    if (!this.alive) return;
    this.exitInfo = exit;
    this.resolveExit(exit);
  }
  signal(signal: NodeJS.Signals): boolean {
    if (!this.alive) return false;
    this.signals.push(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') this.die({ code: signal === 'SIGTERM' ? 0 : null, signal: signal === 'SIGKILL' ? 'SIGKILL' : null });
    return true;
  }
  stop(): Promise<MemberExit> {
    this.signal('SIGTERM');
    return this.exited;
  }
}

interface Harness {
  deps: EnsembleCommandDeps;
  members: FakeMember[];
  out: string[];
  err: string[];
  exitCode: Promise<number>;
  signal(s: 'SIGINT' | 'SIGTERM'): void;
  clock: { now: number };
}

/** `modes(i)` is what the i-th member started (counting every attempt) reports to srvr. */
function harness(modes: (member: number) => string | undefined, onStart?: (m: FakeMember) => void): Harness {
  const members: FakeMember[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const handlers = new Map<string, () => void>();
  const clock = { now: 0 };
  let exit!: (code: number) => void;
  const exitCode = new Promise<number>((r) => (exit = r));
  let nextPort = 40_000;
  const deps: EnsembleCommandDeps = {
    cli: () => ({ command: 'node', args: ['main.js'] }),
    startMember: (_label, _cli, cfgPath, onLine) => {
      const m = new FakeMember(1000 + members.length, cfgPath, onLine, modes(members.length));
      members.push(m);
      onStart?.(m);
      return m;
    },
    freePorts: async (count) => Array.from({ length: count }, () => nextPort++),
    modeOf: async (port) => {
      const m = members.find((x) => x.alive && x.port === port);
      return m?.mode;
    },
    stdout: (l) => void out.push(l),
    stderr: (l) => void err.push(l),
    onSignal: (s, h) => void handlers.set(s, h),
    exit: (code) => exit(code),
    now: () => clock.now,
  };
  return { deps, members, out, err, exitCode, signal: (s) => handlers.get(s)!(), clock };
}

const flags = (root: string, more: Partial<EnsembleFlags> = {}): EnsembleFlags => ({ ...DEFAULT_FLAGS, dataDir: root, startTimeout: '5', ...more });
const until = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
};

describe('runEnsembleCommand with fake members', () => {
  it('prints the member table and the connect string once one leader serves, then stops all on SIGINT (exit 0)', async () => {
    const root = tempRoot();
    const h = harness((i) => (i === 1 ? 'leader' : 'follower'));
    void runEnsembleCommand(flags(root), h.deps);
    await until(() => h.out.some((l) => l.startsWith('connect string: ')));
    expect(h.out[0]).toBe(`zabkit ensemble: starting 3 voting members on 127.0.0.1 (tickTime=2000ms, data in ${root})`);
    expect(h.out.slice(1)).toEqual([
      'zabkit ensemble: 3 voting members serving, leader server.2',
      '  server.1  follower  127.0.0.1:40000  pid 1000',
      '  server.2  leader    127.0.0.1:40003  pid 1001',
      '  server.3  follower  127.0.0.1:40006  pid 1002',
      'connect string: 127.0.0.1:40000,127.0.0.1:40003,127.0.0.1:40006',
    ]);
    expect(readFileSync(join(root, 'member-2/data/myid'), 'utf8')).toBe('2\n');
    h.members[0]!.onLine('stderr', 'hello');
    expect(h.err.at(-1)).toBe('server.1 | hello');

    h.signal('SIGINT');
    h.signal('SIGINT'); // the same Ctrl-C relayed again (tsx, npx): ignored
    expect(await h.exitCode).toBe(0);
    expect(h.members.map((m) => m.signals)).toEqual([['SIGTERM'], ['SIGTERM'], ['SIGTERM']]);
    expect(h.err.filter((l) => l.startsWith('zabkit ensemble:'))).toEqual(['zabkit ensemble: SIGINT received, stopping 3 members (send it again to kill them)']);
  });

  it('a second signal later than the duplicate window kills the members (exit 128+n)', async () => {
    const root = tempRoot();
    const stubborn = (m: FakeMember) => {
      m.stop = () => m.exited; // ignores SIGTERM
    };
    const h2 = harness((i) => (i === 0 ? 'leader' : 'follower'), stubborn);
    void runEnsembleCommand(flags(root), h2.deps);
    await until(() => h2.out.some((l) => l.startsWith('connect string: ')));
    h2.signal('SIGTERM');
    h2.clock.now += 1000;
    h2.signal('SIGTERM');
    expect(await h2.exitCode).toBe(143);
    expect(h2.members.every((m) => m.signals.includes('SIGKILL'))).toBe(true);
  });

  it('a member exiting during start-up with a config error stops the rest and exits 2', async () => {
    const root = tempRoot();
    const h = harness(() => undefined, (m) => {
      if (m.pid === 1001) setTimeout(() => m.die({ code: 2, signal: null }), 20);
    });
    void runEnsembleCommand(flags(root), h.deps);
    expect(await h.exitCode).toBe(2);
    expect(h.err.at(-1)).toBe('zabkit ensemble: server.2 exited with code 2 during startup');
    expect(h.members.every((m) => !m.alive)).toBe(true);
  });

  it('no leader within --start-timeout: says which member is where, stops them, exits 1', async () => {
    const root = tempRoot();
    const h = harness((i) => (i === 0 ? 'follower' : undefined));
    void runEnsembleCommand(flags(root), h.deps);
    await until(() => h.members.length === 3);
    h.clock.now += 6000;
    expect(await h.exitCode).toBe(1);
    expect(h.err.at(-1)).toBe('zabkit ensemble: no elected leader after 5 s (server.1 follower, server.2 not serving, server.3 not serving)');
  });

  it('a probed port taken meanwhile: starts again on other ports', async () => {
    const root = tempRoot();
    const h = harness((i) => (i === 4 ? 'leader' : i >= 3 ? 'follower' : undefined), (m) => {
      if (m.pid === 1000) {
        setTimeout(() => {
          m.onLine('stderr', 'zabkit: port 40000 on 127.0.0.1 is already in use');
          m.die({ code: 1, signal: null });
        }, 20);
      }
    });
    void runEnsembleCommand(flags(root), h.deps);
    await until(() => h.out.some((l) => l.startsWith('connect string: ')));
    expect(h.members).toHaveLength(6);
    expect(h.err).toContain('zabkit ensemble: a probed free port was taken meanwhile; starting again on other ports');
    expect(h.out.at(-1)).toBe('connect string: 127.0.0.1:40009,127.0.0.1:40012,127.0.0.1:40015');
    h.signal('SIGTERM');
    expect(await h.exitCode).toBe(0);
  });

  it('after start-up: reports each member that exits, and exits 1 when none is left', async () => {
    const root = tempRoot();
    const h = harness((i) => (i === 2 ? 'leader' : 'follower'));
    void runEnsembleCommand(flags(root, { size: '2', observers: '1' }), h.deps);
    await until(() => h.out.some((l) => l.startsWith('connect string: ')));
    h.members[2]!.die({ code: null, signal: 'SIGKILL' });
    await until(() => h.err.length > 0);
    expect(h.err).toEqual(['zabkit ensemble: server.3 (pid 1002) killed by SIGKILL; 2 of 3 members still running']);
    h.members[0]!.die({ code: 1, signal: null });
    h.members[1]!.die({ code: 1, signal: null });
    expect(await h.exitCode).toBe(1);
    expect(h.err.at(-1)).toBe('zabkit ensemble: server.2 (pid 1001) exited with code 1; 0 of 3 members still running');
  });
});
