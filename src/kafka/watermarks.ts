import type { KafkaAdmin } from './client.js';

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
