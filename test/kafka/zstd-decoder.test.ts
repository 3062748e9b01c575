import { describe, expect, it } from 'vitest';
import { CorruptRecordsError } from '../../src/kafka/record-batch-format.js';
import { decodeRecords } from '../../src/kafka/record-batches.js';
import { announcedWindow, MAX_WINDOW_BYTES, zstdDecompress } from '../../src/kafka/zstd-decoder.js';
import { prng } from '../support/random.js';
import { Compression, encodeRecordBatch, registerTestCodecs } from '../support/record-batches.js';

/** The zstd payload of a record batch: after the 61 bytes of batch header. */
const PAYLOAD_AT = 61;

/**
 * A zstd frame as Kafka's Java producer frames it (RFC 8878): no content size, not a single
 * segment, a window descriptor (exponent and mantissa), then raw blocks of at most 128 KiB.
 */
function streamingFrame(bytes: Uint8Array, windowDescriptor: number): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, windowDescriptor])];
  let at = 0;
  do {
    const size = Math.min(128 * 1024, bytes.length - at);
    const blockHeader = Buffer.alloc(3);
    blockHeader.writeUIntLE((size << 3) | (at + size >= bytes.length ? 1 : 0), 0, 3);
    parts.push(blockHeader, Buffer.from(bytes.subarray(at, at + size)));
    at += size;
  } while (at < bytes.length);
  return Buffer.concat(parts);
}

function randomBytes(length: number, seed: number): Uint8Array {
  const random = prng(seed);
  return Uint8Array.from({ length }, () => Math.floor(random() * 256));
}

describe('announcedWindow', () => {
  it("reads the window descriptor of a streaming frame and the content size of a single segment", () => {
    // Exponent 17 (2^27, level 22 of the Java producer), 10 (2^20), and 2^20 + 3/8 of it.
    expect(announcedWindow(streamingFrame(new Uint8Array(1), 17 << 3))).toBe(2 ** 27);
    expect(announcedWindow(streamingFrame(new Uint8Array(1), 10 << 3))).toBe(2 ** 20);
    expect(announcedWindow(streamingFrame(new Uint8Array(1), (10 << 3) | 3))).toBe(2 ** 20 + 3 * 2 ** 17);
    // Single segment with a 1-, 2- (+256) and 4-byte content size.
    expect(announcedWindow(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, 200]))).toBe(200);
    expect(announcedWindow(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x60, 0x00, 0x01]))).toBe(512);
    expect(announcedWindow(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0, 0, 0, 0x10]))).toBe(2 ** 28);
    expect(announcedWindow(Buffer.from('not zstd'))).toBeUndefined();
  });
});

describe('zstdDecompress', () => {
  it('inflates frames without a content size, growing its output buffer and reusing it', () => {
    const large = randomBytes(700_000, 1);
    const small = randomBytes(300, 2);
    expect(Buffer.from(zstdDecompress(streamingFrame(large, 17 << 3))).equals(Buffer.from(large))).toBe(true);
    expect(Buffer.from(zstdDecompress(streamingFrame(small, 17 << 3))).equals(Buffer.from(small))).toBe(true);
    // Two frames in one payload inflate to both.
    const both = Buffer.concat([streamingFrame(small, 10 << 3), streamingFrame(large, 10 << 3)]);
    expect(Buffer.from(zstdDecompress(both)).equals(Buffer.concat([small, large]))).toBe(true);
  });

  it('refuses a frame that announces a window over what Kafka accepts, without allocating it', () => {
    expect(() => zstdDecompress(streamingFrame(new Uint8Array(10), 18 << 3))).toThrow(
      'its frame announces a 256 MiB window, more than the 128 MiB Kafka\'s consumers accept',
    );
    expect(() => zstdDecompress(streamingFrame(new Uint8Array(10), 17 << 3))).not.toThrow();
    expect(MAX_WINDOW_BYTES).toBe(2 ** 27);
  });

  it('says why data does not inflate', () => {
    expect(() => zstdDecompress(Buffer.from('no zstd frame at all'))).toThrow('not a zstd frame');
    const cut = streamingFrame(randomBytes(1000, 3), 10 << 3).subarray(0, 500);
    expect(() => zstdDecompress(cut)).toThrow(/truncated|corrupt/);
  });

  it('makes a batch announcing a too large window a CorruptRecordsError naming the batch', async () => {
    registerTestCodecs();
    const batch = await encodeRecordBatch(77, [{ value: 'v' }], { compression: Compression.ZSTD });
    // The test codec writes a single segment with a 4-byte content size: claim 256 MiB (CRC not checked).
    batch.writeUInt32LE(2 ** 28, PAYLOAD_AT + 5);
    let error: unknown;
    try {
      decodeRecords(batch, 0, []);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CorruptRecordsError);
    expect((error as Error).message).toBe(
      "record batch at offset 77 is corrupt: its zstd data does not inflate (its frame announces a 256 MiB window, more than the 128 MiB Kafka's consumers accept)",
    );
  });
});
