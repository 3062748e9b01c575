import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
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
  try {
    await admin.createTopic(topic, partitions);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Where the reference client connects: the test broker's plaintext listener when the suite runs
 * over SASL_SSL (kafkajs is built here without TLS or SASL), else gamepipe's own bootstrap servers.
 */
function referenceBrokers(): string[] {
  return process.env.GAMEPIPE_TEST_PLAINTEXT_BROKERS?.split(',') ?? bootstrapServers();
}

/**
 * A kafkajs client for the test broker: an independent producer (transactions, every codec),
 * reader and admin for setting up and checking what gamepipe's own client and fetch path do.
 */
export function referenceKafka(clientId: string, brokers = referenceBrokers(), options: Pick<KafkaConfig, 'requestTimeout'> = {}): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 }, ...options });
}

export { bootstrapServers, kafkaClient };
