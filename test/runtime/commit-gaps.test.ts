import { describe, expect, it } from 'vitest';
import { describeGaps, longestCommitGaps } from '../support/commit-gaps.js';

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
