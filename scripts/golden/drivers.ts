// Drivers for golden-capture scenarios: how each real client (zkCli.sh, kazoo, the Java client
// via GoldenJavaClient.java, the C CLI) is run through the recording proxy, plus helpers that
// wait on recorded frames (replies, reconnects) to keep captures deterministic.
import { fileURLToPath } from 'node:url';
import type { ApacheZooKeeper } from '../../test/support/apache-zookeeper.js';
import { JAVA_PATH, ZOOKEEPER_CLASSPATH } from '../../test/support/debian-packages.js';
import { signalGroup, spawnTracked, tail } from '../../test/support/processes.js';
import { runKazoo, runZkCli } from '../../test/support/real-clients.js';
import type { RecordedFrame, RecordingProxy } from '../../test/support/recording-proxy.js';

export type ClientKind = 'zkCli' | 'kazoo' | 'java' | 'c';

export interface Scenario {
  file: string;
  kind: ClientKind;
  description: string;
  /** What the client was told to do (zkCli/C CLI commands, Python body, or Java method). */
  commands: string[];
  /** Request type codes that must all appear in the c2s frames. */
  expectOps: number[];
  run(zk: ApacheZooKeeper, proxy: RecordingProxy): Promise<void>;
  /** Extra acceptance test of the captured frames; a rejected capture is retried. */
  accept?(frames: RecordedFrame[]): string | undefined;
}

export function zkCli(file: string, description: string, commands: string[], expectOps: number[]): Scenario {
  return {
    file,
    kind: 'zkCli',
    description,
    commands,
    expectOps,
    async run(_zk, proxy) {
      const r = await runZkCli(proxy.connectString, commands);
      if (/ConnectionLoss|SessionExpired|Command not found/.test(r.output)) throw new Error(`zkCli trouble:\n${r.output}`);
    },
  };
}

export function kazoo(file: string, description: string, body: string[], expectOps: number[], sessionTimeoutSec = 30, clientKwargs?: string): Scenario {
  return {
    file,
    kind: 'kazoo',
    description,
    commands: body,
    expectOps,
    async run(_zk, proxy) {
      const r = await runKazoo(proxy.connectString, body.join('\n'), { sessionTimeoutSec, clientKwargs });
      if (r.code !== 0) throw new Error(`kazoo script failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    },
  };
}

const JAVA_SOURCE = fileURLToPath(new URL('./GoldenJavaClient.java', import.meta.url));

/** Runs a GoldenJavaClient scenario; `onReady(tag)` runs at each READY pause before it continues. */
function runJava(scenario: string, hosts: string, onReady: (tag: string) => Promise<void>): Promise<string> {
  const args = ['-Xmx128m', '-XX:+UseSerialGC', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn'];
  const child = spawnTracked(JAVA_PATH, [...args, '-cp', ZOOKEEPER_CLASSPATH, JAVA_SOURCE, scenario, hosts]);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      signalGroup(child, 'SIGKILL');
      reject(new Error(`java ${scenario} timed out\n${tail(out)}\n${tail(err)}`));
    }, 90_000);
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      for (const m of c.matchAll(/^READY (\S+)$/gm)) {
        onReady(m[1] ?? '').then(
          () => child.stdin?.write('go\n'),
          (e: unknown) => {
            signalGroup(child, 'SIGKILL');
            reject(e instanceof Error ? e : new Error(String(e)));
          },
        );
      }
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && out.includes('DONE')) resolve(out);
      else reject(new Error(`java ${scenario} exited ${code}\n${tail(out)}\n${tail(err)}`));
    });
  });
}

export function java(file: string, description: string, method: string, expectOps: number[], onReady?: (zk: ApacheZooKeeper, proxy: RecordingProxy, tag: string) => Promise<void>): Scenario {
  return {
    file,
    kind: 'java',
    description,
    commands: [`GoldenJavaClient.${method}()`],
    expectOps,
    async run(zk, proxy) {
      await runJava(method, proxy.connectString, async (tag) => {
        if (!onReady) throw new Error(`unexpected READY ${tag}`);
        await onReady(zk, proxy, tag);
      });
    },
  };
}

const requestType = (f: RecordedFrame): number => Buffer.from(f.hex, 'hex').readInt32BE(8);
const xidOf = (f: RecordedFrame): number => Buffer.from(f.hex, 'hex').readInt32BE(4);

/** Waits for a c2s request of `type` on a connection after `afterConn`, then for its reply. */
async function waitForReply(proxy: RecordingProxy, type: number, afterConn: number): Promise<number> {
  const req = await proxy.waitForFrame((f) => f.dir === 'c2s' && f.conn > afterConn && f.hex.length >= 24 && requestType(f) === type);
  await proxy.waitForFrame((f) => f.dir === 's2c' && f.conn === req.conn && f.hex.length >= 40 && xidOf(f) === xidOf(req));
  return req.conn;
}

/** Drops the client's connection; while the reconnect is held, runs `meanwhile`; then lets it through. */
export async function reconnectClient(proxy: RecordingProxy, watchOp: number, meanwhile: () => Promise<void>): Promise<void> {
  const lastConn = Math.max(...proxy.frames.map((f) => f.conn));
  proxy.hold();
  proxy.dropConnections();
  await meanwhile();
  proxy.release();
  await waitForReply(proxy, watchOp, lastConn);
}

export const pings = (frames: RecordedFrame[]): number => frames.filter((f) => f.dir === 'c2s' && f.hex.length >= 24 && xidOf(f) === -2).length;

/**
 * Resolves once command `index` of the C CLI has been sent and every request so far answered.
 * Our C commands send exactly one request each, so command i is c2s frame 2 + 2i (after the
 * ConnectRequest and i command+marker pairs).
 */
export async function commandAnswered(proxy: RecordingProxy, index: number): Promise<void> {
  const deadline = Date.now() + 5000;
  const count = (dir: 'c2s' | 's2c'): number =>
    proxy.frames.filter((f) => f.dir === dir && (dir === 'c2s' || xidOf(f) !== -1)).length;
  while (count('c2s') < 2 + 2 * index || count('s2c') < count('c2s')) {
    if (Date.now() > deadline) throw new Error(`C CLI command ${index} never answered`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
