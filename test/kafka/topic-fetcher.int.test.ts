import { CompressionTypes } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeRecords } from '../../src/kafka/record-batches.js';
import { MissingTopicError, TopicFetcher, type FetchedRecords } from '../../src/kafka/topic-fetcher.js';
import { log } from '../../src/logger.js';
import { createTopic, kafkaClient, referenceKafka, uniqueTopic } from '../support/kafka.js';
import { registerTestCodecs } from '../support/record-batches.js';
import { eventually } from '../support/runner-process.js';

const kafka = kafkaClient('gamepipe-test-fetcher');
// Test data comes from an independent producer: kafkajs, with transactions and every codec.
const reference = referenceKafka('gamepipe-test-fetcher-producer');

/** What a fetcher delivered, decoded: per partition the offsets and values in delivery order. */
function collector() {
  const read = new Map<number, Array<[number, string | null]>>();
  const deliver = (fetched: FetchedRecords) => {
    const records = decodeRecords(fetched.records, fetched.from, fetched.aborted);
    const into = read.get(fetched.partition) ?? read.set(fetched.partition, []).get(fetched.partition)!;
    for (let i = 0; i < records.count; i++) into.push([records.offsets[i]!, records.value(i)?.toString() ?? null]);
    return undefined;
  };
  return { read, deliver };
}

const until = (check: () => boolean) => eventually(check, 20_000, 'the fetcher');

async function produce(topic: string, messages: Array<{ partition: number; value: string }>, compression = CompressionTypes.None) {
  const producer = reference.producer();
  await producer.connect();
  try {
    await producer.send({ topic, compression, messages });
  } finally {
    await producer.disconnect();
  }
}

describe('TopicFetcher (real broker)', () => {
  let fetcher: TopicFetcher | undefined;
  afterEach(async () => {
    await fetcher?.close();
    fetcher = undefined;
  });

  /** What `logRestarted` reported: [partition, offset, earliest, latest]. */
  let restarted: number[][] = [];

  function start(topic: string, deliver: (f: FetchedRecords) => undefined, partitionsChanged = (_: number[]) => {}, fairShareBytes?: number) {
    const unreadable = (partition: number, offset: number, error: Error) => {
      throw new Error(`partition ${partition} at ${offset} unreadable: ${error.message}`);
    };
    restarted = [];
    const logRestarted = (...args: number[]) => void restarted.push(args);
    fetcher = new TopicFetcher(topic, { clientId: 'gamepipe-test-fetcher', log, deliver, partitionsChanged, unreadable, logRestarted, fairShareBytes });
    return fetcher.start();
  }

  it('reads each partition from where it is pointed, in order, and only partitions it was pointed at', async () => {
    const topic = uniqueTopic('fetch');
    await createTopic(topic, 3);
    const sent = Array.from({ length: 3000 }, (_, i) => ({ partition: i % 3, value: JSON.stringify({ n: i, pad: 'x'.repeat(i % 200) }) }));
    await produce(topic, sent.slice(0, 1500));
    await produce(topic, sent.slice(1500));
    const { read, deliver } = collector();
    expect((await start(topic, deliver)).sort()).toEqual([0, 1, 2]);
    fetcher!.seek(0, 0);
    fetcher!.seek(1, 400);
    await until(() => (read.get(0)?.length ?? 0) === 1000 && (read.get(1)?.length ?? 0) === 600);
    const expected = (partition: number, from: number) =>
      sent.filter((m) => m.partition === partition).slice(from).map((m, i): [number, string] => [from + i, m.value]);
    expect(read.get(0)).toEqual(expected(0, 0));
    expect(read.get(1)).toEqual(expected(1, 400));
    expect(read.has(2)).toBe(false);
  });

  it('serves a partition in its turn while another has a backlog of batches that each fill a response', async () => {
    const topic = uniqueTopic('fetch-fair');
    await createTopic(topic, 2);
    // Batches of about 600 KB: one fills a fetch's answer past the partition limit, so the broker
    // gives the partition asked second nothing while the first has more.
    const value = 'x'.repeat(1000);
    for (let i = 0; i < 4; i++) await produce(topic, Array.from({ length: 1200 }, (_, n) => ({ partition: n % 2, value })));
    const turns: number[] = [];
    const { read, deliver } = collector();
    await start(topic, (f) => (turns.push(f.partition), deliver(f)), undefined, 1);
    fetcher!.seek(0, 0);
    fetcher!.seek(1, 0);
    await until(() => read.get(0)?.length === 2400 && read.get(1)?.length === 2400);
    // Every answer ends a turn here (a share of one byte): no partition is served twice running.
    expect(turns.length).toBe(8);
    expect(turns.filter((p, i) => p === turns[i - 1])).toEqual([]);
  });

  it('reads gzip batches and leaves out the records of an aborted transaction', async () => {
    const topic = uniqueTopic('fetch-tx');
    await createTopic(topic, 1);
    await produce(topic, [{ partition: 0, value: 'before' }], CompressionTypes.GZIP);
    const producer = reference.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ partition: 0, value: 'aborted-1' }, { partition: 0, value: 'aborted-2' }] });
      await aborted.abort();
      const committed = await producer.transaction();
      await committed.send({ topic, compression: CompressionTypes.GZIP, messages: [{ partition: 0, value: 'committed' }] });
      await committed.commit();
    } finally {
      await producer.disconnect();
    }
    await produce(topic, [{ partition: 0, value: 'after' }]);
    const { read, deliver } = collector();
    await start(topic, deliver);
    fetcher!.seek(0, 0);
    await until(() => read.get(0)?.some(([, v]) => v === 'after') ?? false);
    expect(read.get(0)!.map(([, v]) => v)).toEqual(['before', 'committed', 'after']);
  });

  it('reads batches a producer compressed with snappy, lz4 and zstd, which the broker validated', async () => {
    registerTestCodecs();
    const topic = uniqueTopic('fetch-codecs');
    await createTopic(topic, 1);
    const sent: string[] = [];
    for (const compression of [CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD]) {
      const values = Array.from({ length: 300 }, (_, i) => JSON.stringify({ codec: compression, n: i, pad: 'p'.repeat(i) }));
      await produce(topic, values.map((value) => ({ partition: 0, value })), compression);
      sent.push(...values);
    }
    const { read, deliver } = collector();
    await start(topic, deliver);
    fetcher!.seek(0, 0);
    await until(() => (read.get(0)?.length ?? 0) === sent.length);
    expect(read.get(0)).toEqual(sent.map((value, offset) => [offset, value]));
  });

  it('reads from the earliest offset the log has when asked for one it deleted', async () => {
    const topic = uniqueTopic('fetch-range');
    await createTopic(topic, 1);
    await produce(topic, Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `v${i}` })));
    const admin = reference.admin();
    await admin.connect();
    // kafkajs' admin finds the partition's leader only in metadata it loaded before.
    await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '6' }] });
    await admin.disconnect();
    const { read, deliver } = collector();
    await start(topic, deliver);
    fetcher!.seek(0, 2);
    await until(() => (read.get(0)?.length ?? 0) === 4);
    expect(read.get(0)).toEqual([6, 7, 8, 9].map((o) => [o, `v${o}`]));
  });

  it('reports a position beyond the log end (a topic created again) and waits to be pointed elsewhere', async () => {
    const topic = uniqueTopic('fetch-beyond');
    await createTopic(topic, 1);
    await produce(topic, Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `v${i}` })));
    const { read, deliver } = collector();
    await start(topic, deliver);
    // Where a checkpoint of the topic's earlier life would point: past the new log's end.
    fetcher!.seek(0, 50);
    await until(() => restarted.length === 1);
    expect(restarted).toEqual([[0, 50, 0, 10]]);
    // Neither read from the log start behind the reader's back, nor asked again and again.
    await new Promise((r) => setTimeout(r, 500));
    expect([read.get(0), restarted.length]).toEqual([undefined, 1]);
    fetcher!.seek(0, 0);
    await until(() => (read.get(0)?.length ?? 0) === 10);
    expect(read.get(0)!.map(([o]) => o)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('stops delivering a partition once paused, and starts again where it is pointed', async () => {
    const topic = uniqueTopic('fetch-pause');
    await createTopic(topic, 1);
    await produce(topic, Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: `a${i}` })));
    const { read, deliver } = collector();
    await start(topic, deliver);
    fetcher!.seek(0, 0);
    await until(() => (read.get(0)?.length ?? 0) === 5);
    fetcher!.pause(0);
    await produce(topic, Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: `b${i}` })));
    // A fetch answered for an earlier position is dropped; nothing new arrives while paused.
    await new Promise((r) => setTimeout(r, 500));
    expect(read.get(0)).toHaveLength(5);
    fetcher!.seek(0, 3);
    fetcher!.resume(0);
    await until(() => (read.get(0)?.length ?? 0) === 12);
    expect(read.get(0)!.slice(5).map(([o]) => o)).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });

  it('marks records fetched before a seek as stale, so the reader never hands them over', async () => {
    const topic = uniqueTopic('fetch-stale');
    await createTopic(topic, 1);
    await produce(topic, Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: `v${i}` })));
    const delivered: FetchedRecords[] = [];
    await start(topic, (fetched) => void delivered.push(fetched));
    fetcher!.seek(0, 3);
    await until(() => delivered.length === 1);
    expect(fetcher!.isCurrent(0, delivered[0]!.generation)).toBe(true);
    fetcher!.seek(0, 1);
    expect(fetcher!.isCurrent(0, delivered[0]!.generation)).toBe(false);
    await until(() => delivered.length === 2);
    expect([delivered[1]!.from, fetcher!.isCurrent(0, delivered[1]!.generation)]).toEqual([1, true]);
  });

  it('keeps records delivered before a pause current, since its position moved past them', async () => {
    // The reader takes a delivery in its queue after other work, which may pause the partition
    // (its last job left) and resume it (a job wants it again, no seek): the records must still
    // be handed over, or the reader resumes past them.
    const topic = uniqueTopic('fetch-pause-current');
    await createTopic(topic, 1);
    await produce(topic, Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: `v${i}` })));
    const delivered: FetchedRecords[] = [];
    await start(topic, (fetched) => void delivered.push(fetched));
    fetcher!.seek(0, 0);
    await until(() => delivered.length === 1);
    fetcher!.pause(0);
    fetcher!.resume(0);
    expect(fetcher!.isCurrent(0, delivered[0]!.generation)).toBe(true);
    fetcher!.seek(0, 0);
    expect(fetcher!.isCurrent(0, delivered[0]!.generation)).toBe(false);
  });

  it('says with a MissingTopicError that the topic does not exist', async () => {
    const missing = uniqueTopic('fetch-missing');
    const { deliver } = collector();
    const error = await start(missing, deliver).catch((err: Error) => err);
    expect(error).toBeInstanceOf(MissingTopicError);
    expect((error as Error).message).toContain(`topic '${missing}' does not exist (yet)`);
  });
});
