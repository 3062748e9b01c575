import { describe, expect, it } from 'vitest';
import { describeFailover, describeGaps, longestCommitGaps, resumeAfterElections } from '../support/commit-gaps.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const t = (s: number) => Date.parse(at(s));
const commit = (job: string, partition: number, s: number) => ({ msg: 'batch committed', job, partition, time: at(s) });

describe("the longest gap between a job's commits in a window", () => {
  it('measures from the window start, between commits, to the first commit after the window', () => {
    const logs = [commit('a', 0, 1), commit('a', 0, 12), commit('a', 0, 13), commit('a', 0, 30), commit('a', 1, 4), commit('b', 1, 25), { msg: 'other', time: at(9) }];
    const gaps = longestCommitGaps(logs, 'a', t(2), t(20));
    expect(gaps.get(0)).toBe(17_000);
    // No commit of partition 1 after the window: the gap runs from its last commit to the window's end.
    expect(gaps.get(1)).toBe(16_000);
    expect(describeGaps('x', gaps)).toBe('longest gap between commits, x: 17.0s (p0 17.0s, p1 16.0s)');
  });
});

describe('how long moved partitions took to commit after their new leader', () => {
  it('measures from the election to the first commit at or after it', () => {
    const logs = [commit('a', 0, 1), commit('a', 0, 12), commit('a', 0, 14), commit('a', 3, 2), commit('b', 3, 11)];
    const elected = new Map([[0, t(10)], [3, t(10)]]);
    const resumed = resumeAfterElections(logs, 'a', elected);
    expect(resumed).toEqual(new Map([[0, 2000], [3, undefined]]));
    const stayed = longestCommitGaps([commit('a', 1, 5), commit('a', 1, 7)], 'a', t(4), t(8));
    expect(describeFailover('killed', t(1), stayed, elected, resumed)).toBe(
      'killed: longest gap between commits, partitions whose leader stayed: 2.0s (p1 2.0s); moved: p0 new leader at +9.0s, first commit 2.0s later, p3 new leader at +9.0s, first commit never',
    );
  });
});
