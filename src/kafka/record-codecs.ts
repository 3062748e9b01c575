import { gunzipSync } from 'node:zlib';
import { decompress as lz4Decompress } from 'lz4js';
import { uncompress as snappyUncompress } from 'snappyjs';
import { Codec } from './record-batch-format.js';
import { zstdDecompress } from './zstd-decoder.js';

// How each compression codec of Kafka record batches is inflated, on the processing threads.
// Nothing native has to build on install (and nothing downloads anything): node:zlib for gzip,
// snappyjs, lz4js (LZ4 frames, as Kafka writes them), and libzstd compiled to WebAssembly
// (zstd-decoder.ts).

// snappy-java's stream framing, which Kafka's Java producer writes: a 16-byte header (magic,
// version, compatible version), then blocks of int32 length + raw snappy. librdkafka writes the
// same framing; a payload without the magic is one raw snappy block.
const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
const XERIAL_HEADER_BYTES = 16;

function isXerial(payload: Uint8Array): boolean {
  return payload.length >= XERIAL_HEADER_BYTES && XERIAL_MAGIC.every((byte, i) => payload[i] === byte);
}

function snappy(payload: Uint8Array): Uint8Array {
  if (!isXerial(payload)) return snappyUncompress(payload);
  const blocks: Uint8Array[] = [];
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  for (let at = XERIAL_HEADER_BYTES; at < payload.length; ) {
    if (at + 4 > payload.length) throw new RangeError('a snappy block length runs past the end');
    const length = view.getInt32(at);
    at += 4;
    if (length < 0 || at + length > payload.length) throw new RangeError(`a snappy block of ${length} bytes runs past the end`);
    blocks.push(snappyUncompress(payload.subarray(at, at + length)));
    at += length;
  }
  return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
}

/** The records of a batch whose payload is compressed with `codec` (1-4); throws when it does not inflate. */
export function inflate(codec: number, payload: Uint8Array): Uint8Array {
  if (codec === Codec.GZIP) return gunzipSync(payload);
  if (codec === Codec.SNAPPY) return snappy(payload);
  if (codec === Codec.LZ4) return lz4Decompress(payload);
  return zstdDecompress(payload);
}
