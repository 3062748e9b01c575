import { describe, expect, it } from 'vitest';
import { openBrokerLink } from '../../src/kafka/broker-link.js';
import { kafkaSettings } from '../../src/kafka/connection-settings.js';
import { FETCH_API_KEY } from '../../src/kafka/fetch-wire.js';
import { MissingTopicError, TopicLeaders } from '../../src/kafka/topic-leaders.js';
import { createTopic, referenceKafka, uniqueTopic } from '../support/kafka.js';

describe('TopicLeaders (real broker)', () => {
  it('reads where the partitions are led and their watermarks with requests of its own', async () => {
    const topic = uniqueTopic('leaders');
    await createTopic(topic, 2);
    const producer = referenceKafka('gamepipe-test-leaders').producer();
    await producer.connect();
    await producer.send({ topic, messages: [0, 1, 2].map((n) => ({ partition: 1, value: `v${n}` })) });
    await producer.disconnect();
    const leaders = new TopicLeaders(topic, kafkaSettings(), 'gamepipe-test');
    try {
      expect(await leaders.refreshIfDue()).toBe(true);
      expect(leaders.partitions.sort()).toEqual([0, 1]);
      expect(leaders.leaderOf(0)).toBeGreaterThanOrEqual(0);
      expect(await leaders.watermarks(0)).toEqual({ low: 0, high: 0 });
      expect(await leaders.watermarks(1)).toEqual({ low: 0, high: 3 });
      const fetched = await leaders.fetch(leaders.leaderOf(1)!, { maxWaitMs: 10, minBytes: 1, maxBytes: 1 << 20, readCommitted: true, partitions: [{ partition: 1, offset: 0, maxBytes: 1 << 16 }] }, 5_000);
      expect(fetched.partitions.map((p) => [p.partition, p.errorCode, p.highWatermark, p.records.length > 0])).toEqual([[1, 0, 3, true]]);
    } finally {
      leaders.closeAll();
    }
  });

  it('finds the broker offers a Fetch version with topic ids', async () => {
    const [host, port] = kafkaSettings().brokers[0]!.split(':');
    const link = openBrokerLink(kafkaSettings(), host!, Number(port), 'gamepipe-test');
    try {
      expect(await link.version(FETCH_API_KEY, 13, 17, 5_000)).toBeGreaterThanOrEqual(13);
    } finally {
      link.close();
    }
  });

  it('says with a MissingTopicError that the topic does not exist, and skips a dead bootstrap server', async () => {
    const missing = uniqueTopic('leaders-missing');
    // Port 1 refuses connections: the next bootstrap server answers.
    const settings = { ...kafkaSettings(), brokers: ['127.0.0.1:1', ...kafkaSettings().brokers] };
    const leaders = new TopicLeaders(missing, settings, 'gamepipe-test');
    try {
      await expect(leaders.refreshIfDue()).rejects.toThrow(MissingTopicError);
    } finally {
      leaders.closeAll();
    }
  });
});
