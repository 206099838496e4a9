// Captures golden wire bytes from REAL Apache ZooKeeper 3.8 and real clients: for each scenario
// in scripts/golden/scenarios.ts it starts a fresh server (extended types on), drives the client
// through the recording proxy and writes test/fixtures/golden/<scenario>.json.
// Usage: npx tsx scripts/capture-golden.ts [name-filter...]
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { fourLetterWord, startApacheZooKeeper } from '../test/support/apache-zookeeper.js';
import { ensureDebianPackages, PYTHON_PATH } from '../test/support/debian-packages.js';
import { startRecordingProxy, type RecordedFrame } from '../test/support/recording-proxy.js';
import { FrameAnnotator, OP_NAMES } from './golden/annotate.js';
import { SCENARIOS, type ClientKind, type Scenario } from './golden/scenarios.js';

const OUT_DIR = fileURLToPath(new URL('../test/fixtures/golden/', import.meta.url));
const ATTEMPTS = 3;

interface GoldenFrame {
  conn: number;
  dir: 'c2s' | 's2c';
  hex: string;
  note: string;
}

function debVersion(pkg: string): string {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

function clientNames(zkVersion: string): Record<ClientKind, string> {
  const kazooVersion = spawnSync(PYTHON_PATH, ['-c', 'import kazoo.version as v; print(v.__version__)'], { encoding: 'utf8' }).stdout.trim();
  const zkDeb = debVersion('zookeeper');
  return {
    zkCli: `zkCli.sh (Apache ZooKeeper ${zkVersion} Java client; Debian zookeeper ${zkDeb})`,
    kazoo: `kazoo ${kazooVersion} on /usr/bin/python3 (Debian python3-kazoo ${debVersion('python3-kazoo')})`,
    java: `Apache ZooKeeper ${zkVersion} Java client (org.apache.zookeeper.ZooKeeper via scripts/golden/GoldenJavaClient.java; Debian zookeeper ${zkDeb})`,
    c: `cli_mt (Apache ZooKeeper ${zkVersion} C client; Debian zookeeper-bin ${debVersion('zookeeper-bin')})`,
  };
}

/** Renumbers connections 0.. in order of first frame, and annotates every frame. */
function finish(frames: RecordedFrame[]): { frames: GoldenFrame[]; ops: number[] } {
  const connIds = new Map<number, number>();
  const annotator = new FrameAnnotator();
  const ops: number[] = [];
  const out = frames.map((f) => {
    if (!connIds.has(f.conn)) connIds.set(f.conn, connIds.size);
    const frame = { ...f, conn: connIds.get(f.conn) ?? 0 };
    const type = annotator.requestType(frame);
    if (type !== undefined) ops.push(type);
    return { conn: frame.conn, dir: frame.dir, hex: frame.hex, note: annotator.note(frame) };
  });
  return { frames: out, ops };
}

async function captureOnce(scenario: Scenario): Promise<{ frames: GoldenFrame[]; ops: number[]; zkVersion: string }> {
  const zk = await startApacheZooKeeper({ extendedTypes: true });
  const proxy = await startRecordingProxy({ port: zk.port });
  try {
    const zkVersion = /Zookeeper version: ([\d.]+)/.exec(await fourLetterWord(zk.port, 'srvr'))?.[1] ?? 'unknown';
    await scenario.run(zk, proxy);
    await new Promise((r) => setTimeout(r, 200)); // let trailing frames (close reply) land
    const raw = proxy.take();
    const problem = scenario.accept?.(raw);
    if (problem) throw new Error(problem);
    const result = finish(raw);
    const missing = scenario.expectOps.filter((op) => !result.ops.includes(op));
    if (missing.length > 0) throw new Error(`missing request types ${missing.join(', ')} (saw ${[...new Set(result.ops)].join(', ')})`);
    return { ...result, zkVersion };
  } finally {
    await proxy.close();
    await zk.stop();
  }
}

/** JSON with one frame per line, so fixture diffs stay readable. */
function render(doc: Record<string, unknown>, frames: GoldenFrame[]): string {
  const head = JSON.stringify(doc, null, 2).replace(/\n}$/, '');
  const body = frames.map((f) => `    ${JSON.stringify(f)}`).join(',\n');
  return `${head},\n  "frames": [\n${body}\n  ]\n}\n`;
}

async function main(): Promise<void> {
  await ensureDebianPackages();
  await mkdir(OUT_DIR, { recursive: true });
  const filters = process.argv.slice(2);
  const chosen = SCENARIOS.filter((s) => filters.length === 0 || filters.some((f) => s.file.includes(f)));
  let names: Record<ClientKind, string> | undefined;
  for (const scenario of chosen) {
    for (let attempt = 1; ; attempt++) {
      try {
        const started = Date.now();
        const { frames, ops, zkVersion } = await captureOnce(scenario);
        names ??= clientNames(zkVersion);
        const doc = { client: names[scenario.kind], zookeeperVersion: zkVersion, description: scenario.description, commands: scenario.commands };
        await writeFile(`${OUT_DIR}${scenario.file}`, render(doc, frames));
        const opList = [...new Set(ops)].map((op) => `${op}:${OP_NAMES[op] ?? '?'}`).join(' ');
        console.log(`${scenario.file}: ${frames.length} frames in ${Date.now() - started} ms; ops ${opList}`);
        break;
      } catch (err) {
        console.error(`${scenario.file}: attempt ${attempt} failed: ${err instanceof Error ? err.message : String(err)}`);
        if (attempt >= ATTEMPTS) throw err;
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
