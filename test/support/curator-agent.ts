// Drives real Apache Curator 5.4 from TypeScript tests: starts the Java Curator test agent
// (test/support/curator/CuratorAgent.java, compiled once per source version) connected to a
// server, sends it line commands, and awaits their typed JSON answers and its events
// (connection states, leadership changes). Each agent is one JVM and one Curator session.
// Agents are tracked child processes (killed if this Node process exits) and also quit on
// their own when their stdin closes, so none outlives the test run.
import { type ChildProcess } from 'node:child_process';
import { JAVA_PATH } from './debian-packages.js';
import {
  CuratorAgentError,
  type AgentNode,
  type AgentSessionInfo,
  type ConnectionStateName,
  type CuratorAgentEvent,
  type LatchParticipant,
  type LeaseAnswer,
  type LockAnswer,
} from './curator/agent-types.js';
import { CURATOR_AGENT_CLASSPATH, compileCuratorAgent } from './curator/compile.js';
import { exited, signalGroup, spawnTracked, tail, waitClosed } from './processes.js';

export interface CuratorAgentOptions {
  /** CuratorFrameworkFactory sessionTimeoutMs. Default 10000. */
  sessionTimeoutMs?: number;
  /** connectionTimeoutMs, also how long the agent waits for its first connection. Default 10000. */
  connectionTimeoutMs?: number;
  /** exponential:<baseSleepMs>:<maxRetries> | ntimes:<n>:<sleepMs> | forever:<sleepMs>. Default exponential:100:10. */
  retry?: string;
  /** Names the agent in error messages. */
  label?: string;
}

export * from './curator/agent-types.js';

interface Pending {
  command: string;
  resolve(answer: Record<string, unknown>): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

const DEFAULT_CALL_TIMEOUT_MS = 30_000;
const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const JVM_FLAGS = [
  '-Xmx128m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Djava.net.preferIPv4Stack=true',
  '-Dzookeeper.sasl.client=false',
  '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
];

/** Starts an agent connected to `connectString` and resolves once Curator is connected. */
export async function startCuratorAgent(connectString: string, options: CuratorAgentOptions = {}): Promise<CuratorAgent> {
  const classes = await compileCuratorAgent();
  const args = [
    ...JVM_FLAGS,
    '-cp',
    `${classes}:${CURATOR_AGENT_CLASSPATH}`,
    'CuratorAgent',
    connectString,
    String(options.sessionTimeoutMs ?? 10_000),
    String(options.connectionTimeoutMs ?? 10_000),
    options.retry ?? 'exponential:100:10',
  ];
  const agent = new CuratorAgent(spawnTracked(JAVA_PATH, args), options.label ?? `curator-agent(${connectString})`);
  try {
    await agent.waitForEvent((e) => e.event === 'ready', { timeoutMs: START_TIMEOUT_MS });
  } catch (err) {
    await agent.kill();
    throw err;
  }
  return agent;
}

export class CuratorAgent {
  /** Every event so far, in arrival order. */
  readonly events: CuratorAgentEvent[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly eventWaiters = new Set<() => void>();
  private nextTag = 1;
  private stdoutRest = '';
  /** Lines Curator or ZooKeeper logged at ERROR level (slf4j-simple's "[thread] ERROR logger - ..."). */
  readonly loggedErrors: string[] = [];
  private stderr = '';
  private stderrRest = '';
  private stopping: Promise<void> | undefined;
  /** The JVM exited and its stdout is fully read. */
  private closed = false;

  constructor(
    private readonly child: ChildProcess,
    readonly label: string,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.onStdout(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = tail(this.stderr + chunk, 16_000);
      const lines = (this.stderrRest + chunk).split('\n');
      this.stderrRest = lines.pop() ?? '';
      this.loggedErrors.push(...lines.filter((line) => /^\[[^\]]*\] ERROR /.test(line)));
    });
    child.stdin?.on('error', () => undefined); // the JVM may be gone before a write lands
    child.once('close', () => this.onExit());
  }

  // ---- typed commands

  async ping(): Promise<void> {
    await this.call('ping');
  }

  /** The agent's current ZooKeeper session (it changes after an expiry). */
  async session(): Promise<AgentSessionInfo> {
    const a = await this.call('session');
    const hex = String(a.sessionId);
    return {
      sessionIdHex: hex,
      sessionId: BigInt.asIntN(64, BigInt(`0x${hex}`)),
      sessionPassword: Buffer.from(String(a.sessionPassword), 'base64'),
      localAddress: String(a.localAddress),
    };
  }

  /** The subtree under `path`, depth first, children by name; [] when it does not exist. */
  async nodes(path: string): Promise<AgentNode[]> {
    return (await this.call('nodes', [path])).nodes as AgentNode[];
  }

  /** InterProcessMutex.acquire(); with timeoutMs, acquire(timeoutMs, MILLISECONDS). */
  mutexAcquire(id: string, path: string, timeoutMs?: number): Promise<LockAnswer> {
    return this.lockCall('mutex.acquire', id, path, timeoutMs);
  }

  async mutexRelease(id: string): Promise<void> {
    await this.call('mutex.release', [id]);
  }

  /** InterProcessReadWriteLock.readLock().acquire(...); `id` names one InterProcessReadWriteLock. */
  rwReadAcquire(id: string, path: string, timeoutMs?: number): Promise<LockAnswer> {
    return this.lockCall('rw.read.acquire', id, path, timeoutMs);
  }

  rwWriteAcquire(id: string, path: string, timeoutMs?: number): Promise<LockAnswer> {
    return this.lockCall('rw.write.acquire', id, path, timeoutMs);
  }

  async rwReadRelease(id: string): Promise<void> {
    await this.call('rw.read.release', [id]);
  }

  async rwWriteRelease(id: string): Promise<void> {
    await this.call('rw.write.release', [id]);
  }

  /** new LeaderLatch(client, path, participantId, NOTIFY_LEADER).start(); leadership changes arrive as events. */
  async latchStart(id: string, path: string, participantId: string): Promise<void> {
    await this.call('latch.start', [id, path, participantId]);
  }

  async latchHasLeadership(id: string): Promise<{ hasLeadership: boolean; node: string | null }> {
    const a = await this.call('latch.hasLeadership', [id]);
    return { hasLeadership: a.hasLeadership === true, node: (a.node as string | null | undefined) ?? null };
  }

  /** LeaderLatch.await(timeoutMs): true once this latch leads. */
  async latchAwait(id: string, timeoutMs: number): Promise<boolean> {
    return (await this.call('latch.await', [id, timeoutMs], timeoutMs + DEFAULT_CALL_TIMEOUT_MS)).hasLeadership === true;
  }

  /** LeaderLatch.getParticipants(): every contender in node order, the leader flagged. */
  async latchParticipants(id: string): Promise<LatchParticipant[]> {
    return (await this.call('latch.participants', [id])).participants as LatchParticipant[];
  }

  async latchClose(id: string): Promise<void> {
    await this.call('latch.close', [id]);
  }

  /** InterProcessSemaphoreV2(client, path, maxLeases).acquire(...); one id may hold several leases. */
  async semaphoreAcquire(id: string, path: string, maxLeases: number, timeoutMs?: number): Promise<LeaseAnswer> {
    const args = timeoutMs === undefined ? [id, path, maxLeases] : [id, path, maxLeases, timeoutMs];
    const a = await this.call('semaphore.acquire', args, callTimeout(timeoutMs));
    return { acquired: a.acquired === true, ...(typeof a.nodeName === 'string' ? { nodeName: a.nodeName } : {}) };
  }

  /** Returns the oldest lease this id holds. */
  async semaphoreRelease(id: string): Promise<{ nodeName: string }> {
    return { nodeName: String((await this.call('semaphore.release', [id])).nodeName) };
  }

  // ---- protocol

  /**
   * Sends one command and resolves with its answer; rejects with CuratorAgentError on {ok:false},
   * or after `timeoutMs` (the command may still complete in the agent). Blocking acquires
   * without their own timeout may take longer: pass Infinity.
   */
  call(verb: string, args: ReadonlyArray<string | number> = [], timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<Record<string, unknown>> {
    const command = [verb, ...args.map(String)].join(' ');
    if (this.stopping || exited(this.child)) return Promise.reject(new Error(`${this.label}: agent is stopped (${command})`));
    const bad = args.map(String).find((a) => a === '' || /\s/.test(a));
    if (bad !== undefined) return Promise.reject(new Error(`${this.label}: argument ${JSON.stringify(bad)} is empty or has whitespace`));
    const tag = this.nextTag++;
    const promise = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(tag);
        reject(new Error(`${this.label}: no answer to "${command}" within ${timeoutMs} ms\n--- stderr\n${tail(this.stderr)}`));
      }, Number.isFinite(timeoutMs) ? timeoutMs : 2 ** 31 - 1);
      this.pending.set(tag, { command, resolve, reject, timer });
    });
    this.child.stdin?.write(`${tag} ${command}\n`);
    return promise;
  }

  /** How many events have arrived (a `since` mark for waitForEvent). */
  get eventCount(): number {
    return this.events.length;
  }

  /** The first event at index ≥ `since` (default 0) that matches, waiting for it if needed. */
  waitForEvent(
    match: (event: CuratorAgentEvent) => boolean,
    { since = 0, timeoutMs = 20_000 }: { since?: number; timeoutMs?: number } = {},
  ): Promise<CuratorAgentEvent> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.events.slice(since).find(match);
        if (hit === undefined) {
          if (!this.closed) return false;
          reject(new Error(`${this.label}: exited without the awaited event\n--- events\n${this.describeEvents()}\n--- stderr\n${tail(this.stderr)}`));
        } else {
          resolve(hit);
        }
        this.eventWaiters.delete(waiter);
        clearTimeout(timer);
        return true;
      };
      const waiter = (): void => void check();
      const timer = setTimeout(() => {
        this.eventWaiters.delete(waiter);
        reject(new Error(`${this.label}: awaited event not seen within ${timeoutMs} ms\n--- events\n${this.describeEvents()}\n--- stderr\n${tail(this.stderr)}`));
      }, timeoutMs);
      this.eventWaiters.add(waiter);
      check();
    });
  }

  /** Curator's connection states so far, in order. */
  states(since = 0): ConnectionStateName[] {
    return this.events.slice(since).flatMap((e) => (e.event === 'state' ? [e.state] : []));
  }

  /** Closes Curator (its session ends, ephemerals go) and waits for the JVM; kills it if it hangs. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      if (!exited(this.child)) {
        this.child.stdin?.write(`${this.nextTag++} close\n`);
        this.child.stdin?.end();
        if (!(await waitClosed(this.child, STOP_GRACE_MS))) signalGroup(this.child, 'SIGKILL');
      }
      await waitClosed(this.child, STOP_GRACE_MS);
      this.abandonPending();
    })());
  }

  /** SIGKILL: the session is left to expire on the server. */
  kill(): Promise<void> {
    return (this.stopping ??= (async () => {
      signalGroup(this.child, 'SIGKILL');
      await waitClosed(this.child, STOP_GRACE_MS);
      this.abandonPending();
    })());
  }

  /** The last part of the JVM's stderr (Curator and ZooKeeper log WARN and above). */
  stderrTail(): string {
    return tail(this.stderr);
  }

  private lockCall(verb: string, id: string, path: string, timeoutMs: number | undefined): Promise<LockAnswer> {
    const args = timeoutMs === undefined ? [id, path] : [id, path, timeoutMs];
    return this.call(verb, args, callTimeout(timeoutMs)).then((a) => ({
      acquired: a.acquired === true,
      ...(typeof a.node === 'string' ? { node: a.node } : {}),
    }));
  }

  private onStdout(chunk: string): void {
    const lines = (this.stdoutRest + chunk).split('\n');
    this.stdoutRest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() !== '') this.onLine(line);
    }
  }

  private onLine(line: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.pushEvent({ event: 'agent-error', error: `not JSON: ${line}` });
      return;
    }
    if (!('tag' in message)) {
      this.pushEvent(message as CuratorAgentEvent);
      return;
    }
    const entry = typeof message.tag === 'number' ? this.pending.get(message.tag) : undefined;
    if (entry === undefined) {
      if (message.ok === false) this.pushEvent({ event: 'agent-error', error: String(message.error) });
      return; // an answer after its call timed out, or to `close`
    }
    this.pending.delete(message.tag as number);
    clearTimeout(entry.timer);
    if (message.ok === true) entry.resolve(message);
    else entry.reject(new CuratorAgentError(entry.command, String(message.error)));
  }

  private pushEvent(event: CuratorAgentEvent): void {
    this.events.push(event);
    for (const waiter of [...this.eventWaiters]) waiter();
  }

  private onExit(): void {
    this.closed = true;
    for (const waiter of [...this.eventWaiters]) waiter();
    if (this.stopping) return;
    const why = `${this.label}: the JVM exited (code ${this.child.exitCode}, signal ${this.child.signalCode})\n--- stderr\n${tail(this.stderr)}`;
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(new Error(why));
    }
    this.pending.clear();
  }

  /**
   * After a deliberate stop, outstanding calls (e.g. an acquire still blocked in Curator) are
   * dropped: they never settle, so nothing rejects with nobody listening.
   */
  private abandonPending(): void {
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
  }

  private describeEvents(): string {
    return this.events.map((e) => JSON.stringify(e)).join('\n');
  }
}

/** A call with its own Curator timeout gets that much longer than the default; none means no limit. */
function callTimeout(timeoutMs: number | undefined): number {
  return timeoutMs === undefined ? Infinity : timeoutMs + DEFAULT_CALL_TIMEOUT_MS;
}
