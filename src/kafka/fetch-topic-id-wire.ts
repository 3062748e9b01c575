import { FETCH_API_KEY, type AbortedTransaction, type FetchedPartition, type FetchResponse } from './fetch-wire.js';
import { WireReader } from './wire-reader.js';
import { requestHeader } from './wire-writer.js';

/**
 * Kafka Fetch v13 to v17 on the wire (https://kafka.apache.org/protocol#The_Messages_Fetch): the
 * flexible versions that name a topic by its id, so an answer for a topic deleted and created
 * again says UNKNOWN_TOPIC_ID instead of reading the new log at the old position, and that carry
 * each partition's current leader epoch, so a broker that moved on (FENCED_LEADER_EPOCH) is told
 * apart from one that has not caught up (UNKNOWN_LEADER_EPOCH). Kafka 3.1 and later answer
 * v13. Pure: no I/O. No fetch session is used (session id 0, epoch -1: a full fetch each time),
 * which keeps every request complete on its own and safe to send to any broker.
 */
export const FETCH_TOPIC_ID_MIN_VERSION = 13;
export const FETCH_TOPIC_ID_MAX_VERSION = 17;

export interface TopicIdFetchPartitionRequest {
  partition: number;
  offset: number;
  maxBytes: number;
  /** The leader epoch the metadata gave, or -1 when not known (the broker then checks none). */
  currentLeaderEpoch: number;
}

export interface TopicIdFetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  readCommitted: boolean;
  /** 32 hex digits. */
  topicId: string;
  partitions: TopicIdFetchPartitionRequest[];
}

/**
 * The whole frame: header v2, replica_id -1 (v13-v14 only), max_wait_ms, min_bytes, max_bytes,
 * isolation_level, session_id 0, session_epoch -1, topics compact [topic_id, partitions compact
 * [partition, current_leader_epoch, fetch_offset, last_fetched_epoch -1, log_start_offset -1,
 * partition_max_bytes, tagged], tagged], forgotten_topics_data empty, rack_id '', tagged.
 */
export function encodeTopicIdFetchRequest(correlationId: number, clientId: string, version: number, request: TopicIdFetchRequest): Buffer {
  if (version < FETCH_TOPIC_ID_MIN_VERSION || version > FETCH_TOPIC_ID_MAX_VERSION) throw new RangeError(`Fetch v${version} is not one gamepipe writes with topic ids`);
  const writer = requestHeader(FETCH_API_KEY, version, correlationId, clientId, true);
  if (version <= 14) writer.int32(-1); // replica_id: -1 for a consumer
  writer.int32(request.maxWaitMs).int32(request.minBytes).int32(request.maxBytes).int8(request.readCommitted ? 1 : 0);
  writer.int32(0).int32(-1); // no fetch session
  writer.compactArray([request.topicId], (topicId) => {
    writer.uuid(topicId);
    writer.compactArray(request.partitions, (p) => {
      writer.int32(p.partition).int32(p.currentLeaderEpoch).int64(p.offset).int32(-1).int64(-1).int32(p.maxBytes).noTaggedFields();
    });
    writer.noTaggedFields();
  });
  writer.compactArray([], () => {});
  return writer.compactString('the rack id', '').noTaggedFields().frame();
}

/** partition, error, high watermark, last stable offset, log start offset, aborted, replica, records, tagged. */
const MIN_PARTITION_BYTES = 4 + 2 + 8 + 8 + 8 + 1 + 4 + 1 + 1;

/**
 * Decodes a Fetch v13+ response body (after the correlation id): header tagged fields,
 * throttle_time_ms, error_code, session_id, responses compact [topic_id, partitions compact
 * [partition_index, error_code, high_watermark, last_stable_offset, log_start_offset,
 * aborted_transactions compact nullable [producer_id, first_offset, tagged],
 * preferred_read_replica, records compact, tagged], tagged], tagged. Only partitions of `topicId`
 * may appear (else a protocol error). A top-level error applies to every partition asked: it is
 * returned as `errorCode`.
 */
export function decodeTopicIdFetchResponse(body: Buffer, topicId: string, topic: string): FetchResponse & { errorCode: number } {
  const reader = new WireReader(body, 'Fetch response');
  reader.skipTaggedFields('the response header');
  const throttleMs = reader.int32('throttle_time_ms');
  const errorCode = reader.int16('error_code');
  reader.int32('session_id');
  const partitions: FetchedPartition[] = [];
  const topics = reader.compactCount('topics', 16 + 1 + 1);
  for (let t = 0; t < topics; t++) {
    const id = reader.uuid('a topic id');
    if (id !== topicId) throw reader.error(`names topic id ${id} where ${topicId} (${topic}) was asked for`);
    const count = reader.compactCount(`partitions of ${topic}`, MIN_PARTITION_BYTES);
    for (let p = 0; p < count; p++) {
      const partition = reader.int32('a partition index');
      const where = `partition ${partition} of ${topic}`;
      const partitionError = reader.int16(`the error code of ${where}`);
      const highWatermark = reader.offset(`the high watermark of ${where}`);
      const lastStableOffset = reader.offset(`the last stable offset of ${where}`);
      reader.offset(`the log start offset of ${where}`);
      const abortedCount = reader.compactCount(`aborted transactions of ${where}`, 16 + 1);
      const aborted: AbortedTransaction[] = [];
      for (let a = 0; a < abortedCount; a++) {
        const producerId = reader.bigint64(`an aborted transaction's producer id in ${where}`);
        const firstOffset = reader.offset(`an aborted transaction's first offset in ${where}`);
        reader.skipTaggedFields(`an aborted transaction in ${where}`);
        aborted.push({ producerId, firstOffset });
      }
      reader.int32(`the preferred read replica of ${where}`);
      const records = reader.compactBytes(`the records of ${where}`);
      reader.skipTaggedFields(where);
      partitions.push({ partition, errorCode: partitionError, highWatermark, lastStableOffset, aborted, records });
    }
    reader.skipTaggedFields(`topic ${topic}`);
  }
  reader.skipTaggedFields('the response');
  reader.end('its last field');
  return { throttleMs, errorCode, partitions };
}
