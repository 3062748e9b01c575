import { randomUUID } from 'node:crypto';
import { bootstrapServers } from '../../src/kafka/connection-settings.js';
import { kafkaClient } from '../../src/kafka/client.js';

/** A topic name no other test uses, so tests never see each other's messages. */
export function uniqueTopic(prefix = 'test'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * The random part of a unique topic name, for job names: a job name is its consumer group, so
 * tests running side by side must never share one.
 */
export function suffix(topic: string): string {
  return topic.slice(topic.lastIndexOf('-') + 1);
}

/** Creates `topic` with `partitions` partitions on the test broker. */
export async function createTopic(topic: string, partitions = 1): Promise<void> {
  const admin = kafkaClient('gamepipe-test-admin').admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export { bootstrapServers, kafkaClient };
