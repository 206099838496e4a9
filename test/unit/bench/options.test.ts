// `zabkit bench` flags → BenchOptions: defaults, parsing, and the usage errors for bad values.

import { describe, expect, it } from 'vitest';
import { BenchUsageError, DEFAULT_BENCH_OPTIONS, parseSize, resolveBenchOptions } from '../../../bench/options.js';

describe('resolveBenchOptions', () => {
  it('no flags: the defaults, a bounded run of both servers in both modes', () => {
    const o = resolveBenchOptions({});
    expect(o).toEqual({ ...DEFAULT_BENCH_OPTIONS });
    expect(o.targets).toEqual(['zabkit', 'zookeeper']);
    expect(o.modes).toEqual(['standalone', 'ensemble']);
    expect(o.durationS + o.warmupS).toBeLessThanOrEqual(10);
  });

  it('parses every flag', () => {
    const o = resolveBenchOptions({
      duration: '3.5', warmup: '0', sessions: '8', outstanding: '50', readPct: '75', payload: '1k',
      ops: 'getData, mixed', targets: 'zookeeper', modes: 'ensemble', parts: 'latency,sequence',
      sequenceCount: '500', watchMultiple: '2', keys: '64', snapshotNodes: '5000', snapCount: '200', dataRoot: '/var/tmp', json: 'out.json',
      zabkitCli: '/x/cli/main.ts', cpuProf: '/tmp/prof', nodeFlags: ' --max-semi-space-size=8  --single-threaded-gc ', progress: false,
    });
    expect(o).toEqual({
      durationS: 3.5, warmupS: 0, sessions: 8, outstanding: 50, readPct: 75, payloadBytes: 1024,
      ops: ['getData', 'mixed'], targets: ['zookeeper'], modes: ['ensemble'], parts: ['latency', 'sequence'],
      sequenceCount: 500, watchMultiple: 2, keys: 64, snapshotNodes: 5000, snapCount: 200, dataRoot: '/var/tmp', jsonOut: 'out.json',
      zabkitCli: '/x/cli/main.ts', cpuProfDir: '/tmp/prof', nodeFlags: ['--max-semi-space-size=8', '--single-threaded-gc'], progress: false,
    });
  });

  it('lists are case-insensitive, keep the order given and drop repeats', () => {
    expect(resolveBenchOptions({ ops: 'SETDATA,create,setData' }).ops).toEqual(['setData', 'create']);
  });

  it.each([
    [{ duration: 'ten' }, /--duration must be a number/],
    [{ duration: '0' }, /--duration must be between/],
    [{ sessions: '2.5' }, /--sessions must be a whole number/],
    [{ sessions: '0' }, /--sessions must be between 1/],
    [{ readPct: '101' }, /--read-pct must be between 0 and 100/],
    [{ outstanding: '' }, /--outstanding must be a number/],
    [{ ops: 'delete' }, /--ops: unknown 'delete' \(choose from create, setData, getData, exists, mixed\)/],
    [{ targets: ' , ' }, /--targets needs at least one/],
    [{ modes: 'cluster' }, /--modes: unknown 'cluster'/],
    [{ payload: '2mb' }, /--payload must be a byte count/],
    [{ payload: '600k' }, /--payload must be at most 512k/],
    [{ json: ' ' }, /--json must not be empty/],
    [{ cpuProf: '' }, /--cpu-prof must not be empty/],
    [{ nodeFlags: '  ' }, /--node-flags must not be empty/],
    [{ nodeFlags: '--max-semi-space-size=8 evil.js' }, /--node-flags takes node options .*not 'evil.js'/],
    [{ nodeFlags: '-e 1' }, /not '-e'/],
    [{ snapCount: '1' }, /--snap-count must be between 2/],
    [{ snapshotNodes: '-1' }, /--snapshot-nodes must be between 0/],
  ])('%o is refused: %s', (flags, message) => {
    expect(() => resolveBenchOptions(flags)).toThrow(BenchUsageError);
    expect(() => resolveBenchOptions(flags)).toThrow(message);
  });
});

describe('parseSize', () => {
  it.each([
    ['0', 0],
    ['100', 100],
    ['4k', 4096],
    ['2KiB', 2048],
    [' 1kb ', 1024],
  ])('%s → %d bytes', (raw, bytes) => {
    expect(parseSize('--payload', raw)).toBe(bytes);
  });
});
