import { WireReader } from './wire-reader.js';
import { requestHeader } from './wire-writer.js';

/**
 * Kafka ListOffsets v6 to v9 on the wire (https://kafka.apache.org/protocol#The_Messages_ListOffsets),
 * the flexible versions: a partition's earliest or latest offset, asked of its leader. Pure: no
 * I/O. Brokers from 2.5 on answer v6.
 */
export const LIST_OFFSETS_API_KEY = 2;
export const LIST_OFFSETS_MIN_VERSION = 6;
export const LIST_OFFSETS_MAX_VERSION = 9;

/** The timestamps that ask for a log's first offset and for the offset after its last record. */
export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;

export interface ListOffsetsPartitionRequest {
  partition: number;
  /** -1 when not known. */
  currentLeaderEpoch: number;
  timestamp: number;
}

export interface ListedOffset {
  partition: number;
  errorCode: number;
  offset: number;
}

/**
 * The whole frame: header v2, replica_id -1, isolation_level (0: the latest offset is the high
 * watermark, where a read_uncommitted fetch's log ends; 1: the last stable offset, where a
 * read_committed one ends), one topic compact [name, partitions compact [partition_index,
 * current_leader_epoch, timestamp, tagged], tagged], tagged.
 */
export function encodeListOffsetsRequest(
  correlationId: number,
  clientId: string,
  version: number,
  topic: string,
  partitions: ListOffsetsPartitionRequest[],
  isolationLevel: 0 | 1 = 0,
): Buffer {
  if (version < LIST_OFFSETS_MIN_VERSION || version > LIST_OFFSETS_MAX_VERSION) throw new RangeError(`ListOffsets v${version} is not one gamepipe writes`);
  const writer = requestHeader(LIST_OFFSETS_API_KEY, version, correlationId, clientId, true).int32(-1).int8(isolationLevel);
  writer.compactArray([topic], (name) => {
    writer.compactString(`topic name ${JSON.stringify(name)}`, name);
    writer.compactArray(partitions, (p) => writer.int32(p.partition).int32(p.currentLeaderEpoch).int64(p.timestamp).noTaggedFields());
    writer.noTaggedFields();
  });
  return writer.noTaggedFields().frame();
}

/**
 * Decodes a ListOffsets response body (after the correlation id): header tagged fields,
 * throttle_time_ms, topics compact [name, partitions compact [partition_index, error_code,
 * timestamp, offset, leader_epoch, tagged], tagged], tagged. Only `topic`'s partitions may appear.
 */
export function decodeListOffsetsResponse(body: Buffer, topic: string): ListedOffset[] {
  const reader = new WireReader(body, 'ListOffsets response');
  reader.skipTaggedFields('the response header');
  reader.int32('throttle_time_ms');
  const listed: ListedOffset[] = [];
  const topics = reader.compactCount('topics', 1 + 1 + 1);
  for (let t = 0; t < topics; t++) {
    const name = reader.compactString('a topic name');
    if (name !== topic) throw reader.error(`names topic ${JSON.stringify(name)} where topic ${JSON.stringify(topic)} was asked for`);
    const count = reader.compactCount(`partitions of ${topic}`, 4 + 2 + 8 + 8 + 4 + 1);
    for (let p = 0; p < count; p++) {
      const partition = reader.int32('a partition index');
      const where = `partition ${partition} of ${topic}`;
      const errorCode = reader.int16(`the error code of ${where}`);
      reader.bigint64(`the timestamp of ${where}`);
      const offset = reader.offset(`the offset of ${where}`);
      reader.int32(`the leader epoch of ${where}`);
      reader.skipTaggedFields(where);
      listed.push({ partition, errorCode, offset });
    }
    reader.skipTaggedFields(`topic ${topic}`);
  }
  reader.skipTaggedFields('the response');
  reader.end('its last field');
  return listed;
}
