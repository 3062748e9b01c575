import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../../src/dsl/job-spec.js';
import { ColumnBatch } from '../../src/runtime/batch/column-batch.js';
import { duckdbType } from '../../src/sql-text.js';
import { deltaFields, deltaType, deltaTypeText, evolveSchema, parseSchemaString, schemaString } from '../../src/table/delta/schema.js';
import { SchemaChangeError } from '../../src/table/schema-change.js';
import { DecimalBound, fileStats, statsJson } from '../../src/table/delta/stats.js';

const PRICE: ColumnType = { kind: 'decimal', precision: 10, scale: 2 };
const ITEM: ColumnType = { kind: 'struct', fields: [{ name: 'name', type: 'string' }, { name: 'price', type: PRICE }] };
const COLUMNS: { name: string; type: ColumnType }[] = [
  { name: 'amount', type: PRICE },
  { name: 'item', type: ITEM },
  { name: 'items', type: { kind: 'list', element: ITEM } },
  { name: 'counts', type: { kind: 'map', value: 'long' } },
];

describe('Delta schema: decimal, struct, array and map types', () => {
  it('writes the protocol serialization of each, every inner value nullable', () => {
    expect(deltaType(PRICE)).toBe('decimal(10,2)');
    expect(deltaType({ kind: 'map', value: { kind: 'list', element: 'int' } })).toEqual({
      type: 'map', keyType: 'string', valueType: { type: 'array', elementType: 'integer', containsNull: true }, valueContainsNull: true,
    });
    expect(deltaType(ITEM)).toEqual({
      type: 'struct',
      fields: [
        { name: 'name', type: 'string', nullable: true, metadata: {} },
        { name: 'price', type: 'decimal(10,2)', nullable: true, metadata: {} },
      ],
    });
  });

  it('reads back what it writes, and a table of the same types needs no schema change', () => {
    const fields = deltaFields({ columns: COLUMNS, partitionBy: [] });
    const read = parseSchemaString(schemaString(fields));
    expect(read).toEqual(fields);
    expect(evolveSchema(read, deltaFields({ columns: COLUMNS, partitionBy: [] }), 't')).toBeUndefined();
    expect(read.map((f) => deltaTypeText(f.type))).toEqual([
      'decimal(10,2)',
      'struct<name:string,price:decimal(10,2)>',
      'array<struct<name:string,price:decimal(10,2)>>',
      'map<string,long>',
    ]);
  });

  it('refuses a changed decimal or nested type, naming both types', () => {
    const current = deltaFields({ columns: COLUMNS, partitionBy: [] });
    // Every other column as it is: a job that drops one is refused for that first.
    const replaced = (name: string, type: ColumnType) => deltaFields({ columns: COLUMNS.map((c) => (c.name === name ? { name, type } : c)), partitionBy: [] });
    const wanted = replaced('item', { kind: 'struct', fields: [{ name: 'name', type: 'string' }, { name: 'price', type: 'double' }] });
    expect(() => evolveSchema(current, wanted, 't')).toThrow(SchemaChangeError);
    expect(() => evolveSchema(current, wanted, 't')).toThrow("table t: column 'item.price' is decimal(10,2) in the table but double in the job");
    const wider = replaced('amount', { kind: 'decimal', precision: 12, scale: 2 });
    expect(() => evolveSchema(current, wider, 't')).toThrow("table t: column 'amount' is decimal(10,2) in the table but decimal(12,2) in the job");
  });

  it('adds a field to a struct at any depth after the table\'s own, keeping their attributes', () => {
    const current = deltaFields({ columns: COLUMNS, partitionBy: [] });
    const withColor: ColumnType = { kind: 'struct', fields: [{ name: 'color', type: 'string' }, ...(ITEM as { fields: { name: string; type: ColumnType }[] }).fields] };
    const wanted = deltaFields({
      columns: COLUMNS.map((c) => (c.name === 'items' ? { name: 'items', type: { kind: 'list', element: withColor } } : c)),
      partitionBy: [],
    });
    const evolved = evolveSchema(current, wanted, 't')!;
    expect(evolved.map((f) => deltaTypeText(f.type))).toEqual([
      'decimal(10,2)',
      'struct<name:string,price:decimal(10,2)>',
      'array<struct<name:string,price:decimal(10,2),color:string>>',
      'map<string,long>',
    ]);
    expect(evolved[2]!.type).toMatchObject({ type: 'array', containsNull: true, elementType: { type: 'struct', fields: [{}, {}, { name: 'color', nullable: true, metadata: {} }] } });
    expect(evolveSchema(evolved, wanted, 't')).toBeUndefined();
  });

  it('keeps null counts and bounds for decimals, neither for nested columns', () => {
    const batch = new ColumnBatch(COLUMNS);
    batch.append([1230n, ['a', 5n], [], [['k', 1n]]]);
    batch.append([null, null, null, null]);
    const stats = fileStats(batch.toArrowTable(), COLUMNS);
    expect(stats).toMatchObject({ numRecords: 2, nullCount: { amount: 1 } });
    expect(Object.keys(stats.minValues)).toEqual(['amount']);
  });
});

describe('Delta file statistics of decimal columns', () => {
  const WIDE: ColumnType = { kind: 'decimal', precision: 38, scale: 18 };
  const WHOLE: ColumnType = { kind: 'decimal', precision: 5, scale: 0 };
  const columns = [
    { name: 'price', type: PRICE },
    { name: 'wide', type: WIDE },
    { name: 'whole', type: WHOLE },
    { name: 'n', type: 'long' as const },
  ];
  // 12345678901234567890.123456789012345678 and its negative: 38 digits, beyond what a double keeps.
  const BIG = 12345678901234567890123456789012345678n;

  function decimalStats() {
    const batch = new ColumnBatch(columns);
    batch.append([1230n, BIG, 7n, 1n]);
    batch.append([-5n, -BIG, null, 2n]);
    batch.append([null, 1n, -99999n, null]);
    return fileStats(batch.toArrowTable(), columns);
  }

  it('bounds a decimal column by its exact decimal text, negative and past 2^64 included', () => {
    const stats = decimalStats();
    const text = (bounds: Record<string, unknown>) => Object.fromEntries(Object.entries(bounds).map(([k, v]) => [k, v instanceof DecimalBound ? v.text : v]));
    expect(text(stats.minValues)).toEqual({ price: '-0.05', wide: '-12345678901234567890.123456789012345678', whole: '-99999', n: 1 });
    expect(text(stats.maxValues)).toEqual({ price: '12.30', wide: '12345678901234567890.123456789012345678', whole: '7', n: 2 });
    expect(stats.nullCount).toEqual({ price: 1, wide: 0, whole: 1, n: 1 });
  });

  it('writes decimal bounds as JSON numbers digit for digit, the rest as JSON.stringify does', () => {
    const json = statsJson(decimalStats());
    expect(json).toBe(
      '{"numRecords":3,' +
        '"minValues":{"price":-0.05,"wide":-12345678901234567890.123456789012345678,"whole":-99999,"n":1},' +
        '"maxValues":{"price":12.30,"wide":12345678901234567890.123456789012345678,"whole":7,"n":2},' +
        '"nullCount":{"price":1,"wide":0,"whole":1,"n":1}}',
    );
    expect(JSON.parse(json)).toMatchObject({ minValues: { price: -0.05, whole: -99999 }, maxValues: { price: 12.3 } });

    const plain = { numRecords: 2, minValues: { n: -2, ts: '2026-11-20T01:00:00.000Z', 'we"ird': 1.5 }, maxValues: { n: 5, ts: '2026-11-21T00:00:00.000Z', 'we"ird': 2 }, nullCount: { n: 0 } };
    expect(statsJson(plain)).toBe(JSON.stringify(plain));
  });
});

describe('duckdbType: the DuckDB type of a column with no files yet', () => {
  it('names decimal, struct, list and map types as DuckDB does', () => {
    expect(COLUMNS.map((c) => duckdbType(c.type))).toEqual([
      'DECIMAL(10,2)',
      'STRUCT("name" VARCHAR, "price" DECIMAL(10,2))',
      'STRUCT("name" VARCHAR, "price" DECIMAL(10,2))[]',
      'MAP(VARCHAR, BIGINT)',
    ]);
  });
});
