import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../../src/dsl/job-spec.js';
import { typeText } from '../../src/dsl/column-types.js';
import { folderSchemaType, FOLDER_TYPE_CHANGES } from '../../src/table/folder/folder-schema.js';
import { DELTA_TYPE_CHANGES } from '../../src/table/delta/schema.js';
import {
  applySchemaChanges,
  compareSchemas,
  parseSchemaTypeText,
  SchemaChangeError,
  schemaTypeText,
  type SchemaColumn,
  type SchemaType,
} from '../../src/table/schema-change.js';

const table: SchemaColumn[] = [
  { name: 'event_id', type: 'string' },
  { name: 'quantity', type: 'int' },
  { name: 'price', type: 'int' },
];

describe('comparing a table schema with the job schema (Parquet folder rules)', () => {
  it('finds nothing to change when the job writes the same columns in another order', () => {
    expect(compareSchemas('t', table, [...table].reverse(), FOLDER_TYPE_CHANGES)).toEqual({ added: [], widened: [], extended: [] });
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
      extended: [],
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

/** A struct type of `fields` given as [name, type] pairs. */
const struct = (...fields: [string, SchemaType][]): SchemaType => ({ struct: fields.map(([name, type]) => ({ name, type })) });

const ITEM = struct(['name', 'string'], ['price', 'decimal(10,2)']);
const nested: SchemaColumn[] = [
  { name: 'event_id', type: 'string' },
  { name: 'item', type: ITEM },
  { name: 'order', type: struct(['id', 'long'], ['item', ITEM]) },
  { name: 'items', type: { list: ITEM } },
  { name: 'by_region', type: { map: ITEM } },
];
/** `nested` with column `name` given `type`. */
const withColumn = (name: string, type: SchemaType) => nested.map((c) => (c.name === name ? { name, type } : c));
const ITEM_WITH_COLOR = struct(['name', 'string'], ['price', 'decimal(10,2)'], ['color', 'string']);

describe('comparing nested types (both formats)', () => {
  for (const [format, rules] of [['folder', FOLDER_TYPE_CHANGES], ['delta', DELTA_TYPE_CHANGES]] as const) {
    it(`${format}: adds a field to a struct column, after the table's fields`, () => {
      const wanted = withColumn('item', struct(['color', 'string'], ['price', 'decimal(10,2)'], ['name', 'string']));
      const changes = compareSchemas('t', nested, wanted, rules);
      expect(changes).toEqual({ added: [], widened: [], extended: [{ name: 'item', fields: ['item.color'], to: ITEM_WITH_COLOR }] });
      expect(applySchemaChanges(nested, changes)).toEqual(withColumn('item', ITEM_WITH_COLOR));
    });
  }

  it('adds fields at depth 2, and inside a list element and a map value', () => {
    const order = struct(['id', 'long'], ['item', ITEM_WITH_COLOR], ['note', { list: 'string' }]);
    const wanted = [nested[0]!, nested[1]!, { name: 'order', type: order }, { name: 'items', type: { list: ITEM_WITH_COLOR } }, { name: 'by_region', type: { map: ITEM_WITH_COLOR } }];
    const changes = compareSchemas('t', nested, wanted, DELTA_TYPE_CHANGES);
    expect(changes.extended).toEqual([
      { name: 'order', fields: ['order.item.color', 'order.note'], to: order },
      { name: 'items', fields: ['items[].color'], to: { list: ITEM_WITH_COLOR } },
      { name: 'by_region', fields: ['by_region{}.color'], to: { map: ITEM_WITH_COLOR } },
    ]);
    expect(changes.added).toEqual([]);
  });

  it('adds a field inside a list of lists and a map of structs of lists', () => {
    const current = [{ name: 'grid', type: { list: { list: struct(['x', 'int']) } } }, { name: 'm', type: { map: struct(['tags', { list: struct(['k', 'string']) }]) } }];
    const wanted = [{ name: 'grid', type: { list: { list: struct(['x', 'int'], ['y', 'int']) } } }, { name: 'm', type: { map: struct(['tags', { list: struct(['k', 'string'], ['v', 'string']) }]) } }];
    expect(compareSchemas('t', current, wanted, FOLDER_TYPE_CHANGES).extended.map((e) => e.fields)).toEqual([['grid[][].y'], ['m{}.tags[].v']]);
  });

  it('refuses a removed nested field in one line naming the table and its path', () => {
    const removed = () => compareSchemas('/data/out', nested, withColumn('order', struct(['id', 'long'], ['item', struct(['name', 'string'])])), FOLDER_TYPE_CHANGES);
    expect(removed).toThrow(SchemaChangeError);
    expect(removed).toThrow(
      "table /data/out: column 'order.item.price' is decimal(10,2) in the table but missing in the job; a field of a struct cannot be removed or renamed: keep it in schema:, or write to a new sink.path",
    );
  });

  it('refuses a renamed nested field inside a list, guessing its new name', () => {
    const renamed = () => compareSchemas('t', nested, withColumn('items', { list: struct(['name', 'string'], ['unit_price', 'decimal(10,2)']) }), DELTA_TYPE_CHANGES);
    expect(renamed).toThrow("table t: column 'items[].price' is decimal(10,2) in the table but missing (renamed to 'items[].unit_price'?) in the job; a field of a struct cannot be removed or renamed");
  });

  it('refuses a retyped nested field inside a map value with the format\'s reason', () => {
    const retyped = () => compareSchemas('t', nested, withColumn('by_region', { map: struct(['name', 'string'], ['price', 'double']) }), FOLDER_TYPE_CHANGES);
    expect(retyped).toThrow(
      "table t: column 'by_region{}.price' is decimal(10,2) in the table but double in the job; a Parquet folder widens int to long or double only (write to a new sink.path)",
    );
    const intField = [{ name: 's', type: struct(['n', 'int']) }];
    expect(() => compareSchemas('t', intField, [{ name: 's', type: struct(['n', struct(['v', 'int'])]) }], FOLDER_TYPE_CHANGES)).toThrow("column 's.n' is int in the table but struct<v int> in the job; a Parquet folder widens");
    const longField = [{ name: 's', type: struct(['n', 'long']) }];
    expect(() => compareSchemas('t', longField, [{ name: 's', type: struct(['n', 'int']) }], FOLDER_TYPE_CHANGES)).toThrow("column 's.n' is long in the table but int in the job; a Parquet folder widens");
  });

  it('folder: widens int to long and to double in a struct field, a list element and a map value at any depth', () => {
    const current: SchemaColumn[] = [
      { name: 's', type: struct(['n', 'int'], ['name', 'string']) },
      { name: 'l', type: { list: 'int' } },
      { name: 'm', type: { map: { list: struct(['q', 'int']) } } },
    ];
    const wanted: SchemaColumn[] = [
      { name: 's', type: struct(['n', 'long'], ['name', 'string'], ['note', 'string']) },
      { name: 'l', type: { list: 'double' } },
      { name: 'm', type: { map: { list: struct(['q', 'long']) } } },
    ];
    const changes = compareSchemas('t', current, wanted, FOLDER_TYPE_CHANGES);
    expect(changes).toEqual({
      added: [],
      widened: [
        { name: 's.n', from: 'int', to: 'long' },
        { name: 'l[]', from: 'int', to: 'double' },
        { name: 'm{}[].q', from: 'int', to: 'long' },
      ],
      extended: [
        { name: 's', fields: ['s.note'], to: struct(['n', 'long'], ['name', 'string'], ['note', 'string']) },
        { name: 'l', fields: [], to: { list: 'double' } },
        { name: 'm', fields: [], to: { map: { list: struct(['q', 'long']) } } },
      ],
    });
    expect(applySchemaChanges(current, changes)).toEqual(wanted);
    // The widened schema is the table's from then on: the narrower field is refused.
    expect(() => compareSchemas('t', wanted, current, FOLDER_TYPE_CHANGES)).toThrow("column 's.n' is long in the table but int in the job");
  });

  it('delta: refuses widening a nested field as it refuses a column\'s, naming the table feature it would need', () => {
    const current = [{ name: 's', type: struct(['n', 'integer']) }];
    expect(() => compareSchemas('t', current, [{ name: 's', type: struct(['n', 'long']) }], DELTA_TYPE_CHANGES)).toThrow(
      "table t: column 's.n' is integer in the table but long in the job; widening a Delta column needs the typeWidening table feature, which delta-rs cannot read (write to a new sink.path)",
    );
    expect(() => compareSchemas('t', [{ name: 'l', type: { list: 'integer' } }], [{ name: 'l', type: { list: 'double' } }], DELTA_TYPE_CHANGES)).toThrow("column 'l[]' is integer in the table but double in the job; widening a Delta column needs");
  });

  it('takes string and json as one another inside a struct too, where the format stores both as text', () => {
    const current = [{ name: 's', type: struct(['payload', 'json'], ['n', 'int']) }];
    const asText = [{ name: 's', type: struct(['payload', 'string'], ['n', 'int']) }];
    expect(compareSchemas('t', current, asText, FOLDER_TYPE_CHANGES)).toEqual({ added: [], widened: [], extended: [] });
  });

  it('refuses a nested column changing kind, with the format\'s reason', () => {
    expect(() => compareSchemas('t', nested, withColumn('items', { map: ITEM }), DELTA_TYPE_CHANGES)).toThrow(
      "column 'items' is list<struct<name string, price decimal(10,2)>> in the table but map<string, struct<name string, price decimal(10,2)>> in the job; a Delta column's type cannot change",
    );
    expect(() => compareSchemas('t', nested, withColumn('item', 'string'), FOLDER_TYPE_CHANGES)).toThrow("column 'item' is struct<name string, price decimal(10,2)> in the table but string in the job; a Parquet folder widens");
  });

  it('reports a removed column before a nested problem of a later column', () => {
    const wanted = nested.filter((c) => c.name !== 'event_id').map((c) => (c.name === 'items' ? { name: 'items', type: { list: 'string' } } : c));
    expect(() => compareSchemas('t', nested, wanted, FOLDER_TYPE_CHANGES)).toThrow("column 'event_id' is string in the table but missing in the job");
  });
});

describe('schema type text (the folder schema record)', () => {
  const PRICE: ColumnType = { kind: 'decimal', precision: 10, scale: 2 };
  const types: ColumnType[] = [
    'int',
    PRICE,
    { kind: 'list', element: { kind: 'map', value: PRICE } },
    { kind: 'struct', fields: [{ name: 'name', type: 'string' }, { name: 'tags', type: { kind: 'list', element: 'string' } }, { name: 'inner', type: { kind: 'struct', fields: [{ name: 'p', type: PRICE }] } }] },
  ];

  it('writes a job column type as the job file does, and reads it back', () => {
    for (const type of types) {
      const text = schemaTypeText(folderSchemaType(type));
      expect(text).toBe(typeText(type));
      expect(parseSchemaTypeText(text)).toEqual(folderSchemaType(type));
    }
  });

  it('says where it cannot read a type', () => {
    expect(() => parseSchemaTypeText('struct<a int')).toThrow('cannot read the type "struct<a int": expected ", " at 12');
    expect(() => parseSchemaTypeText('list<int>>')).toThrow('unexpected ">"');
  });
});
