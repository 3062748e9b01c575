import { createRequire } from 'node:module';
import { compress as lz4Compress } from 'lz4js';
import { compress as snappyCompress } from 'snappyjs';

// kafkajs' own producer encoding (CommonJS internals, no exports map) stands in as the independent
// writer of the record batches our decoder reads.
const require = createRequire(import.meta.url);
type KafkaEncoder = { buffer: Buffer };
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch(options: object): Promise<KafkaEncoder> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (options: object) => KafkaEncoder;
const Long = require('kafkajs/src/utils/long.js') as { fromNumber(n: number): unknown };
const { hash: xxh32 } = require('lz4js/xxh32.js') as { hash(seed: number, src: Uint8Array, index: number, length: number): number };
/** kafkajs' compression codec ids (the batch attribute's low bits). */
export const { Types: Compression } = require('kafkajs/src/protocol/message/compression/index.js') as { Types: { None: number; GZIP: number; Snappy: number; LZ4: number; ZSTD: number } };

export interface TestRecord {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string>;
  /** Milliseconds since the epoch (default 0). */
  timestamp?: number;
}

export interface BatchOptions {
  compression?: number;
  transactional?: boolean;
  producerId?: number;
  /** Offset deltas of the records (default 0, 1, 2, ...): gaps as compaction leaves them. */
  offsetDeltas?: number[];
  lastOffsetDelta?: number;
}

/** One Kafka record batch (magic 2) of `records` from offset `firstOffset`, as kafkajs' producer encodes it. */
export async function encodeRecordBatch(firstOffset: number, records: TestRecord[], options: BatchOptions = {}): Promise<Buffer> {
  const deltas = options.offsetDeltas ?? records.map((_, i) => i);
  const timestamps = records.map((r) => r.timestamp ?? 0);
  const first = timestamps[0] ?? 0;
  const encoded = await RecordBatch({
    compression: options.compression ?? Compression.None,
    firstOffset: Long.fromNumber(firstOffset),
    firstTimestamp: first,
    maxTimestamp: Math.max(first, ...timestamps),
    lastOffsetDelta: options.lastOffsetDelta ?? Math.max(0, ...deltas),
    transactional: options.transactional ?? false,
    producerId: Long.fromNumber(options.producerId ?? -1),
    records: records.map((r, i) =>
      Record({ offsetDelta: deltas[i], timestampDelta: timestamps[i]! - first, key: toBuffer(r.key ?? null), value: toBuffer(r.value), headers: r.headers }),
    ),
  });
  return encoded.buffer;
}

/** Record batches of `perBatch` records each for `values`, at offsets from `firstOffset`. */
export async function encodeRecordBatches(firstOffset: number, values: Array<string | null>, perBatch = 100): Promise<Buffer> {
  const batches: Buffer[] = [];
  for (let i = 0; i < values.length; i += perBatch) {
    batches.push(await encodeRecordBatch(firstOffset + i, values.slice(i, i + perBatch).map((value) => ({ value }))));
  }
  return Buffer.concat(batches);
}

function toBuffer(part: string | Buffer | null): Buffer | null {
  return typeof part === 'string' ? Buffer.from(part) : part;
}

/**
 * Registers snappy, lz4 and zstd with kafkajs, so its producer (and its batch encoder above) can
 * write them. Independent of gamepipe's reading side: snappyjs in snappy-java's stream framing (as
 * Kafka's Java producer writes it), lz4js' LZ4 frames, and zstd frames of raw blocks built here by
 * RFC 8878. A broker decompresses each batch it is sent to validate it, so producing through a
 * real broker also checks these are what Kafka reads.
 */
export function registerTestCodecs(): void {
  const { CompressionCodecs, CompressionTypes } = require('kafkajs') as typeof import('kafkajs');
  const codec = (compress: (bytes: Buffer) => Buffer) => () => ({
    compress: async (encoder: { buffer: Buffer }) => compress(encoder.buffer),
    decompress: async () => {
      throw new Error('the test codecs only compress');
    },
  });
  CompressionCodecs[CompressionTypes.Snappy] = codec(xerialSnappy);
  CompressionCodecs[CompressionTypes.LZ4] = codec(independentLz4Frame);
  CompressionCodecs[CompressionTypes.ZSTD] = codec(rawZstdFrame);
}

const XERIAL_HEADER = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);

function xerialSnappy(bytes: Buffer): Buffer {
  const parts: Buffer[] = [XERIAL_HEADER];
  for (let at = 0; at < bytes.length; at += 32 * 1024) {
    const block = Buffer.from(snappyCompress(bytes.subarray(at, at + 32 * 1024)));
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

/**
 * lz4js' LZ4 frame, flagged as Kafka requires ("dependent block stream is unsupported"): true of
 * it when it holds one block (lz4js' blocks are 4 MiB), as every test batch does.
 */
function independentLz4Frame(bytes: Buffer): Buffer {
  if (bytes.length > 4 * 1024 * 1024) throw new Error('test lz4 frames hold one block of at most 4 MiB');
  const frame = Buffer.from(lz4Compress(bytes));
  frame[4]! |= 0x20; // FLG: block independence
  frame[6] = (xxh32(0, frame, 4, 2) >>> 8) & 0xff; // the header checksum over FLG and BD
  return frame;
}

/** A zstd frame (magic, single segment, 4-byte content size) of raw blocks of at most 128 KiB. */
function rawZstdFrame(bytes: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUInt32LE(0xfd2fb528, 0);
  header[4] = (2 << 6) | (1 << 5);
  header.writeUInt32LE(bytes.length, 5);
  const parts: Buffer[] = [header];
  let at = 0;
  do {
    const size = Math.min(128 * 1024, bytes.length - at);
    const last = at + size >= bytes.length ? 1 : 0;
    const blockHeader = Buffer.alloc(3);
    blockHeader.writeUIntLE((size << 3) | last, 0, 3); // block type 0: raw
    parts.push(blockHeader, bytes.subarray(at, at + size));
    at += size;
  } while (at < bytes.length);
  return Buffer.concat(parts);
}
