// An ensemble member's disk: epoch files (atomic, defaults, refusals), cutting the log back for
// TRUNC, dropping it after a SNAP, reading the newest txns back and those from a zxid on (DIFF
// from disk), and QuorumStorage tying them
// together with recovery — after each step a fresh recovery must give the expected tree.

import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OpCode } from '../../../../protocol/ops.js';
import { OPEN_ACL_UNSAFE } from '../../../../protocol/types.js';
import { encodeTxn } from '../../../../server/requests/txn.js';
import { ACCEPTED_EPOCH_FILE, CURRENT_EPOCH_FILE, loadEpochs, readEpoch, writeEpoch } from '../../../../server/storage/epoch-files.js';
import { storageDirs } from '../../../../server/storage/file-names.js';
import { discardLog, readLogFrom, readLogTail, truncateLog } from '../../../../server/storage/log-rewrite.js';
import { recover } from '../../../../server/storage/recovery.js';
import { StorageError } from '../../../../server/storage/storage-error.js';
import { writeSnapshot } from '../../../../server/storage/snapshot-writer.js';
import { QuorumStorage } from '../../../../server/quorum/quorum-storage.js';
import { removeDataDir, tempDataDir } from '../../../support/data-dirs.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDataDir(d);
});
function dataDir(): string {
  const d = tempDataDir('zabkit-qs');
  dirs.push(d);
  return d;
}

const zxid = (epoch: number, counter: number) => (BigInt(epoch) << 32n) | BigInt(counter);

/** A create of `/n<counter>` as logged bytes. */
function createEntry(z: bigint) {
  const path = `/n${z.toString(16)}`;
  return {
    zxid: z,
    data: encodeTxn({
      header: { clientId: 0n, cxid: 0, zxid: z, time: 0n, type: OpCode.create },
      record: { type: OpCode.create, body: { path, data: Buffer.from('d'), acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: 0 } },
    }),
  };
}

async function openStorage(dir: string, snapCount = 1_000_000, snapshotSizeFactor?: number) {
  return QuorumStorage.open({
    dataDir: dir, snapCount, preAllocBytes: 4096, snapRetainCount: 3, purgeIntervalHours: 0, random: () => 0.5, log: () => undefined,
    snapshotSizeFactor,
  });
}

describe('epoch files', () => {
  it('are written whole through a temp file and read back', async () => {
    const dir = dataDir();
    await writeEpoch(dir, ACCEPTED_EPOCH_FILE, 7n);
    expect(readFileSync(join(dir, ACCEPTED_EPOCH_FILE), 'utf8')).toBe('7\n');
    expect(await readEpoch(dir, ACCEPTED_EPOCH_FILE)).toBe(7n);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(await readEpoch(dir, CURRENT_EPOCH_FILE)).toBeUndefined();
  });

  it('start at the log\'s epoch when missing, and refuse files that cannot belong to the log', async () => {
    const dir = dataDir();
    expect(await loadEpochs(dir, zxid(3, 9))).toEqual({ acceptedEpoch: 3n, currentEpoch: 3n });
    expect(await readEpoch(dir, CURRENT_EPOCH_FILE)).toBe(3n);
    await expect(loadEpochs(dir, zxid(4, 1))).rejects.toThrow(/log holds txns of epoch 4, which was never accepted/);
    await writeEpoch(dir, CURRENT_EPOCH_FILE, 5n);
    await expect(loadEpochs(dir, zxid(4, 1))).rejects.toThrow(/current epoch 5 is newer than the accepted epoch 3/);
    writeFileSync(join(dir, ACCEPTED_EPOCH_FILE), 'five\n');
    await expect(loadEpochs(dir, 0n)).rejects.toBeInstanceOf(StorageError);
  });

  it('keep an old current epoch when the log got ahead during a sync the member never acked', async () => {
    const dir = dataDir();
    await writeEpoch(dir, CURRENT_EPOCH_FILE, 3n);
    await writeEpoch(dir, ACCEPTED_EPOCH_FILE, 4n);
    const epochs = await loadEpochs(dir, zxid(4, 2));
    expect(epochs).toMatchObject({ acceptedEpoch: 4n, currentEpoch: 3n });
    expect(epochs.warning).toMatch(/stopped while syncing/);
  });
});

describe('QuorumStorage and log rewriting', () => {
  it('appends with durability reports, and keeps the newest txns for DIFF', async () => {
    const dir = dataDir();
    const { storage, state } = await openStorage(dir);
    expect(state.lastZxid).toBe(0n);
    await storage.setAcceptedEpoch(1n);
    await storage.setCurrentEpoch(1n);
    const durable: bigint[] = [];
    storage.onDurable = (z) => durable.push(z);
    const entries = [1, 2, 3].map((c) => createEntry(zxid(1, c)));
    storage.append(entries);
    expect(storage.lastLoggedZxid).toBe(zxid(1, 3));
    await storage.drain();
    expect(durable.at(-1)).toBe(zxid(1, 3));
    expect(storage.committedLog().map((e) => e.zxid)).toEqual(entries.map((e) => e.zxid));
    expect(storage.entriesAfter(zxid(1, 1))?.map((e) => e.zxid)).toEqual([zxid(1, 2), zxid(1, 3)]);
    expect(storage.entriesAfter(zxid(1, 3))).toEqual([]);
    expect(storage.entriesAfter(zxid(0, 5))).toBeUndefined();
    await storage.close();
    expect((await readLogTail(storageDirs(dir, undefined), 2)).map((e) => e.zxid)).toEqual([zxid(1, 2), zxid(1, 3)]);
    const again = await openStorage(dir);
    expect(again.state.lastZxid).toBe(zxid(1, 3));
    expect(again.state.tree.has('/n100000003')).toBe(true);
    await again.storage.close();
  });

  it('reads the txns from a zxid on back from disk, across segments, for a DIFF beyond memory', async () => {
    const dir = dataDir();
    // snapCount 6: the log rolls to a new segment every 3..5 txns (no snapshot source here).
    const { storage } = await openStorage(dir, 6, 0);
    for (let c = 1; c <= 20; c++) {
      storage.append([createEntry(zxid(1, c))]);
      await storage.drain(); // a roll takes effect at the next write
    }
    const logDir = storageDirs(dir, undefined).logDir;
    expect(readdirSync(logDir).filter((n) => n.startsWith('log.')).length).toBeGreaterThan(3);
    const counters = (txns: { zxid: bigint }[] | undefined) => txns?.map((e) => Number(e.zxid & 0xffffffffn));
    const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
    expect(counters(await storage.readHistory(zxid(1, 3)))).toEqual(range(3, 20));
    expect(counters(await storage.readHistory(zxid(1, 20)))).toEqual([20]);
    // The log must reach back to the zxid: it starts at 1/1, so nothing proves continuity from 0.
    expect(await storage.readHistory(0n)).toBeUndefined();
    // A zxid with no record (a later epoch's start) is proven by the last record before it.
    expect(counters(await storage.readHistory(zxid(2, 0)))).toEqual([20]);
    const bytes = (await storage.readHistory(zxid(1, 3)))!.reduce((n, e) => n + e.data.length, 0);
    expect(counters(await readLogFrom(storageDirs(dir, undefined), zxid(1, 3), bytes))).toEqual(range(3, 20));
    expect(await readLogFrom(storageDirs(dir, undefined), zxid(1, 3), bytes - 1)).toBeUndefined();
    // A purged first segment: the log no longer reaches back.
    const first = readdirSync(logDir).filter((n) => n.startsWith('log.')).sort()[0]!;
    rmSync(join(logDir, first));
    expect(await storage.readHistory(zxid(1, 2))).toBeUndefined();
    await storage.close();
  });

  it('serves a disk DIFF only within snapshotSizeFactor x the newest snapshot (0: no limit; negative: never)', async () => {
    const sizes = new Map<number, bigint[] | undefined>();
    for (const factor of [0, 0.33, 1, -1]) {
      const dir = dataDir();
      const { storage } = await openStorage(dir, 1_000_000, factor);
      // The newest snapshot is the empty base one (about a hundred bytes); 40 creates outweigh it.
      for (let c = 1; c <= 40; c++) storage.append([createEntry(zxid(1, c))]);
      await storage.drain();
      sizes.set(factor, (await storage.readHistory(zxid(1, 1)))?.map((e) => e.zxid));
      await storage.close();
    }
    expect(sizes.get(0)?.length).toBe(40);
    expect(sizes.get(0.33)).toBeUndefined();
    expect(sizes.get(1)).toBeUndefined();
    expect(sizes.get(-1)).toBeUndefined();
  });

  it('TRUNC cuts the log (across segments) and recovers the tree at the cut', async () => {
    const dir = dataDir();
    const { storage } = await openStorage(dir);
    storage.append([1, 2].map((c) => createEntry(zxid(1, c))));
    await storage.drain();
    // A second segment, as after a snapshot roll.
    await storage.installSnapshot(zxid(1, 2), new Map(), (await openStorage(dataDir())).state.tree.entries());
    storage.append([3, 4, 5].map((c) => createEntry(zxid(1, c))));
    await storage.drain();
    const state = await storage.truncate(zxid(1, 3));
    expect(state.lastZxid).toBe(zxid(1, 3));
    expect(storage.lastLoggedZxid).toBe(zxid(1, 3));
    expect(state.tree.has('/n100000003')).toBe(true);
    expect(state.tree.has('/n100000004')).toBe(false);
    // Appending continues after the cut, and a restart agrees.
    storage.append([createEntry(zxid(2, 1))]);
    await storage.close();
    const recovered = await recover(storageDirs(dir, undefined));
    expect(recovered.state.lastZxid).toBe(zxid(2, 1));
    expect(recovered.state.tree.has('/n200000001')).toBe(true);
    expect(recovered.state.tree.has('/n100000005')).toBe(false);
  });

  it('TRUNC deletes snapshots past the cut and refuses when none would remain', async () => {
    const dir = dataDir();
    const d = storageDirs(dir, undefined);
    const { storage } = await openStorage(dir);
    storage.append([1, 2, 3].map((c) => createEntry(zxid(1, c))));
    await storage.close();
    const state = (await recover(d)).state;
    await writeSnapshot(d.snapDir, { zxid: zxid(1, 3), sessions: state.sessions, nodes: state.tree.entries() });
    const snapshots = () => readdirSync(d.snapDir).filter((n) => n.startsWith('snapshot.')).sort();
    expect(snapshots()).toEqual(['snapshot.0000000000000000', 'snapshot.0000000100000003']);

    const cut = await truncateLog(d, zxid(1, 1));
    expect(cut).toEqual({ records: 2, snapshots: ['snapshot.0000000100000003'] });
    expect(snapshots()).toEqual(['snapshot.0000000000000000']);
    expect((await recover(d)).state.lastZxid).toBe(zxid(1, 1));

    rmSync(join(d.snapDir, 'snapshot.0000000000000000'));
    await writeSnapshot(d.snapDir, { zxid: zxid(1, 1), sessions: state.sessions, nodes: state.tree.entries() });
    await expect(truncateLog(d, 0n)).rejects.toThrow(/every snapshot is newer/);
  });

  it('SNAP installs the leader\'s tree durably and drops the superseded log', async () => {
    const dir = dataDir();
    const d = storageDirs(dir, undefined);
    const { storage } = await openStorage(dir);
    storage.append([1, 2, 3].map((c) => createEntry(zxid(1, c))));
    await storage.drain();
    const leader = await openStorage(dataDir());
    leader.storage.append([1, 2, 3, 4, 5, 6].map((c) => createEntry(zxid(2, c))));
    await leader.storage.drain();
    const leaderState = await leader.storage.reload();
    await storage.installSnapshot(zxid(2, 6), leaderState.sessions, leaderState.tree.entries());
    expect(readdirSync(d.logDir).filter((n) => n.startsWith('log.'))).toEqual([]);
    expect(storage.lastLoggedZxid).toBe(zxid(2, 6));
    storage.append([createEntry(zxid(2, 7))]);
    await storage.close();
    await leader.storage.close();
    const recovered = await recover(d);
    expect(recovered.state.lastZxid).toBe(zxid(2, 7));
    expect(recovered.state.tree.has('/n200000006')).toBe(true);
    expect(recovered.state.tree.has('/n100000001')).toBe(false);
    expect(await discardLog(d)).toBe(1);
  });
});
