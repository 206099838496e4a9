// The txn log's group commit on a real directory: what is appended in one turn shares one durable
// write, reports come in zxid order and cover every txn, txns appended while a write is under way
// (or from inside a report) ride the next write, and everything reads back from the segment; a
// lone txn at an idle log is written on the event loop's thread only when the owner allows it,
// it is still alone at the end of the turn, and no recent lone write was slow.

import { mkdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { storageDirs } from '../../../server/storage/file-names.js';
import { readLogTail } from '../../../server/storage/log-rewrite.js';
import { TxnLog } from '../../../server/storage/txn-log.js';
import { removeDataDir, tempDataDir } from '../../support/data-dirs.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDataDir(d);
});

function openLog(
  onDurable: (zxid: bigint, log: TxnLog) => void,
  extra: {
    slowWriteWarningMs?: number;
    warn?: (m: string) => void;
    mayWriteLoneTxnInline?: () => boolean;
    now?: () => number;
  } = {},
): { log: TxnLog; dir: string; failures: Error[] } {
  const dir = tempDataDir('zabkit-txnlog');
  dirs.push(dir);
  const failures: Error[] = [];
  const { logDir } = storageDirs(dir, undefined);
  mkdirSync(logDir, { recursive: true });
  const log: TxnLog = new TxnLog({
    dir: logDir,
    preAllocBytes: 1 << 20,
    onDurable: (zxid) => onDurable(zxid, log),
    onFailure: (err) => failures.push(err),
    ...extra,
  });
  return { log, dir, failures };
}

/** At least a TxnHeader's 32 bytes, as every real record is (shorter ones read back as damage). */
const payload = (zxid: bigint): Buffer => Buffer.from(`txn ${zxid}`.padEnd(40, '.'));

describe('TxnLog', () => {
  it('starts writing at the first append; the rest of the turn shares the next write', async () => {
    const reports: bigint[] = [];
    const { log, dir, failures } = openLog((zxid) => reports.push(zxid));
    for (let z = 1n; z <= 50n; z++) log.append(z, payload(z));
    await log.drain();
    expect(failures).toEqual([]);
    expect(reports).toEqual([1n, 50n]);
    expect(log.stats.batchSize).toMatchObject({ count: 2, total: 50, max: 49 });

    const logged = await readLogTail(storageDirs(dir, undefined), 100);
    expect(logged.map((t) => t.zxid)).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i + 1)));
    expect(logged[49]!.data).toEqual(payload(50n));
    await log.close();
  });

  it('lets txns appended while a write is under way ride the next one, reported after it', async () => {
    const reports: bigint[] = [];
    const { log, dir, failures } = openLog((zxid) => reports.push(zxid));
    log.append(1n, payload(1n)); // starts the first write
    await new Promise((r) => setImmediate(r));
    for (let z = 2n; z <= 20n; z++) log.append(z, payload(z)); // queued behind it
    await log.drain();
    expect(failures).toEqual([]);
    expect(reports.at(-1)).toBe(20n);
    expect(reports).toEqual([...reports].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(reports).size).toBe(reports.length);
    expect(log.stats.batchSize.count).toBe(reports.length);
    expect(log.stats.batchSize.count).toBeLessThan(20);
    expect((await readLogTail(storageDirs(dir, undefined), 100)).length).toBe(20);
    await log.close();
  });

  it('writes txns appended from inside a durable report', async () => {
    const reports: bigint[] = [];
    const { log, dir, failures } = openLog((zxid, self) => {
      reports.push(zxid);
      if (zxid < 5n) self.append(zxid + 1n, payload(zxid + 1n)); // as an apply that logs a follow-up txn would
    });
    log.append(1n, payload(1n));
    await log.drain();
    expect(failures).toEqual([]);
    expect(reports).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(log.busy).toBe(false);
    expect((await readLogTail(storageDirs(dir, undefined), 10)).map((t) => t.zxid)).toEqual([1n, 2n, 3n, 4n, 5n]);
    await log.close();
  });

  it('counts durable writes, their times and batch sizes, and warns of a write over the threshold', async () => {
    const warnings: string[] = [];
    const { log } = openLog(() => undefined, { slowWriteWarningMs: 0, warn: (m) => warnings.push(m) });
    log.append(1n, payload(1n));
    await new Promise((r) => setImmediate(r));
    for (let z = 2n; z <= 30n; z++) log.append(z, payload(z));
    await log.drain();
    const { syncMs, batchSize } = log.stats;
    expect(syncMs.count).toBe(batchSize.count);
    expect(batchSize.count).toBeGreaterThanOrEqual(2);
    expect(batchSize.total).toBe(30);
    expect(batchSize.min).toBe(1);
    expect(Number.isInteger(syncMs.total)).toBe(true); // whole milliseconds, as ZooKeeper's fsynctime
    expect(warnings).toHaveLength(batchSize.count); // every write is slower than 0 ms
    expect(warnings[0]).toMatch(/durable write to log\.0000000000000001 took \d+ ms \(over fsync\.warningthresholdms=0\)/);
    await log.close();

    const quiet: string[] = [];
    const second = openLog(() => undefined, { slowWriteWarningMs: 60_000, warn: (m) => quiet.push(m) });
    second.log.append(1n, payload(1n));
    await second.log.drain();
    expect(quiet).toEqual([]);
    await second.log.close();
  });

  describe('a lone txn on the event loop', () => {
    const endOfTurn = () => new Promise((r) => setImmediate(r));

    /** A log with its first segment open (the first write always goes through the pool). */
    async function openedLog(allow: () => boolean, now?: () => number) {
      const reports: bigint[] = [];
      const opened = openLog((zxid) => reports.push(zxid), { mayWriteLoneTxnInline: allow, now });
      opened.log.append(1n, payload(1n));
      await opened.log.drain();
      return { ...opened, reports };
    }

    it('is durable and reported within the turn it was appended in, and reads back', async () => {
      const { log, dir, failures, reports } = await openedLog(() => true);
      expect(log.stats.loneWritesInline).toBe(0);
      log.append(2n, payload(2n));
      expect(reports).toEqual([1n]); // not inside append: the rest of the turn may still join
      await endOfTurn(); // queued after the log's own end-of-turn step
      expect(reports).toEqual([1n, 2n]);
      expect(log.busy).toBe(false);
      expect(log.stats.loneWritesInline).toBe(1);
      log.append(3n, payload(3n));
      await log.drain();
      expect(log.stats.loneWritesInline).toBe(2);
      expect(failures).toEqual([]);
      expect((await readLogTail(storageDirs(dir, undefined), 10)).map((t) => t.zxid)).toEqual([1n, 2n, 3n]);
      await log.close();
    });

    it('is not when more txns join it in the same turn, nor when the owner says no', async () => {
      let allow = true;
      const { log, dir, reports } = await openedLog(() => allow);
      log.append(2n, payload(2n));
      log.append(3n, payload(3n));
      await log.drain();
      expect(log.stats.loneWritesInline).toBe(0);
      expect(log.stats.batchSize.max).toBe(2);

      allow = false;
      log.append(4n, payload(4n));
      await log.drain();
      expect(log.stats.loneWritesInline).toBe(0);
      expect(reports).toEqual([1n, 3n, 4n]);
      expect((await readLogTail(storageDirs(dir, undefined), 10)).length).toBe(4);
      await log.close();
    });

    it('is not when the txn opens a new segment', async () => {
      const { log, dir } = await openedLog(() => true);
      log.roll();
      log.append(2n, payload(2n));
      await log.drain();
      expect(log.stats.loneWritesInline).toBe(0);
      log.append(3n, payload(3n));
      await log.drain();
      expect(log.stats.loneWritesInline).toBe(1);
      expect((await readLogTail(storageDirs(dir, undefined), 10)).map((t) => t.zxid)).toEqual([1n, 2n, 3n]);
      await log.close();
    });

    it('goes back to the thread pool for 200x as long as a lone write over 5 ms took', async () => {
      let clock = 0;
      const { log, reports } = await openedLog(() => true, () => (clock += 6)); // every lone write takes 6 ms
      log.append(2n, payload(2n));
      await log.drain(); // written on the loop in 6 ms by this clock, ending before 30: paused for 1200
      expect(log.stats.loneWritesInline).toBe(1);
      clock = 1_000;
      log.append(3n, payload(3n));
      await log.drain();
      expect(log.stats.loneWritesInline, 'paused').toBe(1);
      clock = 1_300;
      log.append(4n, payload(4n));
      await log.drain();
      expect(log.stats.loneWritesInline, 'the pause is over').toBe(2);
      expect(reports).toEqual([1n, 2n, 3n, 4n]);
      await log.close();
    });
  });
});
