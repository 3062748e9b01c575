import { describe, expect, it } from 'vitest';
import { describeFailover, describeGaps, longestAckToCommit, longestCommitGaps, resumeAfterElections } from '../support/commit-gaps.js';

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
    const resumed = resumeAfterElections(logs, 'a', new Map([[0, t(10)], [3, t(10)]]));
    expect(resumed).toEqual(new Map([[0, 2000], [3, undefined]]));
  });
});

describe('the longest time from an acknowledged write to the commit that covers it', () => {
  const covering = (partition: number, from: number, next: number, s: number) => ({ ...commit('a', partition, s), offsets: [from, next] });
  it('takes the first commit whose range ends past the write (or the end of the logs), for writes acked inside the window', () => {
    const logs = [covering(1, 0, 10, 3), covering(1, 10, 20, 9), covering(1, 20, 30, 10), covering(2, 0, 5, 4), { ...covering(1, 0, 50, 5), job: 'b' }];
    const writes = [
      { partition: 1, last: 9, at: t(2) },
      { partition: 1, last: 15, at: t(4) },
      { partition: 1, last: 25, at: t(8) },
      // Acked before the window: left out.
      { partition: 2, last: 4, at: t(0) },
      // No commit covers it: it counts until the logs end.
      { partition: 2, last: 7, at: t(3) },
    ];
    expect(longestAckToCommit(logs, 'a', writes, t(1), t(9), t(12))).toEqual(new Map([[1, 5000], [2, 9000]]));
  });
});

describe('one line per fault', () => {
  it('names the partitions that stayed and the ones that moved', () => {
    const line = describeFailover('killed', {
      from: t(1),
      stayed: new Map([[1, 2000], [2, 3500]]),
      ackToCommit: new Map([[1, 1200], [2, 900], [0, 1500]]),
      elected: new Map([[0, t(10)], [3, t(11)]]),
      resumed: new Map([[0, 2000], [3, undefined]]),
      end: t(15),
    });
    expect(line).toBe(
      'killed: leader stayed: longest commit gap 3.5s (p1 2.0s, p2 3.5s), longest ack to commit 1.2s (p1 1.2s, p2 0.9s); moved: p0 new leader at +9.0s, first commit 2.0s later, longest ack to commit 1.5s, p3 new leader at +10.0s, no commit in the 4.0s logged after it',
    );
  });
});
