import type { KafkaClient } from './client.js';

/** Creates `topic` when it does not exist yet (one partition, the broker's replication default). */
export async function ensureTopic(kafka: KafkaClient, topic: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.createTopic(topic);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
