// A zabkit ensemble of real member PROCESSES for chaos tests: the layout `zabkit ensemble`
// writes (cli/ensemble-layout.ts) in a temp directory, one `zabkit server --config` per member
// (cli/member-process.ts: guarded, so members die with this process), on free 127.0.0.1 ports.
// Members can be SIGKILLed, SIGSTOPped / SIGCONTed, stopped and restarted on the same ports and
// data; `srvr` tells their modes. Counterpart: a Jepsen-style "db" for ZooKeeper nodes.

import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ensembleLayout, portsFromList, type MemberLayout } from '../../cli/ensemble-layout.js';
import { describeExit, MemberProcess, type CliInvocation } from '../../cli/member-process.js';
import { fourLetterWord } from './apache-zookeeper.js';
import { tempDataDir } from './data-dirs.js';
import { freePorts } from './ports.js';
import { forgetTempDir } from './processes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The CLI from source, as `npx tsx cli/main.ts` runs it (node resolves `tsx` from the checkout). */
export const SOURCE_CLI: CliInvocation = { command: process.execPath, args: ['--import', 'tsx', join(ROOT, 'cli/main.ts')] };

const OUTPUT_KEEP = 64 * 1024;
const START_ATTEMPTS = 3;
const POLL_MS = 100;

export interface ProcessEnsembleOptions {
  voters?: number;
  observers?: number;
  /** Default 500 (session timeouts 1–10 s). */
  tickTimeMs?: number;
  /** Default 10 / 5 ticks. */
  initLimit?: number;
  syncLimit?: number;
  extendedTypes?: boolean;
  /** How long start() and waitForLeader() wait by default. Default 120 s. */
  startTimeoutMs?: number;
  /** Receives every member line as it arrives ("server.N | ..."). */
  log?: (line: string) => void;
}

export interface ProcessMember {
  readonly sid: number;
  readonly role: 'participant' | 'observer';
  readonly port: number;
  /** "127.0.0.1:port" of this member alone. */
  readonly connectString: string;
  /** The running process, if any. */
  process: MemberProcess | undefined;
  paused: boolean;
  /** The member's output, every run of it, newest last (bounded). */
  output: string;
}

export class ProcessEnsemble {
  readonly members: ProcessMember[];
  private closed = false;

  private constructor(
    readonly root: string,
    private readonly layout: readonly MemberLayout[],
    private readonly o: ProcessEnsembleOptions,
  ) {
    this.members = layout.map((m) => ({
      sid: m.sid, role: m.role, port: m.ports.client, connectString: m.connectString, process: undefined, paused: false, output: '',
    }));
    for (const m of layout) {
      mkdirSync(m.dataDir, { recursive: true });
      writeFileSync(join(m.dataDir, 'myid'), `${m.sid}\n`);
      writeFileSync(m.cfgPath, m.zooCfg);
    }
  }

  /** Starts every member and waits until they serve with one leader. */
  static async start(o: ProcessEnsembleOptions = {}): Promise<ProcessEnsemble> {
    const voters = o.voters ?? 3;
    const observers = o.observers ?? 0;
    for (let attempt = 1; ; attempt++) {
      const root = tempDataDir('zabkit-process-ensemble');
      const ports = portsFromList(await freePorts(3 * (voters + observers)), voters + observers);
      const layout = ensembleLayout({
        voters, observers, root, ports, tickTimeMs: o.tickTimeMs ?? 500, initLimit: o.initLimit ?? 10,
        syncLimit: o.syncLimit ?? 5, fourLetterWords: '*', extendedTypes: o.extendedTypes ?? false,
      });
      const e = new ProcessEnsemble(root, layout, o);
      try {
        for (const m of e.members) e.launch(m);
        const died = Promise.race(e.members.map((m) => m.process!.exited.then(() => {
          throw new Error(`server.${m.sid} exited during startup\n${m.output.slice(-4000)}`);
        })));
        await Promise.race([e.waitForLeader(), died]);
        return e;
      } catch (err) {
        const busy = e.members.some((m) => /already in use/.test(m.output));
        await e.close();
        if (!busy || attempt >= START_ATTEMPTS) throw err;
      }
    }
  }

  /** Every member, comma separated (observers included). */
  get connectString(): string {
    return this.members.map((m) => m.connectString).join(',');
  }

  member(sid: number): ProcessMember {
    const m = this.members[sid - 1];
    if (!m) throw new RangeError(`no member ${sid}`);
    return m;
  }

  /** The member's pid while it runs. */
  pid(sid: number): number {
    const p = this.member(sid).process;
    if (!p?.alive) throw new Error(`server.${sid} is not running`);
    return p.pid;
  }

  private launch(m: ProcessMember): void {
    const cfg = this.layout[m.sid - 1]!.cfgPath;
    const run = new MemberProcess(`server.${m.sid}`, SOURCE_CLI, cfg, (_stream, line) => {
      m.output += `${line}\n`;
      if (m.output.length > 2 * OUTPUT_KEEP) m.output = m.output.slice(-OUTPUT_KEEP);
      this.o.log?.(`server.${m.sid} | ${line}`);
    });
    m.process = run;
    m.paused = false;
    void run.exited.then((exit) => {
      m.output += `[${describeExit(exit)}]\n`;
    });
  }

  /** kill -9: the member dies at once (its data stays for restart). */
  async kill(sid: number): Promise<void> {
    const m = this.member(sid);
    if (!m.process?.alive) return;
    m.process.signal('SIGKILL');
    await m.process.exited;
    m.paused = false;
  }

  /** SIGTERM: a clean close. */
  async stop(sid: number): Promise<void> {
    const m = this.member(sid);
    await m.process?.stop();
    m.paused = false;
  }

  /** SIGSTOP: the member freezes with its sockets open. */
  pause(sid: number): void {
    const m = this.member(sid);
    if (!m.process?.signal('SIGSTOP')) throw new Error(`server.${sid} is not running`);
    m.paused = true;
  }

  /** SIGCONT. */
  resume(sid: number): void {
    const m = this.member(sid);
    if (!m.process?.signal('SIGCONT')) throw new Error(`server.${sid} is not running`);
    m.paused = false;
  }

  /** Starts a stopped or killed member again on its ports and data (retries while its port is still held). */
  async restart(sid: number, timeoutMs = this.o.startTimeoutMs ?? 120_000): Promise<void> {
    const m = this.member(sid);
    if (m.process?.alive) throw new Error(`server.${sid} is still running`);
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      this.launch(m);
      const exited = await Promise.race([
        m.process!.exited.then(() => true),
        this.until(async () => (await this.mode(sid)) !== undefined, timeoutMs, `server.${sid} serving`).then(() => false),
      ]);
      if (!exited) return;
      if (!/already in use/.test(m.output) || performance.now() > deadline) {
        throw new Error(`server.${sid} exited while restarting\n${m.output.slice(-4000)}`);
      }
      await sleep(200);
    }
  }

  /** srvr's Mode of a running, unpaused member; undefined while it does not serve. */
  async mode(sid: number): Promise<string | undefined> {
    const m = this.member(sid);
    if (!m.process?.alive || m.paused) return undefined;
    try {
      return /^Mode: (\w+)$/m.exec(await fourLetterWord(m.port, 'srvr', 2000))?.[1];
    } catch {
      return undefined;
    }
  }

  /** Modes of every member ("down", "paused", "looking" or srvr's Mode). */
  async modes(): Promise<string[]> {
    return Promise.all(this.members.map(async (m) => {
      if (!m.process?.alive) return 'down';
      if (m.paused) return 'paused';
      return (await this.mode(m.sid)) ?? 'looking';
    }));
  }

  /**
   * Waits until every running, unpaused member serves and exactly one of them leads (with a
   * majority of the voters among them); resolves with the leader's sid.
   */
  async waitForLeader(timeoutMs = this.o.startTimeoutMs ?? 120_000): Promise<number> {
    let leader = 0;
    let last: string[] = [];
    const voters = this.members.filter((m) => m.role === 'participant').length;
    await this.until(async () => {
      last = await this.modes();
      const live = last.filter((x) => x !== 'down' && x !== 'paused');
      const leaders = last.flatMap((x, i) => (x === 'leader' ? [i + 1] : []));
      const votersUp = this.members.filter((m, i) => m.role === 'participant' && last[i] !== 'down' && last[i] !== 'paused').length;
      if (leaders.length === 1 && live.every((x) => x !== 'looking') && votersUp > voters / 2) {
        leader = leaders[0]!;
        return true;
      }
      return false;
    }, timeoutMs, () => `one leader (modes: ${last.join(', ')})\n${this.members.map((m) => `--- server.${m.sid}\n${m.output.slice(-1500)}`).join('\n')}`);
    return leader;
  }

  /** Sids by current mode. */
  async withMode(mode: string): Promise<number[]> {
    const modes = await this.modes();
    return modes.flatMap((x, i) => (x === mode ? [i + 1] : []));
  }

  private async until(check: () => Promise<boolean>, timeoutMs: number, what: string | (() => string)): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!(await check())) {
      if (this.closed) throw new Error('ProcessEnsemble is closed');
      if (performance.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms: ${typeof what === 'string' ? what : what()}`);
      await sleep(POLL_MS);
    }
  }

  /** Stops every member (SIGCONT + SIGTERM, SIGKILL after 10 s) and removes the data. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.members.map((m) => m.process?.stop()));
    rmSync(this.root, { recursive: true, force: true, maxRetries: 3 });
    forgetTempDir(this.root);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
