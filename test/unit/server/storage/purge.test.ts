// Which files autopurge deletes: snapshots beyond the newest N (never fewer than 3 kept), and
// log segments that hold nothing after the oldest kept snapshot.

import { describe, expect, it } from 'vitest';
import { planPurge } from '../../../../server/storage/purge.js';

const files = (prefix: string, zxids: number[]) => zxids.map((z) => ({ name: `${prefix}.${z.toString(16)}`, zxid: BigInt(z) }));
const names = (fs: { name: string }[]) => fs.map((f) => f.name);

describe('planPurge', () => {
  it.each([
    // snapshots, segments, retain → deleted snapshots, deleted segments
    [[0, 100, 200, 300, 400], [1, 90, 205, 390], 3, ['snapshot.0', 'snapshot.64'], ['log.1']],
    [[0, 100, 200, 300, 400], [1, 90, 201, 390], 3, ['snapshot.0', 'snapshot.64'], ['log.1', 'log.5a']],
    // the segment starting at oldest-kept + 1 is the first needed
    [[0, 100, 200, 300], [1, 101, 201], 3, ['snapshot.0'], ['log.1']],
    // a segment starting beyond oldest-kept + 1 means the one before it is still needed
    [[0, 100, 200, 300], [1, 50, 150], 3, ['snapshot.0'], ['log.1']],
    // retain below 3 is raised to 3
    [[0, 100, 200, 300], [1, 101, 150], 1, ['snapshot.0'], ['log.1']],
    // nothing to do with 3 or fewer snapshots
    [[0, 100, 200], [1, 50, 150], 3, [], []],
    // every segment newer than the oldest kept: none deleted
    [[0, 10, 20, 30, 40], [25, 35], 3, ['snapshot.0', 'snapshot.a'], []],
  ])('snapshots %j, segments %j, retain %i', (snaps, segs, retain, delSnaps, delSegs) => {
    const plan = planPurge(files('snapshot', snaps), files('log', segs), retain);
    expect(names(plan.snapshots)).toEqual(delSnaps);
    expect(names(plan.segments)).toEqual(delSegs);
  });
});
