import type { KafkaClient } from './client.js';

/** Creates `topic` when it does not exist yet (one partition, the broker's replication default). */
export async function ensureTopic(kafka: KafkaClient, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Resolves false, without error, when the topic already exists.
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
