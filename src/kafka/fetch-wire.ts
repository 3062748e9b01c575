/**
 * Kafka Fetch v4 on the wire (https://kafka.apache.org/protocol#The_Messages_Fetch): the request
 * frame the topic reader writes and the response body it reads back. Pure: no I/O. v4 is the
 * newest non-flexible version without fetch sessions or log start offsets, and the first one with
 * read_committed (isolation level, last stable offset, aborted transactions), which is all the
 * reader needs; brokers from 0.11 to 4.x answer it.
 */

export const FETCH_API_KEY = 1;
export const FETCH_API_VERSION = 4;

/**
 * Kafka error codes a Fetch answer may carry (https://kafka.apache.org/protocol#protocol_error_codes):
 * the fetcher acts on NONE and OFFSET_OUT_OF_RANGE, and names the others in its retry log.
 */
export const KafkaErrorCode = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  REPLICA_NOT_AVAILABLE: 9,
  NETWORK_EXCEPTION: 13,
  KAFKA_STORAGE_ERROR: 56,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  OFFSET_NOT_AVAILABLE: 78,
} as const;

const ERROR_NAMES = new Map<number, string>(Object.entries(KafkaErrorCode).map(([name, code]) => [code, name]));

/** The name of a Kafka error code, e.g. 'NOT_LEADER_OR_FOLLOWER', or `error ${code}` for codes not in KafkaErrorCode. */
export function kafkaErrorName(code: number): string {
  return ERROR_NAMES.get(code) ?? `error ${code}`;
}

/**
 * A Fetch response that is truncated or does not say what was asked. Responses are framed by their
 * size, so the connection stays usable: the fetcher retries after a pause, with fresh metadata.
 */
export class FetchProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FetchProtocolError';
  }
}

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

/** A bounds-checked cursor over a response body: every read says what it was reading when the body ends early. */
class BodyReader {
  at = 0;

  constructor(private readonly body: Buffer) {}

  private need(bytes: number, what: string): number {
    const at = this.at;
    if (bytes > this.body.length - at) {
      throw new FetchProtocolError(`Fetch response is truncated: ${what} needs ${bytes} bytes at byte ${at} but the body has ${this.body.length - at} left`);
    }
    this.at = at + bytes;
    return at;
  }

  int16(what: string): number {
    return this.body.readInt16BE(this.need(2, what));
  }

  int32(what: string): number {
    return this.body.readInt32BE(this.need(4, what));
  }

  /** An int64 offset as a number: offsets (and -1 for none) stay far below 2^53. */
  offset(what: string): number {
    const at = this.need(8, what);
    const value = this.body.readInt32BE(at) * 0x1_0000_0000 + this.body.readUInt32BE(at + 4);
    if (!Number.isSafeInteger(value)) throw new FetchProtocolError(`Fetch response has ${what} ${this.body.readBigInt64BE(at)}, beyond 2^53`);
    return value;
  }

  bigint64(what: string): bigint {
    return this.body.readBigInt64BE(this.need(8, what));
  }

  /** A STRING (int16 length); a null one (-1) reads as null. */
  string(what: string): string | null {
    const length = this.int16(`the length of ${what}`);
    if (length < 0) {
      if (length === -1) return null;
      throw new FetchProtocolError(`Fetch response has a negative length (${length}) for ${what}`);
    }
    const at = this.need(length, what);
    return this.body.toString('utf8', at, at + length);
  }

  /** An ARRAY's count: -1 (null) reads as 0. */
  count(what: string, minItemBytes: number): number {
    const count = this.int32(`the count of ${what}`);
    if (count === -1) return 0;
    if (count < 0) throw new FetchProtocolError(`Fetch response has a negative count (${count}) of ${what}`);
    // Catches a garbage count before looping (and allocating) for it.
    if (count * minItemBytes > this.body.length - this.at) {
      throw new FetchProtocolError(`Fetch response is truncated: ${count} ${what} need at least ${count * minItemBytes} bytes at byte ${this.at} but the body has ${this.body.length - this.at} left`);
    }
    return count;
  }

  /** A RECORDS field (nullable BYTES): a view into the body; null reads as an empty view. */
  bytes(what: string): Buffer {
    const length = this.int32(`the size of ${what}`);
    if (length === -1) return this.body.subarray(this.at, this.at);
    if (length < 0) throw new FetchProtocolError(`Fetch response has a negative size (${length}) for ${what}`);
    const at = this.need(length, what);
    return this.body.subarray(at, at + length);
  }

  get remaining(): number {
    return this.body.length - this.at;
  }
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
  const reader = new BodyReader(body);
  const throttleMs = reader.int32('throttle_time_ms');
  const partitions: FetchedPartition[] = [];
  const topics = reader.count('topics', 2 + 4);
  for (let t = 0; t < topics; t++) {
    const name = reader.string('a topic name');
    if (name !== topic) throw new FetchProtocolError(`Fetch response names topic ${JSON.stringify(name)} where topic ${JSON.stringify(topic)} was asked for`);
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
  if (reader.remaining !== 0) throw new FetchProtocolError(`Fetch response has ${reader.remaining} bytes after its last partition`);
  return { throttleMs, partitions };
}
