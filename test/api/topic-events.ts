import { kafkaClient } from '../../src/kafka/client.js';
import { referenceKafka } from '../support/kafka.js';

/** One record read back from a topic: its key and its JSON value. */
export interface ReadEvent {
  key: string | null;
  event: Record<string, string>;
}

/** How many records `topic` holds (sum of its partitions' high watermarks; no transactions here). */
export async function topicSize(topic: string): Promise<number> {
  const admin = kafkaClient('gamepipe-api-test-admin').admin();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Reads every record `topic` holds right now, in partition order, with an independent client (kafkajs). */
export async function readTopic(topic: string): Promise<ReadEvent[]> {
  const expected = await topicSize(topic);
  const events: ReadEvent[] = [];
  if (expected === 0) return events;
  const consumer = referenceKafka('gamepipe-api-test-reader').consumer({ groupId: `${topic}-reader-${Date.now()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((done, fail) => {
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              events.push({ key: m.key?.toString() ?? null, event: JSON.parse(m.value!.toString()) });
            }
            if (events.length >= expected) done();
          },
        })
        .catch(fail);
    });
  } finally {
    await consumer.disconnect();
  }
  return events;
}
