import { afterEach, describe, expect, it } from 'vitest';
import type { FetchResponse } from '../../src/kafka/fetch-wire.js';
import { KafkaErrorCode } from '../../src/kafka/kafka-errors.js';
import type { Logger } from '../../src/logger.js';
import { TopicFetcher, type FetchedRecords } from '../../src/kafka/topic-fetcher.js';
import type { LeaderFetch, TopicCluster } from '../../src/kafka/topic-leaders.js';
import { encodeRecordBatch } from '../support/record-batches.js';
import { eventually } from '../support/runner-process.js';

// The per-broker scheduling of the topic fetcher, against a fake cluster: brokers that answer,
// refuse, never answer, or answer that they no longer lead a partition.

/** Each partition's log holds LOG_END records, one batch per record. */
const LOG_END = 5;
const batches: Buffer[] = [];
for (let offset = 0; offset < LOG_END; offset++) batches.push(await encodeRecordBatch(offset, [{ value: `v${offset}` }]));

type BrokerState = 'up' | 'refusing' | 'frozen';

class FakeCluster implements TopicCluster {
  readonly leaders = new Map<number, number>();
  readonly states = new Map<number, BrokerState>();
  /** Per broker, the partitions it answers NOT_LEADER_OR_FOLLOWER for. */
  readonly notLeaderFor = new Map<number, number[]>();
  /** What the metadata will say at the next refresh. */
  readonly next = new Map<number, number>();
  readonly fetches: Array<{ leader: number; partitions: number[] }> = [];
  refreshes = 0;
  private readonly inFlight = new Set<number>();
  private readonly frozen: Array<(err: Error) => void> = [];
  private stale = false;

  constructor(leaders: Record<number, number>) {
    for (const [partition, leader] of Object.entries(leaders)) this.leaders.set(Number(partition), leader);
  }

  get partitions(): number[] {
    return [...this.leaders.keys()];
  }

  /** The cluster elects `leader` for `partition`: the fetcher learns it at its next metadata read. */
  move(partition: number, leader: number): void {
    this.next.set(partition, leader);
  }

  async refreshIfDue(): Promise<boolean> {
    if (!this.stale) return false;
    this.stale = false;
    this.refreshes++;
    for (const [partition, leader] of this.next) this.leaders.set(partition, leader);
    return false;
  }

  markStale(): void {
    this.stale = true;
  }

  leaderOf(partition: number): number | undefined {
    return this.leaders.get(partition);
  }

  async fetch(leader: number, request: LeaderFetch): Promise<FetchResponse> {
    const partitions = request.partitions.map((p) => p.partition);
    for (const partition of partitions) {
      if (this.inFlight.has(partition)) throw new Error(`partition ${partition} fetched twice at once`);
    }
    this.fetches.push({ leader, partitions });
    const state = this.states.get(leader) ?? 'up';
    if (state === 'refusing') throw new Error(`connection to broker ${leader} refused`);
    if (state === 'frozen') return new Promise((_, reject) => this.frozen.push(reject));
    for (const partition of partitions) this.inFlight.add(partition);
    try {
      // A broker with nothing new waits before it answers, as a real one does (max wait).
      if (request.partitions.every((p) => p.offset >= LOG_END)) await new Promise((r) => setTimeout(r, 20));
      return {
        throttleMs: 0,
        partitions: request.partitions.map(({ partition, offset }) => {
          const notLeader = this.notLeaderFor.get(leader)?.includes(partition) ?? false;
          return {
            partition,
            errorCode: notLeader ? KafkaErrorCode.NOT_LEADER_OR_FOLLOWER : KafkaErrorCode.NONE,
            highWatermark: LOG_END,
            lastStableOffset: LOG_END,
            aborted: [],
            records: notLeader || offset >= LOG_END ? Buffer.alloc(0) : batches[offset]!,
          };
        }),
      };
    } finally {
      for (const partition of partitions) this.inFlight.delete(partition);
    }
  }

  async watermarks(): Promise<{ low: number; high: number }> {
    return { low: 0, high: LOG_END };
  }

  closeAll(): void {
    for (const reject of this.frozen.splice(0)) reject(new Error('closed'));
  }
}

function fakeLog() {
  const lines: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, fields, msg });
  return { log: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as unknown as Logger, lines };
}

let fetcher: TopicFetcher | undefined;
afterEach(async () => {
  await fetcher?.close();
  fetcher = undefined;
});

async function started(cluster: FakeCluster, deliver: (f: FetchedRecords) => Promise<void> | undefined = () => undefined) {
  const { log, lines } = fakeLog();
  const delivered = new Map<number, number[]>();
  fetcher = new TopicFetcher('t', {
    clientId: 'test',
    log,
    cluster,
    deliver: (f) => {
      delivered.set(f.partition, [...(delivered.get(f.partition) ?? []), f.from]);
      return deliver(f);
    },
    partitionsChanged: () => {},
    unreadable: (partition, _offset, error) => {
      throw new Error(`partition ${partition} unreadable: ${error.message}`);
    },
    logRestarted: () => {},
  });
  await fetcher.start();
  return { fetcher, delivered, lines };
}

const all = [0, 1, 2, 3, 4];
const until = (check: () => boolean, what: string) => eventually(check, 20_000, what);

describe('TopicFetcher with several brokers', () => {
  it('reads the partitions of the other brokers while one never answers, and moves on when its partitions get a new leader', async () => {
    const cluster = new FakeCluster({ 0: 1, 1: 2, 2: 3 });
    cluster.states.set(1, 'frozen');
    const { fetcher, delivered } = await started(cluster);
    for (const partition of [0, 1, 2]) fetcher.seek(partition, 0);
    await until(() => delivered.get(1)?.length === LOG_END && delivered.get(2)?.length === LOG_END, 'the partitions of brokers 2 and 3');
    expect(delivered.has(0)).toBe(false);
    // The cluster elects a new leader for the frozen broker's partition; its request is still unanswered.
    cluster.move(0, 2);
    await until(() => delivered.get(0)?.length === LOG_END, 'partition 0 from its new leader');
    expect([delivered.get(0), delivered.get(1), delivered.get(2)]).toEqual([all, all, all]);
    expect(cluster.fetches.filter((f) => f.leader === 1)).toEqual([{ leader: 1, partitions: [0] }]);
  });

  it('backs off a refusing broker alone, warns once, and follows its partition to the new leader', async () => {
    const cluster = new FakeCluster({ 0: 1, 1: 2 });
    cluster.states.set(1, 'refusing');
    const { fetcher, delivered, lines } = await started(cluster);
    fetcher.seek(0, 0);
    fetcher.seek(1, 0);
    await until(() => cluster.fetches.filter((f) => f.leader === 1).length >= 3, 'three tries of broker 1');
    expect(delivered.get(1)).toEqual(all);
    expect(delivered.has(0)).toBe(false);
    expect(cluster.refreshes).toBeGreaterThanOrEqual(1);
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings.map((l) => [l.msg, l.fields.broker, l.fields.error])).toEqual([['fetching from broker failed; retrying', 1, 'connection to broker 1 refused']]);
    cluster.move(0, 2);
    await until(() => delivered.get(0)?.length === LOG_END, 'partition 0 from broker 2');
    expect(delivered.get(0)).toEqual(all);
  });

  it('says once when a broker is back, and resets its backoff', async () => {
    const cluster = new FakeCluster({ 0: 1 });
    cluster.states.set(1, 'refusing');
    const { fetcher, delivered, lines } = await started(cluster);
    fetcher.seek(0, 0);
    await until(() => cluster.fetches.length >= 2, 'two tries of broker 1');
    cluster.states.set(1, 'up');
    await until(() => delivered.get(0)?.length === LOG_END, 'partition 0 once broker 1 is back');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'fetching from broker failed; retrying'],
      ['info', 'fetching from broker again'],
    ]);
  });

  it('reads the metadata again at once when a broker no longer leads a partition, holding back only that partition', async () => {
    const cluster = new FakeCluster({ 0: 1, 1: 1 });
    cluster.notLeaderFor.set(1, [0]);
    const { fetcher, delivered, lines } = await started(cluster);
    fetcher.seek(0, 0);
    fetcher.seek(1, 0);
    await until(() => delivered.get(1)?.length === LOG_END && cluster.refreshes >= 1, 'partition 1 and a metadata read');
    expect(delivered.has(0)).toBe(false);
    cluster.move(0, 2);
    await until(() => delivered.get(0)?.length === LOG_END, 'partition 0 from broker 2');
    expect(delivered.get(0)).toEqual(all);
    expect(lines.filter((l) => l.level === 'warn').map((l) => [l.fields.partition, l.fields.error])).toEqual([[0, 'NOT_LEADER_OR_FOLLOWER']]);
  });

  it("holds a broker's next fetch while its delivery is held, not the other brokers' fetches", async () => {
    const cluster = new FakeCluster({ 0: 1, 1: 2 });
    const { fetcher, delivered } = await started(cluster, (f) => (f.partition === 0 ? new Promise<void>(() => {}) : undefined));
    fetcher.seek(0, 0);
    fetcher.seek(1, 0);
    await until(() => delivered.get(1)?.length === LOG_END, 'partition 1');
    expect(delivered.get(0)).toEqual([0]);
    expect(cluster.fetches.filter((f) => f.leader === 1)).toHaveLength(1);
  });
});
