import { describe, expect, it } from 'vitest';
import type { OutputValue } from '../../../src/dsl/job-spec.js';
import { ColumnBatch, type BatchColumn } from '../../../src/runtime/batch/column-batch.js';

const COLUMNS: BatchColumn[] = [
  { name: 'name', type: 'string' },
  { name: 'level', type: 'int' },
  { name: 'id', type: 'long' },
  { name: 'ts', type: 'timestamp' },
  { name: 'ok', type: 'boolean' },
];

/** The table's rows as arrays of plain values, in column order. */
function tableRows(batch: ColumnBatch): unknown[][] {
  return [...batch.toArrowTable()].map((row) => COLUMNS.map((c) => row[c.name]));
}

describe('ColumnBatch', () => {
  it('maps each column type to its Arrow type', () => {
    const types = ['string', 'int', 'long', 'double', 'boolean', 'timestamp', 'date', 'json'] as const;
    const batch = new ColumnBatch(types.map((type) => ({ name: type, type })));
    expect(batch.toArrowTable().schema.fields.map((f) => String(f.type))).toEqual([
      'Utf8',
      'Int32',
      'Int64',
      'Float64',
      'Bool',
      'Timestamp<MILLISECOND, UTC>',
      'Date32<DAY>',
      'Utf8',
    ]);
  });

  it('copies values, so the caller may reuse its row array', () => {
    const batch = new ColumnBatch(COLUMNS);
    const row: OutputValue[] = ['ann', 1, 1n, 1000, true];
    batch.append(row);
    row.splice(0, 5, 'bob', 2, 2n, 2000, false);
    batch.append(row);
    row.fill(null);
    expect(tableRows(batch)).toEqual([
      ['ann', 1, 1n, 1000, true],
      ['bob', 2, 2n, 2000, false],
    ]);
  });

  it('keeps thousands of rows with nulls across buffer growth', () => {
    const batch = new ColumnBatch(COLUMNS);
    const expected: unknown[][] = [];
    for (let i = 0; i < 5000; i++) {
      const row: OutputValue[] =
        i % 7 === 0 ? [null, null, null, null, null] : [`p${i}-é`, i, BigInt(i) << 40n, -i * 1000, i % 2 === 0];
      batch.append(row);
      expected.push(row);
    }
    expect(batch.rowCount).toBe(5000);
    expect(tableRows(batch)).toEqual(expected);
  });

  it('grows every column type through long runs of nulls (a missing field on thousands of events)', () => {
    const types = ['string', 'int', 'long', 'double', 'boolean', 'timestamp', 'date', 'json'] as const;
    const columns = types.map((type) => ({ name: type, type }));
    const value: OutputValue[] = ['s', 7, 7n, 0.5, true, 1000, 3, '{}'];
    const batch = new ColumnBatch(columns);
    const expected: (OutputValue[] | null)[] = [];
    for (let i = 0; i < 6000; i++) {
      // Nulls from row 1000 to 4999 cross the initial capacity with no value appended.
      const isNull = i >= 1000 && i < 5000;
      batch.append(isNull ? value.map(() => null) : value);
      expected.push(isNull ? null : value);
    }
    const rows = [...batch.toArrowTable()];
    expect(rows).toHaveLength(6000);
    rows.forEach((row, i) => {
      const got = types.map((t) => row[t] ?? null);
      if (expected[i] === null) expect(got).toEqual(types.map(() => null));
      else expect(got.map((v) => (v instanceof Date ? v.getTime() : v))).not.toContain(null);
    });
  });

  it('rejects a value of the wrong type with the column, and keeps the batch as it was', () => {
    const batch = new ColumnBatch(COLUMNS);
    batch.append(['ann', 1, 1n, 1000, true]);
    expect(() => batch.append(['bob', 2, 5, 2000, false])).toThrow('column "id" (long): expected a bigint, got number 5');
    expect(() => batch.append(['bob', 2.5, 2n, 2000, false])).toThrow('column "level" (int): expected a 32-bit integer');
    expect(() => batch.append(['bob', 2, 2n ** 64n, 2000, false])).toThrow('column "id" (long): expected a 64-bit integer');
    expect(() => batch.append(['bob', 2])).toThrow('row has 2 values, the batch has 5 columns');
    batch.append([null, 3, 3n, 3000, null]);
    expect(batch.rowCount).toBe(2);
    expect(tableRows(batch)).toEqual([
      ['ann', 1, 1n, 1000, true],
      [null, 3, 3n, 3000, null],
    ]);
  });

  it('starts empty again after reset()', () => {
    const batch = new ColumnBatch(COLUMNS);
    batch.append(['ann', 1, 1n, 1000, true]);
    batch.append([null, null, null, null, null]);
    batch.reset();
    expect(batch.rowCount).toBe(0);
    expect(batch.toArrowTable().numRows).toBe(0);
    batch.append([null, null, null, null, null]);
    batch.append(['bob', 2, 2n, 2000, false]);
    expect(tableRows(batch)).toEqual([
      [null, null, null, null, null],
      ['bob', 2, 2n, 2000, false],
    ]);
  });

  it('writes every string as UTF-8 whatever its length and characters', () => {
    const texts = [
      '',
      'purchase_horse',
      'a'.repeat(47),
      'b'.repeat(48),
      'c'.repeat(49),
      'épée',
      `${'x'.repeat(40)}é`, // ASCII first, then a character the short path hands over
      `${'y'.repeat(47)}€`,
      '😀 dragon',
      'lone \ud800 surrogate',
      '\u007f\u0080',
      'z'.repeat(500),
    ];
    const batch = new ColumnBatch([{ name: 's', type: 'string' }]);
    for (const text of texts) batch.append([text]);
    const column = batch.toArrowTable().getChild('s')!;
    expect(column.toArray()).toEqual(texts.map((t) => Buffer.from(t).toString()));
    const data = column.data[0]!;
    expect(Buffer.from(data.values.subarray(0, data.valueOffsets[texts.length]))).toEqual(Buffer.from(texts.join('')));
  });

  it('copies UTF-8 bytes into a string column as they are, and refuses them elsewhere', () => {
    const batch = new ColumnBatch([
      { name: 's', type: 'string' },
      { name: 'n', type: 'int' },
    ]);
    batch.append([Buffer.from('épée'), 1]);
    batch.append(['text', 2]);
    expect(batch.toArrowTable().getChild('s')!.toArray()).toEqual(['épée', 'text']);
    expect(() => batch.append(['x', new Uint8Array([49])])).toThrow('column "n" (int): expected a 32-bit integer, got 1 bytes of UTF-8');
    expect(batch.rowCount).toBe(2);
  });

  it('refuses two columns with one name', () => {
    expect(() => new ColumnBatch([COLUMNS[0]!, COLUMNS[0]!])).toThrow('column "name" appears twice');
  });
});
