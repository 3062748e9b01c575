import { describe, expect, it } from 'vitest';
import { BrokerSecurityError } from '../../src/kafka/broker-connection.js';
import { MissingTopicError } from '../../src/kafka/topic-leaders.js';
import { readWatermarks, type WatermarkCluster } from '../../src/kafka/topic-watermarks.js';
import type { Watermarks } from '../../src/kafka/watermarks.js';

/**
 * A cluster whose leaders are given per metadata refresh: `answers[n]` says, for the n-th
 * refresh's leaders, what each partition's leader answers (watermarks, or an error to throw).
 */
class FakeCluster implements WatermarkCluster {
  refreshes = 0;
  staleMarks = 0;
  asked: Array<{ refresh: number; partition: number; readCommitted: boolean | undefined }> = [];
  private stale = true;

  constructor(
    readonly partitions: number[],
    private readonly answers: Array<(partition: number) => Watermarks | Error>,
  ) {}

  async refreshIfDue(): Promise<boolean> {
    if (!this.stale) return false;
    this.stale = false;
    this.refreshes++;
    return false;
  }

  markStale(): void {
    this.staleMarks++;
    this.stale = true;
  }

  async watermarks(partition: number, readCommitted?: boolean): Promise<Watermarks> {
    const round = Math.min(this.refreshes, this.answers.length) - 1;
    this.asked.push({ refresh: this.refreshes, partition, readCommitted });
    const answer = this.answers[round]!(partition);
    if (answer instanceof Error) throw answer;
    return answer;
  }

  closeAll(): void {}
}

/** A clock that moves only when the read sleeps. */
function fakeTime() {
  let t = 0;
  const slept: number[] = [];
  return { now: () => t, sleep: async (ms: number) => void (slept.push(ms), (t += ms)), slept };
}

describe('readWatermarks', () => {
  it('asks each partition of the last stable offset (the reader fetches read_committed)', async () => {
    const cluster = new FakeCluster([0, 1], [(p) => ({ low: p, high: 100 + p })]);
    const marks = await readWatermarks(cluster, { deadlineMs: 10_000, ...fakeTime() });
    expect(marks).toEqual(new Map([[0, { low: 0, high: 100 }], [1, { low: 1, high: 101 }]]));
    expect(cluster.asked.every((a) => a.readCommitted === true)).toBe(true);
  });

  it('a leader that moved, one not elected yet and a new leader without its high watermark: the metadata is read again and only those partitions asked again', async () => {
    const notLeader = new Error('listing offsets of partition 0 failed: NOT_LEADER_OR_FOLLOWER');
    const notAvailable = new Error('listing offsets of partition 2 failed: OFFSET_NOT_AVAILABLE');
    const time = fakeTime();
    const cluster = new FakeCluster(
      [0, 1, 2],
      [
        (p) => (p === 0 ? notLeader : p === 2 ? new Error('partition 2 has no leader') : { low: 0, high: 11 }),
        (p) => (p === 2 ? notAvailable : { low: 0, high: 10 + p }),
        (p) => ({ low: 0, high: 10 + p }),
      ],
    );
    const marks = await readWatermarks(cluster, { deadlineMs: 10_000, ...time });
    expect(marks).toEqual(new Map([[0, { low: 0, high: 10 }], [1, { low: 0, high: 11 }], [2, { low: 0, high: 12 }]]));
    expect(cluster.refreshes).toBe(3);
    expect(cluster.asked.map((a) => `${a.refresh}:${a.partition}`)).toEqual(['1:0', '1:1', '1:2', '2:0', '2:2', '3:2']);
    expect(time.slept).toEqual([200, 400]);
  });

  it('a broker that does not answer (dead or frozen): retried with backoff until the deadline, then one error naming the last failure', async () => {
    const time = fakeTime();
    const cluster = new FakeCluster([0], [() => new Error('127.0.0.1:9093 did not answer within 5000 ms')]);
    await expect(readWatermarks(cluster, { deadlineMs: 5_000, ...time })).rejects.toThrow(/^reading the watermarks failed for 5 s: 127\.0\.0\.1:9093 did not answer within 5000 ms$/);
    expect(time.slept).toEqual([200, 400, 800, 1600]);
    expect(time.now()).toBeLessThanOrEqual(5_000);
  });

  it('a metadata read that fails (no listed broker answers) is retried like a partition', async () => {
    const time = fakeTime();
    const cluster = new FakeCluster([0], [() => ({ low: 0, high: 5 })]);
    let failures = 1;
    const refresh = cluster.refreshIfDue.bind(cluster);
    cluster.refreshIfDue = async () => {
      if (failures-- > 0) throw new Error('no broker answered metadata');
      return refresh();
    };
    expect(await readWatermarks(cluster, { deadlineMs: 10_000, ...time })).toEqual(new Map([[0, { low: 0, high: 5 }]]));
    expect(time.slept).toEqual([200]);
  });

  it('a missing topic or refused settings end the read at once', async () => {
    const missing = new FakeCluster([0], [() => new MissingTopicError('events')]);
    await expect(readWatermarks(missing, { deadlineMs: 10_000, ...fakeTime() })).rejects.toBeInstanceOf(MissingTopicError);
    const refused = new FakeCluster([0], [() => new BrokerSecurityError('authentication failed for user alice (SCRAM-SHA-512) on 127.0.0.1:9093')]);
    await expect(readWatermarks(refused, { deadlineMs: 10_000, ...fakeTime() })).rejects.toBeInstanceOf(BrokerSecurityError);
    expect(missing.refreshes + refused.refreshes).toBe(2);
  });
});
