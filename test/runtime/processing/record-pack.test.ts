import { describe, expect, it } from 'vitest';
import { packRecords, UnpackedRecords, type FetchedRecord } from '../../../src/runtime/processing/record-pack.js';

function record(offset: number, key: string | null, value: string | null): FetchedRecord {
  return { offset: String(offset), timestamp: String(1_700_000_000_000 + offset), key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value) };
}

function unpack(records: FetchedRecord[], from: number) {
  const out = new UnpackedRecords(packRecords(records, from).buffer);
  return Array.from({ length: out.count }, (_, i) => ({
    offset: out.offsets[i],
    timestamp: out.timestamps[i],
    key: out.key(i)?.toString() ?? null,
    value: out.value(i)?.toString() ?? null,
    valueLength: out.valueLength(i),
  }));
}

describe('packRecords', () => {
  it('round-trips offsets, timestamps, keys, values and nulls of separately allocated buffers', () => {
    const records = [record(7, 'k7', '{"a":1}'), record(8, null, 'é'), record(9, 'k9', null), record(10, '', '')];
    expect(unpack(records, 0)).toEqual([
      { offset: 7, timestamp: 1_700_000_000_007, key: 'k7', value: '{"a":1}', valueLength: 7 },
      { offset: 8, timestamp: 1_700_000_000_008, key: null, value: 'é', valueLength: 2 },
      { offset: 9, timestamp: 1_700_000_000_009, key: 'k9', value: null, valueLength: 0 },
      { offset: 10, timestamp: 1_700_000_000_010, key: '', value: '', valueLength: 0 },
    ]);
  });

  it('packs only the records at or after `from`', () => {
    const records = [record(1, 'a', 'x'), record(2, 'b', 'y'), record(3, 'c', 'z')];
    expect(unpack(records, 2).map((r) => [r.offset, r.value])).toEqual([
      [2, 'y'],
      [3, 'z'],
    ]);
    expect(unpack(records, 4)).toEqual([]);
  });

  it('copies parts sliced from one response in one piece and still finds each', () => {
    // As kafkajs hands them: keys and values are views into one response buffer, headers between.
    const response = Buffer.from('HDR|key-1|{"v":1}|HDR|key-2|{"v":22}|');
    const at = (text: string) => response.subarray(response.indexOf(text), response.indexOf(text) + text.length);
    const records: FetchedRecord[] = [
      { offset: '5', timestamp: '1', key: at('key-1'), value: at('{"v":1}') },
      { offset: '6', timestamp: '2', key: at('key-2'), value: at('{"v":22}') },
    ];
    const packed = packRecords(records, 0);
    // Header (8) + 2 records x 32 bytes + the span from the first key to the last value.
    expect(packed.buffer.byteLength).toBe(8 + 2 * 32 + response.indexOf('{"v":22}') + 8 - response.indexOf('key-1'));
    expect(unpack(records, 0).map((r) => [r.key, r.value])).toEqual([
      ['key-1', '{"v":1}'],
      ['key-2', '{"v":22}'],
    ]);
  });

  it('writes into a larger reused buffer and reads back only what it packed', () => {
    const reused = new ArrayBuffer(4096);
    new Uint8Array(reused).fill(0xff);
    const packed = packRecords([record(1, 'k', 'v')], 0, () => reused);
    expect(packed.buffer).toBe(reused);
    const out = new UnpackedRecords(reused);
    expect([out.count, out.key(0)?.toString(), out.value(0)?.toString()]).toEqual([1, 'k', 'v']);
  });
});
