// Recovery from damaged data directories, built by a real server and then cut, zeroed, flipped
// or stripped of files: a torn tail is cut back to the last valid record (and nothing past it
// is served); damage with valid records after it, a hole, or a log with no snapshot under it
// refuses to start with a StorageError naming the file and offset; a corrupt newest snapshot
// falls back to the previous one.

import { readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageDirs, FORMAT_DIR } from '../../../server/storage/file-names.js';
import { scanSegment } from '../../../server/storage/log-format.js';
import { recover, type Recovery } from '../../../server/storage/recovery.js';
import { StorageError } from '../../../server/storage/storage-error.js';
import { startServer } from '../../../server/zookeeper-server.js';
import { copyDataDir, dumpTree, removeDataDir, tempDataDir, type TreeDump } from '../../support/data-dirs.js';
import { seededRandom } from '../../support/prng.js';
import { RawClient, mop } from '../../support/raw-client.js';

let base: string;
let full: Recovery;
/** The dump after each zxid, so any recovered prefix can be checked exactly. */
const dumpAt = new Map<bigint, TreeDump>();
const copies: string[] = [];

const files = (dir: string, prefix: string) => readdirSync(join(dir, FORMAT_DIR)).filter((n) => n.startsWith(`${prefix}.`)).sort();
const inDir = (dir: string, name: string) => join(dir, FORMAT_DIR, name);

function damaged(): string {
  const copy = copyDataDir(base);
  copies.push(copy);
  return copy;
}

const recoverDir = (dir: string) => recover(storageDirs(dir, undefined));

async function refusal(dir: string): Promise<StorageError> {
  const err = await recoverDir(dir).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(StorageError);
  return err as StorageError;
}

beforeAll(async () => {
  base = tempDataDir('zabkit-damage');
  const s = await startServer({ host: '127.0.0.1', port: 0, dataDir: base, snapCount: 40, preAllocSizeKb: 16 });
  const c = await RawClient.connect(s.connectString, { timeoutMs: 4000 });
  const record = () => dumpAt.set(s.processor.lastProcessedZxid, dumpTree(s.processor.tree));
  record();
  for (let i = 0; i < 60; i++) {
    await c.create(`/n${i}`, `v${i}`);
    record();
    if (i % 5 === 0) {
      await c.multi([mop.create(`/n${i}/a`, 'a'), mop.setData(`/n${i}`, 'changed'), mop.create(`/n${i}/b`, 'b')]);
      record();
    }
    if (i % 7 === 0) {
      await c.delete(`/n${i - 1 < 0 ? 0 : i - 1}/a`).catch(() => undefined);
      record();
    }
  }
  c.destroy();
  await s.close();
  // A restart starts a new segment: its five records are the log's tail, whatever snapshots did.
  const t = await startServer({ host: '127.0.0.1', port: 0, dataDir: base, preAllocSizeKb: 16 });
  const d = await RawClient.connect(t.connectString, { timeoutMs: 4000 });
  for (let i = 0; i < 5; i++) {
    await d.setData('/n1', `tail ${i}`);
    dumpAt.set(t.processor.lastProcessedZxid, dumpTree(t.processor.tree));
  }
  d.destroy();
  await t.close();
  full = await recoverDir(copyDataDir(base));
}, 60_000);

afterAll(() => {
  for (const d of copies) removeDataDir(d);
  removeDataDir(base);
});

describe('the undamaged directory', () => {
  it('recovers to the last acknowledged state, from several snapshots and segments', () => {
    expect(files(base, 'snapshot').length).toBeGreaterThan(2);
    expect(files(base, 'log').length).toBeGreaterThan(2);
    expect(full.warnings).toEqual([]);
    expect(dumpTree(full.state.tree)).toEqual(dumpAt.get(full.state.lastZxid));
  });
});

describe('a torn tail', () => {
  // The records of the last segment (the snapshot at startup covers nothing in it).
  const lastSegment = () => files(base, 'log').at(-1)!;

  it('cut at every byte offset of the last three records: back to the last complete record', async () => {
    const name = lastSegment();
    const buf = readFileSync(inDir(base, name));
    const scan = scanSegment(buf, BigInt(`0x${name.slice(4)}`));
    expect(scan.records.length).toBe(6); // createSession + 5 setData
    const tail = scan.records.slice(-3);
    for (let cut = tail[0]!.offset; cut <= scan.validEnd; cut++) {
      const dir = damaged();
      truncateSync(inDir(dir, name), cut);
      const r = await recoverDir(dir);
      const complete = scan.records.filter((rec, i) => (scan.records[i + 1]?.offset ?? scan.validEnd) <= cut);
      const expected = complete.at(-1)!.zxid;
      expect(r.state.lastZxid, `cut at ${cut}`).toBe(expected);
      expect(dumpTree(r.state.tree)).toEqual(dumpAt.get(expected));
      removeDataDir(dir);
      copies.pop();
    }
  }, 120_000);

  it('zero-filled from inside the last record: truncated there, the next start appends after it', async () => {
    const name = lastSegment();
    const dir = damaged();
    const path = inDir(dir, name);
    const buf = readFileSync(path);
    const scan = scanSegment(buf, BigInt(`0x${name.slice(4)}`));
    const last = scan.records.at(-1)!;
    buf.fill(0, last.offset + 6);
    writeFileSync(path, buf);
    const r = await recoverDir(dir);
    expect(r.state.lastZxid).toBe(last.zxid - 1n);
    expect(r.warnings.join('\n')).toMatch(new RegExp(`truncated ${name} at offset ${last.offset}`));
    // A server started on it continues from there, and the data it then takes survives too.
    const s = await startServer({ host: '127.0.0.1', port: 0, dataDir: dir });
    expect(s.processor.lastProcessedZxid).toBe(last.zxid - 1n);
    const c = await RawClient.connect(s.connectString);
    expect((await c.create('/after-repair', 'ok')).header.err).toBe(0);
    c.destroy();
    await s.close();
    const again = await recoverDir(dir);
    expect(again.state.tree.get('/after-repair')?.data?.toString()).toBe('ok');
    expect(again.warnings).toEqual([]);
  });
});

describe('flipped bytes', () => {
  it('in a record with valid records after it: refuses, naming the file and the record offset; in the last: truncated', async () => {
    const seed = 20261121;
    const random = seededRandom(seed);
    const segments = files(base, 'log');
    for (let round = 0; round < 40; round++) {
      const name = segments[Math.floor(random() * segments.length)]!;
      const buf = readFileSync(inDir(base, name));
      const scan = scanSegment(buf, BigInt(`0x${name.slice(4)}`));
      if (scan.records.length === 0) continue;
      const k = Math.floor(random() * scan.records.length);
      const rec = scan.records[k]!;
      const recordEnd = scan.records[k + 1]?.offset ?? scan.validEnd;
      const at = rec.offset + Math.floor(random() * (recordEnd - rec.offset));
      const dir = damaged();
      const bad = Buffer.from(buf);
      bad[at]! ^= 1 << Math.floor(random() * 8);
      writeFileSync(inDir(dir, name), bad);
      const isLastRecordOfLog = name === segments.at(-1) && k === scan.records.length - 1;
      const context = `seed ${seed} round ${round}: ${name} byte ${at} (record ${k} at ${rec.offset})`;
      if (isLastRecordOfLog) {
        const r = await recoverDir(dir);
        expect(r.state.lastZxid, context).toBe(rec.zxid - 1n);
      } else {
        const result = await recoverDir(dir).then((r) => r, (e: unknown) => e);
        // Damage in a record the snapshot already covers cannot change the state: recovery may
        // skip it only when it lies wholly before the newest snapshot's segment.
        if (result instanceof StorageError) {
          expect(result.message, context).toContain(`${name} at offset ${rec.offset}`);
        } else {
          expect(result, context).toMatchObject({ state: { lastZxid: full.state.lastZxid } });
          expect(dumpTree((result as Recovery).state.tree), context).toEqual(dumpAt.get(full.state.lastZxid));
        }
      }
      removeDataDir(dir);
      copies.pop();
    }
  }, 60_000);
});

describe('missing and corrupt files', () => {
  it('every snapshot deleted, the log kept: refuses, naming the log file and offset', async () => {
    const dir = damaged();
    for (const s of files(dir, 'snapshot')) rmSync(inDir(dir, s));
    const err = await refusal(dir);
    expect(err.message).toMatch(/log\.[0-9a-f]{16} at offset \d+: the log holds txn 0x[0-9a-f]+ but there is no snapshot under it/);
  });

  it('the newest snapshot deleted: recovers from the previous one and the log, to the same state', async () => {
    const dir = damaged();
    rmSync(inDir(dir, files(dir, 'snapshot').at(-1)!));
    const r = await recoverDir(dir);
    expect(r.state.lastZxid).toBe(full.state.lastZxid);
    expect(dumpTree(r.state.tree)).toEqual(dumpTree(full.state.tree));
  });

  it('a corrupt newest snapshot: skipped with a warning, the previous one used, same state', async () => {
    const dir = damaged();
    const newest = files(dir, 'snapshot').at(-1)!;
    const bytes = readFileSync(inDir(dir, newest));
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(inDir(dir, newest), bytes);
    const r = await recoverDir(dir);
    expect(r.warnings.join('\n')).toContain(`skipped ${newest}: checksum mismatch`);
    expect(r.snapshot?.name).not.toBe(newest);
    expect(dumpTree(r.state.tree)).toEqual(dumpTree(full.state.tree));
  });

  it('a log segment missing in the middle: refuses, naming where the hole shows', async () => {
    const dir = damaged();
    const snaps = files(dir, 'snapshot');
    // Keep only the oldest snapshot so the log must be replayed across every segment.
    for (const s of snaps.slice(1)) rmSync(inDir(dir, s));
    const segments = files(dir, 'log');
    rmSync(inDir(dir, segments[1]!));
    const err = await refusal(dir);
    expect(err.message).toMatch(new RegExp(`${segments[2]} at offset 16: .*(hole|continues)`));
  });

  it('a snapshot-covered log kept but the segment after the snapshot gone: refuses', async () => {
    const dir = damaged();
    const newest = files(dir, 'snapshot').at(-1)!;
    const snapZxid = BigInt(`0x${newest.slice(9)}`);
    const needed = files(dir, 'log').filter((n) => BigInt(`0x${n.slice(4)}`) <= snapZxid + 1n).at(-1)!;
    const later = files(dir, 'log').filter((n) => BigInt(`0x${n.slice(4)}`) > snapZxid + 1n);
    rmSync(inDir(dir, needed));
    if (later.length === 0) return expect(await recoverDir(dir)).toMatchObject({ state: { lastZxid: snapZxid } });
    const err = await refusal(dir);
    expect(err.message).toContain(later[0]!);
  });
});
