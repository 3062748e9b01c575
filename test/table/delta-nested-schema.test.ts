import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../../src/dsl/job-spec.js';
import { ColumnBatch } from '../../src/runtime/batch/column-batch.js';
import { duckdbType } from '../../src/sql-text.js';
import { deltaFields, deltaType, deltaTypeText, evolveSchema, parseSchemaString, schemaString } from '../../src/table/delta/schema.js';
import { SchemaChangeError } from '../../src/table/schema-change.js';
import { fileStats } from '../../src/table/delta/stats.js';

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

  it('keeps null counts for decimals and none for nested columns', () => {
    const batch = new ColumnBatch(COLUMNS);
    batch.append([1230n, ['a', 5n], [], [['k', 1n]]]);
    batch.append([null, null, null, null]);
    const stats = fileStats(batch.toArrowTable(), COLUMNS);
    expect(stats).toEqual({ numRecords: 2, minValues: {}, maxValues: {}, nullCount: { amount: 1 } });
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
