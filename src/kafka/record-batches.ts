/**
 * Records read straight from a Fetch response's record batches (see record-batch-format.ts), without
 * a record object per message: offsets, timestamps and where each key and value lie go into typed
 * arrays reused from call to call.
 *
 * CRCs are not verified: CRC-32C over every byte would cost about as much as the decoding itself,
 * TCP already checksums what crosses the network, and the broker validated each batch's CRC when it
 * was produced (and checks its own disk reads where it matters). Kafka's Java consumer also makes it
 * optional (check.crcs).
 *
 * Pure: no I/O. Meant to run on a processing thread.
 */
import type { AbortedTransaction } from './fetch-wire.js';
import {
  ATTRIBUTES_AT, BASE_TIMESTAMP_AT, batchEnd, COMPRESSION_MASK, CONTROL, CONTROL_ABORT, CorruptRecordsError, int16, int32, int64,
  LAST_OFFSET_DELTA_AT, LOG_APPEND_TIME, LOG_OVERHEAD, MAX_TIMESTAMP_AT, MIN_RECORD_BYTES, PRODUCER_ID_AT, RECORD_COUNT_AT, RECORDS_AT, TRANSACTIONAL,
  Codec,
  CODEC_NAMES,
  unsupportedCodec,
} from './record-batch-format.js';
import { inflate } from './record-codecs.js';

/** What a processing thread reads records through. key/value are views (no copy) into the record bytes. */
export interface RecordSet {
  readonly count: number;
  readonly offsets: Float64Array; // length >= count; only [0, count) meaningful
  readonly timestamps: Float64Array; // ms since epoch
  valueLength(i: number): number; // 0 for a null value
  value(i: number): Buffer | null;
  key(i: number): Buffer | null;
}

// ---- Decoding: module-level state reused from call to call (one processing thread decodes one set at a time).

let offsets = new Float64Array(1024);
let timestamps = new Float64Array(1024);
/** Per record: key start, key length (-1 null), value start, value length (-1 null), into the set's data. */
let spans = new Int32Array(4 * 1024);
let count = 0;
/** Where varint() and varlong() stopped: a second return value without an allocation. */
let cursor = 0;

function ensureCapacity(needed: number): void {
  if (needed <= offsets.length) return;
  let size = offsets.length * 2;
  while (size < needed) size *= 2;
  const o = new Float64Array(size);
  o.set(offsets.subarray(0, count));
  const t = new Float64Array(size);
  t.set(timestamps.subarray(0, count));
  const s = new Int32Array(4 * size);
  s.set(spans.subarray(0, 4 * count));
  offsets = o;
  timestamps = t;
  spans = s;
}

/** `what` ends past its record (or, for a record's length, past the batch). */
function truncated(what: string, batchOffset: number): CorruptRecordsError {
  return new CorruptRecordsError(`record batch at offset ${batchOffset} is corrupt: ${what} runs past the end of its record or batch`, batchOffset);
}

/** A zigzag varint (int32) at `at`, read no further than `limit`; sets `cursor` after it. */
function varint(b: Uint8Array, at: number, limit: number, batchOffset: number): number {
  if (at >= limit) throw truncated('a varint', batchOffset);
  let byte = b[at++]!;
  if (byte < 0x80) {
    cursor = at;
    return (byte >>> 1) ^ -(byte & 1);
  }
  let value = byte & 0x7f;
  for (let shift = 7; ; shift += 7) {
    if (at >= limit) throw truncated('a varint', batchOffset);
    if (shift > 28) throw new CorruptRecordsError(`record batch at offset ${batchOffset} is corrupt: a varint is longer than 5 bytes`, batchOffset);
    byte = b[at++]!;
    value |= (byte & 0x7f) << shift;
    if (byte < 0x80) break;
  }
  cursor = at;
  return (value >>> 1) ^ -(value & 1);
}

/** A zigzag varlong (int64) at `at` as a number (exact up to 2^53), read no further than `limit`; sets `cursor` after it. */
function varlong(b: Uint8Array, at: number, limit: number, batchOffset: number): number {
  if (at >= limit) throw truncated('a varlong', batchOffset);
  let byte = b[at++]!;
  if (byte < 0x80) {
    cursor = at;
    return (byte >>> 1) ^ -(byte & 1);
  }
  let value = byte & 0x7f;
  let scale = 0x80;
  for (let i = 1; ; i++) {
    if (at >= limit) throw truncated('a varlong', batchOffset);
    if (i >= 10) throw new CorruptRecordsError(`record batch at offset ${batchOffset} is corrupt: a varlong is longer than 10 bytes`, batchOffset);
    byte = b[at++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) break;
    scale *= 0x80;
  }
  cursor = at;
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

/**
 * Decodes the `recordCount` records in b[at, end) of the batch at `baseOffset`, appending those at
 * or after `from`; key and value starts are stored as positions in b plus `shift` (where b's bytes
 * sit in the set's data).
 */
function decodeBatchRecords(
  b: Uint8Array,
  at: number,
  end: number,
  shift: number,
  recordCount: number,
  baseOffset: number,
  baseTimestamp: number,
  logAppendTime: number | undefined,
  from: number,
): void {
  if (recordCount < 0 || recordCount * MIN_RECORD_BYTES > end - at) {
    throw new CorruptRecordsError(`record batch at offset ${baseOffset} is corrupt: it declares ${recordCount} records in ${end - at} bytes`, baseOffset);
  }
  ensureCapacity(count + recordCount);
  const o = offsets;
  const t = timestamps;
  const s = spans;
  let n = count;
  for (let r = 0; r < recordCount; r++) {
    const length = varint(b, at, end, baseOffset);
    at = cursor;
    if (length < 0 || length > end - at) {
      throw new CorruptRecordsError(`record batch at offset ${baseOffset} is corrupt: record ${r} claims ${length} bytes where ${end - at} are left`, baseOffset);
    }
    const recordEnd = at + length;
    // at + 1: the record's attributes byte, unused. A record shorter than that fails in varlong().
    const timestampDelta = varlong(b, at + 1, recordEnd, baseOffset);
    const offset = baseOffset + varint(b, cursor, recordEnd, baseOffset);
    if (offset < from) {
      at = recordEnd;
      continue;
    }
    let keyLength = varint(b, cursor, recordEnd, baseOffset);
    const keyAt = cursor;
    if (keyLength < 0) keyLength = -1;
    else if (keyLength > recordEnd - keyAt) throw truncated(`the key of record ${r}`, baseOffset);
    const valueLength = varint(b, keyLength > 0 ? keyAt + keyLength : keyAt, recordEnd, baseOffset);
    const valueAt = cursor;
    const i4 = n << 2;
    if (valueLength < 0) s[i4 + 3] = -1;
    else if (valueLength > recordEnd - valueAt) throw truncated(`the value of record ${r}`, baseOffset);
    else s[i4 + 3] = valueLength;
    o[n] = offset;
    t[n] = logAppendTime === undefined ? baseTimestamp + timestampDelta : logAppendTime;
    s[i4] = keyAt + shift;
    s[i4 + 1] = keyLength;
    s[i4 + 2] = valueAt + shift;
    n++;
    // The headers: gamepipe does not read them, and the record's length says where they end.
    at = recordEnd;
  }
  count = n;
  if (at !== end) {
    throw new CorruptRecordsError(`record batch at offset ${baseOffset} is corrupt: ${end - at} bytes are left after its ${recordCount} records`, baseOffset);
  }
}

/** The inflated records of the compressed batch at [at, end). */
function decompress(b: Uint8Array, at: number, end: number, baseOffset: number, attributes: number): Uint8Array {
  const codec = attributes & COMPRESSION_MASK;
  if (codec > Codec.ZSTD) throw unsupportedCodec(baseOffset, codec);
  try {
    return inflate(codec, b.subarray(at + RECORDS_AT, end));
  } catch (err) {
    throw new CorruptRecordsError(`record batch at offset ${baseOffset} is corrupt: its ${CODEC_NAMES[codec]} data does not inflate (${(err as Error).message})`, baseOffset);
  }
}

/** Whether the control batch at `at` is a transaction's ABORT marker: its first record's key is version int16, type int16 (0 abort, 1 commit). */
function isAbortMarker(b: Uint8Array, at: number, end: number, baseOffset: number, attributes: number): boolean {
  if (int32(b, at + RECORD_COUNT_AT) <= 0) return false;
  let data: Uint8Array = b;
  let p = at + RECORDS_AT;
  let limit = end;
  if ((attributes & COMPRESSION_MASK) !== 0) {
    data = decompress(b, at, end, baseOffset, attributes);
    p = 0;
    limit = data.length;
  }
  const length = varint(data, p, limit, baseOffset);
  const recordEnd = Math.min(limit, cursor + length);
  varlong(data, cursor + 1, recordEnd, baseOffset);
  varint(data, cursor, recordEnd, baseOffset);
  const keyLength = varint(data, cursor, recordEnd, baseOffset);
  if (keyLength < 4 || keyLength > recordEnd - cursor) {
    throw new CorruptRecordsError(`control batch at offset ${baseOffset} is corrupt: its record key has ${keyLength} bytes where 4 (version, type) are expected`, baseOffset);
  }
  return int16(data, cursor + 2) === CONTROL_ABORT;
}

/** The set returned by decodeRecords: reads the module's arrays, so it is good until the next call. */
class DecodedRecords implements RecordSet {
  // Buffer.from(arrayBuffer, offset, length) makes a view about a quarter faster than Buffer#subarray.
  private readonly memory: ArrayBufferLike;
  private readonly base: number;

  constructor(
    readonly count: number,
    readonly offsets: Float64Array,
    readonly timestamps: Float64Array,
    private readonly spans: Int32Array,
    data: Uint8Array,
  ) {
    this.memory = data.buffer;
    this.base = data.byteOffset;
  }

  valueLength(i: number): number {
    const length = this.spans[(i << 2) + 3]!;
    return length > 0 ? length : 0;
  }

  value(i: number): Buffer | null {
    const i4 = i << 2;
    const length = this.spans[i4 + 3]!;
    if (length < 0) return null;
    return Buffer.from(this.memory, this.base + this.spans[i4 + 2]!, length);
  }

  key(i: number): Buffer | null {
    const i4 = i << 2;
    const length = this.spans[i4 + 1]!;
    if (length < 0) return null;
    return Buffer.from(this.memory, this.base + this.spans[i4]!, length);
  }
}

/**
 * Decodes every complete batch of `records` (a partial batch at the end is ignored), keeping the
 * data records at or after offset `from`: control batches are dropped, and with `aborted` (the
 * fetch response's aborted transactions, read_committed) the records of aborted transactions are
 * dropped the way Kafka's Java consumer does it (a producer's aborted range starts at its
 * firstOffset and ends at that producer's ABORT control marker; only transactional batches are dropped).
 * Compressed batches (gzip, snappy, lz4, zstd) are inflated (record-codecs.ts); an undefined codec id and magic < 2 throw UnsupportedRecordsError.
 * Timestamps: LogAppendTime batches give every record the batch's maxTimestamp; else baseTimestamp + delta.
 *
 * The returned set reads arrays this module reuses: it is valid until the next call. Keys and values
 * of uncompressed batches are views into `records`; once a compressed batch is met, the set's data is one
 * new buffer joining `records` up to that batch (if records were kept from it), the inflated records
 * and the record regions of the batches after it.
 */
export function decodeRecords(records: Uint8Array, from: number, aborted: readonly AbortedTransaction[]): RecordSet {
  const b = records;
  count = 0;
  // read_committed: aborted transactions by first offset, and the producers inside one (Java's abortedProducerIds).
  const abortedTxns = aborted.length === 0 ? undefined : aborted.map((a) => ({ producerId: Number(a.producerId), firstOffset: a.firstOffset })).sort((x, y) => x.firstOffset - y.firstOffset);
  let nextAborted = 0;
  const abortedProducers = new Set<number>();
  // With a compressed batch: the parts of the set's data, and its length so far.
  let parts: Uint8Array[] | undefined;
  let dataLength = 0;

  let at = 0;
  while (b.length - at >= LOG_OVERHEAD) {
    const end = batchEnd(b, at);
    if (end < 0) break;
    const baseOffset = int64(b, at);
    const attributes = int16(b, at + ATTRIBUTES_AT);
    const lastOffset = baseOffset + int32(b, at + LAST_OFFSET_DELTA_AT);
    const control = (attributes & CONTROL) !== 0;
    if (abortedTxns !== undefined) {
      const producerId = int64(b, at + PRODUCER_ID_AT);
      if (producerId >= 0) {
        while (nextAborted < abortedTxns.length && abortedTxns[nextAborted]!.firstOffset <= lastOffset) {
          abortedProducers.add(abortedTxns[nextAborted++]!.producerId);
        }
        if (control) {
          if (isAbortMarker(b, at, end, baseOffset, attributes)) abortedProducers.delete(producerId);
        } else if ((attributes & TRANSACTIONAL) !== 0 && abortedProducers.has(producerId)) {
          at = end;
          continue;
        }
      }
    }
    if (control || lastOffset < from) {
      at = end;
      continue;
    }
    const recordCount = int32(b, at + RECORD_COUNT_AT);
    const baseTimestamp = int64(b, at + BASE_TIMESTAMP_AT);
    const logAppendTime = (attributes & LOG_APPEND_TIME) !== 0 ? int64(b, at + MAX_TIMESTAMP_AT) : undefined;
    if ((attributes & COMPRESSION_MASK) === 0) {
      const recordsAt = at + RECORDS_AT;
      if (parts === undefined) {
        decodeBatchRecords(b, recordsAt, end, 0, recordCount, baseOffset, baseTimestamp, logAppendTime, from);
      } else {
        decodeBatchRecords(b, recordsAt, end, dataLength - recordsAt, recordCount, baseOffset, baseTimestamp, logAppendTime, from);
        parts.push(b.subarray(recordsAt, end));
        dataLength += end - recordsAt;
      }
    } else {
      const inflated = decompress(b, at, end, baseOffset, attributes);
      if (parts === undefined) {
        // Positions stored so far are in `records`, all before this batch: its bytes up to here start
        // the data (none when nothing was kept yet, e.g. batches before `from`).
        parts = count > 0 ? [b.subarray(0, at)] : [];
        dataLength = count > 0 ? at : 0;
      }
      decodeBatchRecords(inflated, 0, inflated.length, dataLength, recordCount, baseOffset, baseTimestamp, logAppendTime, from);
      parts.push(inflated);
      dataLength += inflated.length;
    }
    if (dataLength > 0x7fff_ffff) throw new RangeError(`records inflate to more than 2 GiB (${dataLength} bytes) in one fetch`);
    at = end;
  }
  const data = parts === undefined ? b : parts.length === 1 ? parts[0]! : Buffer.concat(parts, dataLength);
  return new DecodedRecords(count, offsets, timestamps, spans, data);
}
