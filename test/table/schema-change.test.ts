import { describe, expect, it } from 'vitest';
import { FOLDER_TYPE_CHANGES } from '../../src/table/folder/folder-schema.js';
import { applySchemaChanges, compareSchemas, SchemaChangeError, type SchemaColumn } from '../../src/table/schema-change.js';

const table: SchemaColumn[] = [
  { name: 'event_id', type: 'string' },
  { name: 'quantity', type: 'int' },
  { name: 'price', type: 'int' },
];

describe('comparing a table schema with the job schema (Parquet folder rules)', () => {
  it('finds nothing to change when the job writes the same columns in another order', () => {
    expect(compareSchemas('t', table, [...table].reverse(), FOLDER_TYPE_CHANGES)).toEqual({ added: [], widened: [] });
  });

  it('adds columns in job order and widens int to long and to double', () => {
    const wanted = [
      { name: 'region', type: 'string' },
      { name: 'event_id', type: 'string' },
      { name: 'quantity', type: 'long' },
      { name: 'price', type: 'double' },
      { name: 'speed', type: 'double' },
    ];
    const changes = compareSchemas('t', table, wanted, FOLDER_TYPE_CHANGES);
    expect(changes).toEqual({
      added: [
        { name: 'region', type: 'string' },
        { name: 'speed', type: 'double' },
      ],
      widened: [
        { name: 'quantity', from: 'int', to: 'long' },
        { name: 'price', from: 'int', to: 'double' },
      ],
    });
    expect(applySchemaChanges(table, changes)).toEqual([
      { name: 'event_id', type: 'string' },
      { name: 'quantity', type: 'long' },
      { name: 'price', type: 'double' },
      { name: 'region', type: 'string' },
      { name: 'speed', type: 'double' },
    ]);
  });

  it('takes string and json as one another: both are UTF-8 text in the files', () => {
    const wanted = [{ name: 'event_id', type: 'json' }, ...table.slice(1)];
    expect(compareSchemas('t', table, wanted, FOLDER_TYPE_CHANGES).widened).toEqual([{ name: 'event_id', from: 'string', to: 'json' }]);
  });

  it('refuses a narrowing in one line naming the table, the column and both types', () => {
    const wide = [{ name: 'n', type: 'long' }];
    const narrowed = () => compareSchemas('/data/out', wide, [{ name: 'n', type: 'int' }], FOLDER_TYPE_CHANGES);
    expect(narrowed).toThrow(SchemaChangeError);
    expect(narrowed).toThrow("table /data/out: column 'n' is long in the table but int in the job; a Parquet folder widens int to long or double only (write to a new sink.path)");
  });

  it('refuses any other type change, such as int to string or double to long', () => {
    expect(() => compareSchemas('t', table, [table[0]!, { name: 'quantity', type: 'string' }, table[2]!], FOLDER_TYPE_CHANGES)).toThrow("column 'quantity' is int in the table but string in the job");
    expect(() => compareSchemas('t', [{ name: 'x', type: 'double' }], [{ name: 'x', type: 'long' }], FOLDER_TYPE_CHANGES)).toThrow("column 'x' is double in the table but long in the job");
  });

  it('refuses a removed column, naming it "missing"', () => {
    const removed = () => compareSchemas('t', table, table.slice(0, 2), FOLDER_TYPE_CHANGES);
    expect(removed).toThrow("table t: column 'price' is int in the table but missing in the job; a column cannot be removed or renamed: keep it in schema:, or write to a new sink.path");
  });

  it('refuses a renamed column, guessing the new name only when one added column has its type', () => {
    const renamed = [table[0]!, table[1]!, { name: 'unit_price', type: 'int' }];
    expect(() => compareSchemas('t', table, renamed, FOLDER_TYPE_CHANGES)).toThrow("column 'price' is int in the table but missing (renamed to 'unit_price'?) in the job");
    const ambiguous = [...renamed, { name: 'other', type: 'int' }];
    expect(() => compareSchemas('t', table, ambiguous, FOLDER_TYPE_CHANGES)).toThrow("column 'price' is int in the table but missing in the job");
  });

  it('reports the first problem in table order', () => {
    const wanted = [{ name: 'event_id', type: 'int' }];
    expect(() => compareSchemas('t', table, wanted, FOLDER_TYPE_CHANGES)).toThrow("column 'event_id' is string in the table but int in the job");
  });
});
