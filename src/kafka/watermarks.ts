import type { KafkaAdmin, KafkaClient } from './client.js';

/** Where a partition's log starts (records before were deleted) and ends (the next offset to be written). */
export interface Watermarks {
  low: number;
  high: number;
}

/** The topic's low and high watermarks per partition, from one request through a connected admin. */
export async function fetchWatermarks(admin: KafkaAdmin, topic: string): Promise<Map<number, Watermarks>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
}

/** The topic's watermarks through an admin of its own, connected for this one request. */
export async function topicWatermarks(kafka: KafkaClient, topic: string): Promise<Map<number, Watermarks>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fetchWatermarks(admin, topic);
  } finally {
    await admin.disconnect();
  }
}
