import { describe, expect, it } from 'vitest';
import { kafkaClient } from '../../src/kafka/client.js';
import { produce } from './events.js';
import { createTopic, uniqueTopic } from './kafka.js';

describe('produce (the tests\' producer)', () => {
  // Right after a topic is created some of its partitions have no leader yet: a send spanning
  // them is answered with an error for those and success for the rest, and the client sends the
  // whole request again. Every test that compares a table with the events it produced relies on
  // the topic holding each of them once.
  it('writes each record once into topics created just before, whose leaders are still settling', async () => {
    const admin = kafkaClient('produce-once-admin').admin();
    try {
      for (let i = 0; i < 5; i++) {
        const topic = uniqueTopic('produce-once');
        await createTopic(topic, 24);
        await produce(topic, Array.from({ length: 1000 }, (_, j) => `record ${j}`));
        const ends = await admin.fetchTopicOffsets(topic);
        expect(ends.reduce((sum, e) => sum + Number(e.high), 0)).toBe(1000);
      }
    } finally {
      await admin.disconnect();
    }
  });
});
