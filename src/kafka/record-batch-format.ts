/**
 * The Kafka record batch format (message format v2, magic 2: https://kafka.apache.org/documentation/#recordbatch):
 * where a batch's fields lie, and the walk over batch headers the main thread does. Decoding the
 * records themselves is in record-batches.ts, on the processing threads.
 *
 *
 * Batch header (61 bytes): baseOffset int64, batchLength int32 (bytes after this field),
 * partitionLeaderEpoch int32, magic int8, crc uint32, attributes int16, lastOffsetDelta int32,
 * baseTimestamp int64, maxTimestamp int64, producerId int64, producerEpoch int16, baseSequence int32,
 * recordCount int32; then the records, compressed as a whole when the codec is not none. A record:
 * length varint, attributes int8, timestampDelta varlong, offsetDelta varint, key (varint length,
 * -1 = null), value (same), headers (varint count, then key and value of each).
 */

/** The record set holds what gamepipe cannot read: another compression codec, or an old message format. */
export class UnsupportedRecordsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedRecordsError';
  }
}

/** A complete batch whose bytes do not add up (a varint or a record running past its end, impossible counts). */
export class CorruptRecordsError extends Error {
  constructor(
    message: string,
    /** The base offset of the batch at fault. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'CorruptRecordsError';
  }
}


/** baseOffset int64 + batchLength int32: what must be there to know a batch's size. */
export const LOG_OVERHEAD = 12;
/** Bytes of a v2 batch header after the batchLength field (61 - 12). */
const MIN_BATCH_LENGTH = 49;
export const RECORDS_AT = 61;
// Field positions from a batch's start.
const MAGIC_AT = 16; // the same in the legacy message format (offset, size, crc, magic)
export const ATTRIBUTES_AT = 21;
export const LAST_OFFSET_DELTA_AT = 23;
export const BASE_TIMESTAMP_AT = 27;
export const MAX_TIMESTAMP_AT = 35;
export const PRODUCER_ID_AT = 43;
export const RECORD_COUNT_AT = 57;

export const COMPRESSION_MASK = 0x07;
/** The compression codecs Kafka defines, by id (record-codecs.ts inflates them). */
export const Codec = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const;
export const LOG_APPEND_TIME = 0x08;
export const TRANSACTIONAL = 0x10;
export const CONTROL = 0x20;
export const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Smallest possible record: length varint, attributes, timestampDelta, offsetDelta, key length, value length, header count (1 byte each). */
export const MIN_RECORD_BYTES = 7;

export const CONTROL_ABORT = 0;

export function int32(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
}

export function int16(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16)) >> 16;
}

/** An int64 as a number: exact below 2^53, which offsets, timestamps and producer ids stay under. */
export function int64(b: Uint8Array, at: number): number {
  return int32(b, at) * 0x1_0000_0000 + (int32(b, at + 4) >>> 0);
}

/** Reads the size of the batch at `at` and checks its format; returns its end, or -1 when it is not complete in `b`. */
export function batchEnd(b: Uint8Array, at: number): number {
  const length = int32(b, at + 8);
  const end = at + LOG_OVERHEAD + length;
  if (end > b.length) return -1;
  if (length < MAGIC_AT + 1 - LOG_OVERHEAD) throw new CorruptRecordsError(`record batch at offset ${int64(b, at)} has a length of ${length} bytes`, int64(b, at));
  const magic = b[at + MAGIC_AT]!;
  if (magic !== 2) {
    throw new UnsupportedRecordsError(
      magic < 2
        ? `messages at offset ${int64(b, at)} use the legacy message format (magic ${magic})`
        : `record batch at offset ${int64(b, at)} has magic ${magic}, a message format gamepipe does not know`,
    );
  }
  if (length < MIN_BATCH_LENGTH) throw new CorruptRecordsError(`record batch at offset ${int64(b, at)} has a length of ${length} bytes, less than its header`, int64(b, at));
  return end;
}

/** The batch at offset `baseOffset` names a compression codec Kafka does not define. */
export function unsupportedCodec(baseOffset: number, codec: number): UnsupportedRecordsError {
  return new UnsupportedRecordsError(`record batch at offset ${baseOffset} uses compression codec ${codec}, which Kafka does not define (none, gzip, snappy, lz4, zstd)`);
}

/**
 * The offset after the last COMPLETE batch in `records` (baseOffset + lastOffsetDelta + 1), or
 * undefined when not even one batch is complete. Walks batch headers only (main thread, must be
 * cheap: no record decoding). Control batches count (they occupy offsets). Throws
 * UnsupportedRecordsError for the legacy message format and for codec ids Kafka does not define, so the
 * reader can fail the jobs of the partition with that reason before any thread is sent them.
 */
export function nextOffsetAfter(records: Uint8Array): number | undefined {
  let next: number | undefined;
  let at = 0;
  while (records.length - at >= LOG_OVERHEAD) {
    const end = batchEnd(records, at);
    if (end < 0) break;
    const codec = int16(records, at + ATTRIBUTES_AT) & COMPRESSION_MASK;
    if (codec > Codec.ZSTD) throw unsupportedCodec(int64(records, at), codec);
    next = int64(records, at) + int32(records, at + LAST_OFFSET_DELTA_AT) + 1;
    at = end;
  }
  return next;
}
