/**
 * Kafka Fetch v4 on the wire (https://kafka.apache.org/protocol#The_Messages_Fetch): the request
 * frame the topic reader writes and the response body it reads back. Pure: no I/O. v4 is the
 * newest non-flexible version without fetch sessions or log start offsets, and the first one with
 * read_committed (isolation level, last stable offset, aborted transactions), which is all the
 * reader needs; brokers from 0.11 to 4.x answer it.
 */

import { WireReader } from './wire-reader.js';

export const FETCH_API_KEY = 1;
export const FETCH_API_VERSION = 4;

export { KafkaErrorCode, kafkaErrorName } from './kafka-errors.js';
/** A Fetch response that is truncated or does not say what was asked (see KafkaProtocolError). */
export { KafkaProtocolError as FetchProtocolError } from './wire-reader.js';

export interface FetchPartitionRequest {
  partition: number;
  offset: number;
  maxBytes: number;
}

export interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  readCommitted: boolean;
  topic: string;
  partitions: FetchPartitionRequest[];
}

/** Request header v1: api_key int16, api_version int16, correlation_id int32, client_id string (int16 length). */
const HEADER_FIXED_BYTES = 2 + 2 + 4 + 2;
/** replica_id, max_wait_ms, min_bytes, max_bytes (int32 each), isolation_level int8, topics count int32. */
const BODY_FIXED_BYTES = 4 * 4 + 1 + 4;
/** partition int32, fetch_offset int64, partition_max_bytes int32. */
const PARTITION_BYTES = 4 + 8 + 4;
/** Kafka's STRING: an int16 length, so at most 32767 bytes. */
const MAX_STRING_BYTES = 0x7fff;

function stringBytes(what: string, text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > MAX_STRING_BYTES) throw new RangeError(`${what} is ${bytes.length} bytes long, more than a Kafka string holds (${MAX_STRING_BYTES})`);
  return bytes;
}

/**
 * The whole frame to write on the socket: int32 size prefix, request header v1 (api key, api
 * version, correlation id, client id string), then the Fetch v4 body (replica_id -1, max_wait_ms,
 * min_bytes, max_bytes, isolation_level int8 (1 = read_committed), one topic with its partitions:
 * partition int32, fetch_offset int64, partition_max_bytes int32).
 */
export function encodeFetchRequest(correlationId: number, clientId: string, request: FetchRequest): Buffer {
  const client = stringBytes('the client id', clientId);
  const topic = stringBytes(`topic name ${JSON.stringify(request.topic)}`, request.topic);
  const size = HEADER_FIXED_BYTES + client.length + BODY_FIXED_BYTES + 2 + topic.length + 4 + PARTITION_BYTES * request.partitions.length;
  const frame = Buffer.allocUnsafe(4 + size);
  let at = frame.writeInt32BE(size, 0);
  at = frame.writeInt16BE(FETCH_API_KEY, at);
  at = frame.writeInt16BE(FETCH_API_VERSION, at);
  at = frame.writeInt32BE(correlationId, at);
  at = frame.writeInt16BE(client.length, at);
  at += client.copy(frame, at);
  at = frame.writeInt32BE(-1, at); // replica_id: -1 for a consumer
  at = frame.writeInt32BE(request.maxWaitMs, at);
  at = frame.writeInt32BE(request.minBytes, at);
  at = frame.writeInt32BE(request.maxBytes, at);
  at = frame.writeInt8(request.readCommitted ? 1 : 0, at);
  at = frame.writeInt32BE(1, at); // one topic
  at = frame.writeInt16BE(topic.length, at);
  at += topic.copy(frame, at);
  at = frame.writeInt32BE(request.partitions.length, at);
  for (const p of request.partitions) {
    at = frame.writeInt32BE(p.partition, at);
    // BigInt() throws a RangeError for a fractional offset; writeBigInt64BE for one out of int64.
    at = frame.writeBigInt64BE(BigInt(p.offset), at);
    at = frame.writeInt32BE(p.maxBytes, at);
  }
  if (at !== frame.length) throw new Error(`encodeFetchRequest wrote ${at} bytes of a ${frame.length}-byte frame`);
  return frame;
}

export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: number;
}

export interface FetchedPartition {
  partition: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  /** Empty when the broker sends a null array (read_uncommitted, or no aborted transaction in range). */
  aborted: AbortedTransaction[];
  /** The partition's record set: a view (no copy) into the response buffer; may be empty and may end with a partial batch. */
  records: Buffer;
}

export interface FetchResponse {
  throttleMs: number;
  partitions: FetchedPartition[];
}

/** partition int32, error_code int16, high_watermark int64, last_stable_offset int64, aborted count int32, records size int32. */
const PARTITION_HEADER_BYTES = 4 + 2 + 8 + 8 + 4 + 4;

/**
 * Decodes a Fetch v4 response body: the frame AFTER its int32 size and int32 correlation id (the
 * connection strips those). Only partitions of `topic` are returned (a response for another topic
 * is a protocol error: throw). Layout: throttle_time_ms int32, [topic string, [partition int32,
 * error_code int16, high_watermark int64, last_stable_offset int64, aborted_transactions nullable
 * [producer_id int64, first_offset int64], records nullable bytes]].
 */
export function decodeFetchResponse(body: Buffer, topic: string): FetchResponse {
  const reader = new WireReader(body, 'Fetch response');
  const throttleMs = reader.int32('throttle_time_ms');
  const partitions: FetchedPartition[] = [];
  const topics = reader.count('topics', 2 + 4);
  for (let t = 0; t < topics; t++) {
    const name = reader.string('a topic name');
    if (name !== topic) throw reader.error(`names topic ${JSON.stringify(name)} where topic ${JSON.stringify(topic)} was asked for`);
    const count = reader.count(`partitions of ${topic}`, PARTITION_HEADER_BYTES);
    for (let p = 0; p < count; p++) {
      const partition = reader.int32('a partition index');
      const where = `partition ${partition} of ${topic}`;
      const errorCode = reader.int16(`the error code of ${where}`);
      const highWatermark = reader.offset(`the high watermark of ${where}`);
      const lastStableOffset = reader.offset(`the last stable offset of ${where}`);
      const abortedCount = reader.count(`aborted transactions of ${where}`, 16);
      const aborted: AbortedTransaction[] = [];
      for (let a = 0; a < abortedCount; a++) {
        const producerId = reader.bigint64(`an aborted transaction's producer id in ${where}`);
        const firstOffset = reader.offset(`an aborted transaction's first offset in ${where}`);
        aborted.push({ producerId, firstOffset });
      }
      const records = reader.bytes(`the records of ${where}`);
      partitions.push({ partition, errorCode, highWatermark, lastStableOffset, aborted, records });
    }
  }
  reader.end('its last partition');
  return { throttleMs, partitions };
}
