import { createRequire } from 'node:module';

// kafkajs' own producer encoding (CommonJS internals, no exports map) stands in as the independent
// writer of the record batches our decoder reads.
const require = createRequire(import.meta.url);
type KafkaEncoder = { buffer: Buffer };
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch(options: object): Promise<KafkaEncoder> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (options: object) => KafkaEncoder;
const Long = require('kafkajs/src/utils/long.js') as { fromNumber(n: number): unknown };
/** kafkajs' compression codec ids (the batch attribute's low bits). */
export const { Types: Compression } = require('kafkajs/src/protocol/message/compression/index.js') as { Types: { None: number; GZIP: number } };

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
