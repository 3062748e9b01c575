// The API's Kafka client: short timeouts so an unreachable broker becomes a 503 in seconds, not a minute.
import { Kafka, logLevel, type ISocketFactory } from 'kafkajs';
import { waitForMetadata } from '../src/broker/brokers.js';

/**
 * A kafkajs client for the API. brokers.ts' kafkaClient() retries for ~10 s, too long for a caller
 * waiting on an HTTP answer, so this one takes the same bootstrap servers with tighter limits.
 */
export function apiKafka(brokers: string[], requestTimeoutMs: number, socketFactory?: ISocketFactory): Kafka {
  return new Kafka({
    clientId: 'gamepipe-api',
    brokers,
    socketFactory,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: requestTimeoutMs,
    // The idempotent producer inherits these: a failing send gives up after ~1 s of retries, and a
    // fresh producer takes over on the next batch.
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
  });
}

/** Creates `topic` when it does not exist yet (one partition, the broker's replication default). */
export async function ensureTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Resolves false, without error, when the topic already exists.
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** True when a broker answers a metadata request within `timeoutMs`. */
export async function brokerReachable(brokers: string[], timeoutMs = 1500): Promise<boolean> {
  return waitForMetadata(brokers, timeoutMs).then(
    () => true,
    () => false,
  );
}
