// QuorumMaj: more than half of the voters; observers and unknown sids never count.

import { describe, expect, it } from 'vitest';
import { hasQuorum, isVoter, quorumConfig } from '../../../../server/zab/quorum-config.js';

describe('quorumConfig / hasQuorum', () => {
  it.each<[number[], number[], number[], boolean]>([
    [[1, 2, 3], [], [1, 2], true],
    [[1, 2, 3], [], [3], false],
    [[1, 2, 3, 4], [], [1, 2], false],
    [[1, 2, 3, 4], [], [1, 2, 4], true],
    [[1, 2, 3], [4, 5], [1, 4, 5], false],
    [[1, 2, 3], [4, 5], [1, 1, 1], false],
    [[1, 2, 3], [], [1, 9, 8], false],
    [[1], [], [1], true],
    [[1], [], [], false],
  ])('voters %j observers %j: acks %j → %s', (voters, observers, acks, expected) => {
    expect(hasQuorum(quorumConfig(voters, observers), acks.map(BigInt))).toBe(expected);
  });

  it('keeps voters and observers apart', () => {
    const cfg = quorumConfig([1, 2, 3], [4]);
    expect(isVoter(cfg, 3n)).toBe(true);
    expect(isVoter(cfg, 4n)).toBe(false);
    expect(() => quorumConfig([1, 2], [2])).toThrow(/both voter and observer/);
    expect(() => quorumConfig([], [1])).toThrow(/at least one voter/);
  });
});
