import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { AbortedTransaction } from '../../src/kafka/fetch-wire.js';
import { CorruptRecordsError, nextOffsetAfter, UnsupportedRecordsError } from '../../src/kafka/record-batch-format.js';
import { decodeRecords, type RecordSet } from '../../src/kafka/record-batches.js';
import { int as intBelow, prng } from '../support/random.js';
import { Compression, encodeRecordBatch, registerTestCodecs, type BatchOptions, type TestRecord } from '../support/record-batches.js';

// kafkajs' crc32C, for the control batch built by hand below.
const require = createRequire(import.meta.url);
const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;

const T0 = 1_700_000_000_000;
// Positions in a v2 batch.
const ATTRIBUTES_LOW_BYTE = 22;
const MAGIC = 16;
const RECORD_COUNT = 57;

/** One record batch as kafkajs' producer writes it: timestamps T0 + baseOffset + 10 x offset delta. */
function batch(baseOffset: number, records: Array<Omit<TestRecord, 'timestamp'>>, options: BatchOptions = {}): Promise<Buffer> {
  const deltas = options.offsetDeltas ?? records.map((_, i) => i);
  return encodeRecordBatch(baseOffset, records.map((r, i) => ({ ...r, timestamp: T0 + baseOffset + 10 * deltas[i]! })), options);
}

/**
 * A control batch built by hand (kafkajs' producer never writes one): attributes transactional |
 * control, one record whose key is version int16 0, type int16 (0 abort, 1 commit) and whose value
 * is version int16 0, coordinator epoch int32.
 */
function controlBatch(offset: number, producerId: number, type: 0 | 1): Buffer {
  const key = Buffer.from([0, 0, 0, type]);
  const value = Buffer.from([0, 0, 0, 0, 0, 7]);
  // length, attributes 0, timestampDelta 0, offsetDelta 0, key length 4 (zigzag 8), key, value length 6 (zigzag 12), value, 0 headers.
  const body = Buffer.concat([Buffer.from([0, 0, 0, 8]), key, Buffer.from([12]), value, Buffer.from([0])]);
  const record = Buffer.concat([Buffer.from([body.length * 2]), body]);
  const afterCrc = Buffer.alloc(2 + 4 + 8 + 8 + 8 + 2 + 4 + 4);
  let at = afterCrc.writeInt16BE(0x10 | 0x20, 0);
  at = afterCrc.writeInt32BE(0, at); // lastOffsetDelta
  at = afterCrc.writeBigInt64BE(BigInt(T0 + offset), at);
  at = afterCrc.writeBigInt64BE(BigInt(T0 + offset), at);
  at = afterCrc.writeBigInt64BE(BigInt(producerId), at);
  at = afterCrc.writeInt16BE(0, at); // producerEpoch
  at = afterCrc.writeInt32BE(-1, at); // baseSequence
  afterCrc.writeInt32BE(1, at); // recordCount
  const crcd = Buffer.concat([afterCrc, record]);
  const head = Buffer.alloc(8 + 4 + 4 + 1 + 4);
  head.writeBigInt64BE(BigInt(offset), 0);
  head.writeInt32BE(4 + 1 + 4 + crcd.length, 8);
  head.writeInt32BE(0, 12); // partitionLeaderEpoch
  head.writeInt8(2, 16);
  head.writeUInt32BE(crc32C(crcd), 17);
  return Buffer.concat([head, crcd]);
}

/** Legacy message set (magic 1): offset, size, crc, magic, attributes, timestamp, key, value. */
function legacyMessage(offset: number, value: string): Buffer {
  const body = Buffer.alloc(4 + 1 + 1 + 8 + 4 + 4 + value.length);
  body.writeInt8(1, 4);
  body.writeBigInt64BE(BigInt(T0), 6);
  body.writeInt32BE(-1, 14);
  body.writeInt32BE(value.length, 18);
  body.write(value, 22);
  const head = Buffer.alloc(12);
  head.writeBigInt64BE(BigInt(offset), 0);
  head.writeInt32BE(body.length, 8);
  return Buffer.concat([head, body]);
}

interface Out {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
}

function read(set: RecordSet): Out[] {
  return Array.from({ length: set.count }, (_, i) => {
    const value = set.value(i);
    expect(set.valueLength(i)).toBe(value?.length ?? 0);
    return { offset: set.offsets[i]!, timestamp: set.timestamps[i]!, key: set.key(i)?.toString() ?? null, value: value?.toString() ?? null };
  });
}

const decode = (records: Uint8Array, from = 0, aborted: AbortedTransaction[] = []) => read(decodeRecords(records, from, aborted));
const values = (records: Uint8Array, from = 0, aborted: AbortedTransaction[] = []) => decode(records, from, aborted).map((r) => r.value);

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('nextOffsetAfter', () => {
  it('is undefined for no bytes, a cut header or only a partial batch', async () => {
    const one = await batch(5, [{ key: null, value: 'v' }]);
    expect(nextOffsetAfter(new Uint8Array(0))).toBeUndefined();
    expect(nextOffsetAfter(one.subarray(0, 11))).toBeUndefined();
    expect(nextOffsetAfter(one.subarray(0, one.length - 1))).toBeUndefined();
  });

  it('is the offset after the last complete batch, control batches included, a partial one ignored', async () => {
    const records = Buffer.concat([
      await batch(0, [{ key: null, value: 'a' }, { key: null, value: 'b' }]),
      await batch(2, [{ key: null, value: 'c' }], { transactional: true, producerId: 3 }),
      controlBatch(3, 3, 1),
    ]);
    expect(nextOffsetAfter(records)).toBe(4);
    const partial = (await batch(4, [{ key: null, value: 'd' }])).subarray(0, 30);
    expect(nextOffsetAfter(Buffer.concat([records, partial]))).toBe(4);
    expect(nextOffsetAfter(records.subarray(0, records.length - 1))).toBe(3);
  });

  it('uses the batch last offset delta, past records removed by compaction', async () => {
    const compacted = await batch(100, [{ key: 'k', value: 'a' }], { offsetDeltas: [2], lastOffsetDelta: 9 });
    expect(nextOffsetAfter(compacted)).toBe(110);
    expect(decode(compacted)).toEqual([{ offset: 102, timestamp: T0 + 100 + 20, key: 'k', value: 'a' }]);
  });

  it('walks headers only: a batch with corrupt records still counts', async () => {
    const corrupt = withExtraRecordBytes(await batch(8, [{ key: null, value: 'x'.repeat(40) }]), [0xff]);
    expect(nextOffsetAfter(corrupt)).toBe(9);
  });

  it('throws UnsupportedRecordsError for the legacy message format', () => {
    expect(() => nextOffsetAfter(legacyMessage(42, 'old'))).toThrow(UnsupportedRecordsError);
  });
});

/** A copy of `b` (one complete batch) with one more record made of `extra` bytes: batchLength and recordCount patched. */
function withExtraRecordBytes(b: Buffer, extra: number[]): Buffer {
  const out = Buffer.concat([b, Buffer.from(extra)]);
  out.writeInt32BE(out.readInt32BE(8) + extra.length, 8);
  out.writeInt32BE(out.readInt32BE(RECORD_COUNT) + 1, RECORD_COUNT);
  return out;
}

describe('decodeRecords', () => {
  it('reads several batches with null keys and values, empty parts and headers', async () => {
    const records = Buffer.concat([
      await batch(10, [
        { key: 'k10', value: '{"a":1}', headers: { trace: 'abc', 'x-é': 'ü' } },
        { key: null, value: 'é' },
        { key: 'k12', value: null, headers: { h: '' } },
      ]),
      await batch(13, [
        { key: '', value: '' },
        { key: null, value: null },
      ]),
    ]);
    expect(decode(records)).toEqual([
      { offset: 10, timestamp: T0 + 10, key: 'k10', value: '{"a":1}' },
      { offset: 11, timestamp: T0 + 20, key: null, value: 'é' },
      { offset: 12, timestamp: T0 + 30, key: 'k12', value: null },
      { offset: 13, timestamp: T0 + 13, key: '', value: '' },
      { offset: 14, timestamp: T0 + 23, key: null, value: null },
    ]);
    const set = decodeRecords(records, 0, []);
    expect([set.valueLength(1), set.valueLength(2), set.valueLength(3)]).toEqual([2, 0, 0]);
  });

  it('returns views into the record bytes, not copies, also for a plain Uint8Array', async () => {
    const buffer = await batch(0, [{ key: 'key', value: 'value' }]);
    const plain = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
    const set = decodeRecords(plain, 0, []);
    const value = set.value(0)!;
    expect(value.toString()).toBe('value');
    expect(value.buffer).toBe(buffer.buffer);
    expect(value.byteOffset - buffer.byteOffset).toBe(buffer.indexOf('value'));
    expect(set.key(0)!.buffer).toBe(buffer.buffer);
  });

  it('keeps only records at or after `from`, also in the middle of a batch', async () => {
    const records = Buffer.concat([await batch(0, ['a', 'b', 'c'].map((value) => ({ key: null, value }))), await batch(3, ['d', 'e'].map((value) => ({ key: null, value })))]);
    expect(values(records, 1)).toEqual(['b', 'c', 'd', 'e']);
    expect(values(records, 3)).toEqual(['d', 'e']);
    expect(values(records, 4)).toEqual(['e']);
    expect(values(records, 5)).toEqual([]);
  });

  it('ignores a partial batch at the end', async () => {
    const whole = await batch(0, [{ key: null, value: 'a' }]);
    const next = await batch(1, [{ key: null, value: 'b' }]);
    for (const cut of [1, 11, 12, 30, next.length - 1]) {
      expect(values(Buffer.concat([whole, next.subarray(0, cut)]))).toEqual(['a']);
    }
    expect(values(next.subarray(0, next.length - 1))).toEqual([]);
    expect(values(new Uint8Array(0))).toEqual([]);
  });

  it('inflates gzip batches, alone, after and before uncompressed ones', async () => {
    const plain1 = await batch(0, [{ key: 'p', value: 'plain-0' }]);
    const zipped = await batch(1, [{ key: 'z', value: 'zipped-1' }, { key: null, value: 'zipped-2' }, { key: 'z', value: null }], { compression: Compression.GZIP });
    const plain2 = await batch(4, [{ key: null, value: 'plain-4' }]);
    const zipped2 = await batch(5, [{ key: null, value: 'zipped-5'.repeat(100) }], { compression: Compression.GZIP });
    expect(zipped.readInt16BE(21) & 7).toBe(1);
    expect(decode(zipped)).toEqual([
      { offset: 1, timestamp: T0 + 1, key: 'z', value: 'zipped-1' },
      { offset: 2, timestamp: T0 + 11, key: null, value: 'zipped-2' },
      { offset: 3, timestamp: T0 + 21, key: 'z', value: null },
    ]);
    const all = Buffer.concat([plain1, zipped, plain2, zipped2]);
    expect(values(all)).toEqual(['plain-0', 'zipped-1', 'zipped-2', null, 'plain-4', 'zipped-5'.repeat(100)]);
    expect(decode(all).map((r) => r.key)).toEqual(['p', 'z', null, 'z', null, null]);
    expect(values(all, 2)).toEqual(['zipped-2', null, 'plain-4', 'zipped-5'.repeat(100)]);
    expect(values(Buffer.concat([zipped, plain2]))).toEqual(['zipped-1', 'zipped-2', null, 'plain-4']);
    expect(nextOffsetAfter(all)).toBe(6);
  });

  it('gives every record the batch max timestamp in a LogAppendTime batch', async () => {
    const records = await batch(0, ['a', 'b', 'c'].map((value) => ({ key: null, value })));
    expect(decode(records).map((r) => r.timestamp)).toEqual([T0, T0 + 10, T0 + 20]);
    // kafkajs' producer cannot write LogAppendTime (the broker sets it), so the attributes' bit 3 is
    // set here by hand. That makes the CRC wrong, which is fine: decodeRecords does not check CRCs.
    records[ATTRIBUTES_LOW_BYTE] |= 0x08;
    expect(decode(records).map((r) => r.timestamp)).toEqual([T0 + 20, T0 + 20, T0 + 20]);
  });

  it('drops control batches', async () => {
    const records = Buffer.concat([
      await batch(0, [{ key: null, value: 'a' }], { transactional: true, producerId: 1 }),
      controlBatch(1, 1, 1),
      await batch(2, [{ key: null, value: 'b' }]),
      controlBatch(3, 1, 0),
    ]);
    expect(decode(records).map((r) => [r.offset, r.value])).toEqual([
      [0, 'a'],
      [2, 'b'],
    ]);
    expect(nextOffsetAfter(records)).toBe(4);
  });

  it("drops an aborted transaction's batches, as Kafka's Java consumer does", async () => {
    // Producer 7's transaction from offset 0 is aborted (its ABORT marker at 4); producer 8's commits.
    const records = Buffer.concat([
      await batch(0, [{ key: null, value: 'p7-aborted-0' }, { key: null, value: 'p7-aborted-1' }], { transactional: true, producerId: 7 }),
      await batch(2, [{ key: null, value: 'p8-2' }], { transactional: true, producerId: 8 }),
      await batch(3, [{ key: null, value: 'p7-aborted-3' }], { transactional: true, producerId: 7 }),
      controlBatch(4, 7, 0),
      controlBatch(5, 8, 1),
      await batch(6, [{ key: null, value: 'p7-next-6' }], { transactional: true, producerId: 7 }),
      await batch(7, [{ key: null, value: 'plain-7' }]),
      controlBatch(8, 7, 1),
    ]);
    const aborted: AbortedTransaction[] = [{ producerId: 7n, firstOffset: 0 }];
    expect(decode(records, 0, aborted).map((r) => [r.offset, r.value])).toEqual([
      [2, 'p8-2'],
      [6, 'p7-next-6'],
      [7, 'plain-7'],
    ]);
    // read_uncommitted (no aborted list): every data record.
    expect(values(records)).toEqual(['p7-aborted-0', 'p7-aborted-1', 'p8-2', 'p7-aborted-3', 'p7-next-6', 'plain-7']);
    // Starting after the first aborted batch still tracks producer 7 through its marker.
    expect(values(records, 3, aborted)).toEqual(['p7-next-6', 'plain-7']);
    expect(values(records, 6, aborted)).toEqual(['p7-next-6', 'plain-7']);
  });

  it('starts an aborted range at its first offset, not before, and keeps non-transactional batches of the producer', async () => {
    const records = Buffer.concat([
      await batch(0, [{ key: null, value: 'p7-committed-0' }], { transactional: true, producerId: 7 }),
      controlBatch(1, 7, 1),
      await batch(2, [{ key: null, value: 'p7-idempotent-2' }], { producerId: 7 }),
      await batch(3, [{ key: null, value: 'p7-aborted-3' }], { transactional: true, producerId: 7 }),
      controlBatch(4, 7, 0),
    ]);
    expect(values(records, 0, [{ producerId: 7n, firstOffset: 3 }])).toEqual(['p7-committed-0', 'p7-idempotent-2']);
    // Aborted transactions in any order, and ones of producers not in the set.
    expect(values(records, 0, [{ producerId: 99n, firstOffset: 1 }, { producerId: 7n, firstOffset: 3 }].reverse())).toEqual(['p7-committed-0', 'p7-idempotent-2']);
  });

  it('inflates snappy (framed as Java writes it), lz4 and zstd batches, each among others', async () => {
    registerTestCodecs();
    const big = 'x'.repeat(70_000) + 'end'; // more than one snappy block of 32 KiB
    for (const compression of [Compression.Snappy, Compression.LZ4, Compression.ZSTD]) {
      const records = Buffer.concat([
        await batch(0, [{ key: null, value: 'plain-0' }]),
        await batch(1, [{ key: 'k', value: 'packed-1' }, { key: null, value: big }, { key: 'k', value: null }], { compression }),
        await batch(4, [{ key: null, value: 'plain-4' }]),
      ]);
      expect(nextOffsetAfter(records)).toBe(5);
      expect(decode(records).map((r) => [r.offset, r.key, r.value])).toEqual([
        [0, null, 'plain-0'],
        [1, 'k', 'packed-1'],
        [2, null, big],
        [3, 'k', null],
        [4, null, 'plain-4'],
      ]);
    }
  });

  it('throws UnsupportedRecordsError for a codec id Kafka does not define, already when walking headers', async () => {
    const records = await batch(42, [{ key: null, value: 'v' }]);
    for (const codec of [5, 6, 7]) {
      const patched = Buffer.from(records);
      patched[ATTRIBUTES_LOW_BYTE] = (patched[ATTRIBUTES_LOW_BYTE]! & ~7) | codec; // CRC not checked
      const error = thrown(() => decodeRecords(patched, 0, []));
      expect(error).toBeInstanceOf(UnsupportedRecordsError);
      expect(error.message).toBe(`record batch at offset 42 uses compression codec ${codec}, which Kafka does not define (none, gzip, snappy, lz4, zstd)`);
      // The reader learns it on the main thread, before handing the batch to a processing thread.
      expect(thrown(() => nextOffsetAfter(patched))).toEqual(error);
    }
  });

  it('throws UnsupportedRecordsError for the legacy message format (magic 0 and 1)', async () => {
    const error = thrown(() => decodeRecords(legacyMessage(42, 'old'), 0, []));
    expect(error).toBeInstanceOf(UnsupportedRecordsError);
    expect(error.message).toBe('messages at offset 42 use the legacy message format (magic 1)');
    const magic0 = await batch(5, [{ key: null, value: 'v' }]);
    magic0[MAGIC] = 0;
    expect(thrown(() => decodeRecords(magic0, 0, [])).message).toBe('messages at offset 5 use the legacy message format (magic 0)');
  });

  it('throws CorruptRecordsError with the batch offset for a varint running past a complete batch', async () => {
    const base = await batch(30, [{ key: null, value: 'x'.repeat(40) }]);
    // A second record whose length varint has its continuation bit set on the batch's last byte.
    const cut = withExtraRecordBytes(base, [0xff]);
    const error = thrown(() => decodeRecords(cut, 0, []));
    expect(error).toBeInstanceOf(CorruptRecordsError);
    expect((error as CorruptRecordsError).offset).toBe(30);
    expect(error.message).toMatch(/^record batch at offset 30 is corrupt: a varint runs past the end/);
    // A record 2 bytes long: its attributes, then a timestamp varlong cut after one byte.
    const inner = thrown(() => decodeRecords(withExtraRecordBytes(base, [4, 0, 0x80]), 0, []));
    expect(inner).toBeInstanceOf(CorruptRecordsError);
    expect(inner.message).toMatch(/a varlong runs past the end/);
    // A record claiming more bytes than the batch has left.
    expect(() => decodeRecords(withExtraRecordBytes(base, [40, 0, 0]), 0, [])).toThrow(/record 1 claims 20 bytes where 2 are left/);
    // More records declared than bytes could hold.
    const many = Buffer.from(base);
    many.writeInt32BE(1000, RECORD_COUNT);
    expect(() => decodeRecords(many, 0, [])).toThrow(CorruptRecordsError);
    // Garbage that does not inflate.
    const zipped = await batch(9, [{ key: null, value: 'zipped' }], { compression: Compression.GZIP });
    zipped.fill(0x55, 61 + 4);
    expect(() => decodeRecords(zipped, 0, [])).toThrow(/record batch at offset 9 is corrupt: its gzip data does not inflate/);
  });

  it('round-trips 2,000 random records over random batch sizes, codecs and starting offsets', async () => {
    const random = prng(20_240_611);
    const int = (n: number) => intBelow(random, n);
    const part = (): Buffer | null => (random() < 0.15 ? null : Buffer.from(Array.from({ length: int(random() < 0.1 ? 2000 : 60) }, () => int(256))));
    const sent: Array<{ offset: number; timestamp: number; key: Buffer | null; value: Buffer | null }> = [];
    const batches: Buffer[] = [];
    let offset = 1_000_000;
    while (sent.length < 2000) {
      const size = 1 + int(80);
      const inBatch = Array.from({ length: size }, () => ({ key: part(), value: part(), headers: random() < 0.3 ? { h: 'v'.repeat(int(20)) } : undefined }));
      batches.push(await batch(offset, inBatch, { compression: random() < 0.3 ? Compression.GZIP : Compression.None }));
      inBatch.forEach((r, i) => sent.push({ offset: offset + i, timestamp: T0 + offset + 10 * i, key: r.key, value: r.value }));
      offset += size;
    }
    const records = Buffer.concat([...batches, batches[0]!.subarray(0, 50)]);
    expect(nextOffsetAfter(records)).toBe(offset);
    for (const from of [0, 1_000_000 + int(2000), offset - 1, offset]) {
      const set = decodeRecords(records, from, []);
      const expected = sent.filter((r) => r.offset >= from);
      expect(set.count).toBe(expected.length);
      for (let i = 0; i < set.count; i++) {
        const want = expected[i]!;
        expect(set.offsets[i]).toBe(want.offset);
        expect(set.timestamps[i]).toBe(want.timestamp);
        expect(set.key(i)).toEqual(want.key);
        expect(set.value(i)).toEqual(want.value);
        expect(set.valueLength(i)).toBe(want.value?.length ?? 0);
      }
    }
  });
});
