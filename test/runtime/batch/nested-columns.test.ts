import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC, tableToIPC, Type, type Decimal } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputValue } from '../../../src/dsl/job-spec.js';
import { parquetWasmEncoder } from '../../../src/parquet/parquet-wasm-encoder.js';
import { ColumnBatch, type BatchColumn } from '../../../src/runtime/batch/column-batch.js';
import { duckdb } from '../../parquet/read-parquet.js';

const COLUMNS: BatchColumn[] = [
  { name: 'amount', type: { kind: 'decimal', precision: 10, scale: 2 } },
  { name: 'big', type: { kind: 'decimal', precision: 38, scale: 0 } },
  {
    name: 'item',
    type: { kind: 'struct', fields: [{ name: 'name', type: 'string' }, { name: 'price', type: { kind: 'decimal', precision: 10, scale: 2 } }] },
  },
  { name: 'items', type: { kind: 'list', element: { kind: 'struct', fields: [{ name: 'sku', type: 'string' }, { name: 'qty', type: 'int' }] } } },
  { name: 'counts', type: { kind: 'map', value: 'long' } },
  { name: 'grid', type: { kind: 'list', element: { kind: 'list', element: 'double' } } },
];

const MAX_38 = 10n ** 38n - 1n;

const ROWS: OutputValue[][] = [
  [1230n, MAX_38, ['horse', 199950n], [['a', 1], ['b', null], null], [['eu', 3n], ['us', 4n]], [[1.5], [], null]],
  [null, -MAX_38, null, null, null, null],
  [-99n, 0n, [null, null], [], [], []],
];

function filled(): ColumnBatch {
  const batch = new ColumnBatch(COLUMNS);
  for (const row of ROWS) batch.append(row);
  return batch;
}

/** The Arrow table's rows as plain JS values (structs as objects, maps as objects, decimals as their digits). */
function plainRows(batch: ColumnBatch): unknown[] {
  const table = tableFromIPC(tableToIPC(batch.toArrowTable(), 'stream'));
  return JSON.parse(JSON.stringify(table.toArray().map((r) => r.toJSON()), (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

describe('ColumnBatch: decimal, struct, list and map columns', () => {
  it('maps them to Arrow Decimal128, Struct, List and Map', () => {
    const fields = filled().toArrowTable().schema.fields;
    expect(fields.map((f) => Type[f.type.typeId])).toEqual(['Decimal', 'Decimal', 'Struct', 'List', 'Map', 'List']);
    expect(fields.slice(0, 2).map((f) => { const t = f.type as Decimal; return [t.precision, t.scale, t.bitWidth]; })).toEqual([[10, 2, 128], [38, 0, 128]]);
    expect(String(fields[2]!.type)).toBe('Struct<{name:Utf8, price:Decimal[10e+2]}>');
    expect(String(fields[3]!.type)).toBe('List<Struct<{sku:Utf8, qty:Int32}>>');
    expect(String(fields[4]!.type)).toBe('Map<{key:Utf8, value:Int64}>');
    expect(String(fields[5]!.type)).toBe('List<List<Float64>>');
  });

  it('keeps the values, nulls at every level and empty lists through Arrow IPC', () => {
    const rows = plainRows(filled());
    expect(rows).toHaveLength(3);
    expect(rows[1]).toEqual({ amount: null, big: expect.any(String), item: null, items: null, counts: null, grid: null });
    expect(rows[2]).toMatchObject({ item: { name: null, price: null }, items: [], counts: {}, grid: [] });
    expect((rows[0] as { items: unknown }).items).toEqual([{ sku: 'a', qty: 1 }, { sku: 'b', qty: null }, null]);
    expect((rows[0] as { counts: unknown }).counts).toEqual({ eu: '3', us: '4' });
    expect((rows[0] as { grid: unknown }).grid).toEqual([[1.5], [], null]);
  });

  it('undoes a row that fails half way, nested values included', () => {
    const batch = filled();
    // The map's second entry has a value of the wrong type: a runtime bug, thrown before anything is kept.
    const bad: OutputValue[] = [1n, 1n, ['x', 1n], [['c', 7]], [['k', 1n], ['j', 'not a bigint']], [[2.5]]];
    expect(() => batch.append(bad)).toThrow(/column "counts\{\}.value" \(long\): expected a bigint/);
    expect(batch.rowCount).toBe(3);
    batch.append(ROWS[0]!);
    const rows = plainRows(batch);
    expect(rows).toHaveLength(4);
    expect(rows[3]).toEqual(rows[0]);
  });

  it('refuses a decimal over 128 bits', () => {
    const batch = new ColumnBatch([COLUMNS[1]!]);
    expect(() => batch.append([2n ** 127n])).toThrow(/expected an unscaled decimal as a bigint/);
  });

  it('empties and refills, keeping nothing of the old rows', () => {
    const batch = filled();
    batch.reset();
    batch.append(ROWS[2]!);
    expect(plainRows(batch)).toEqual([plainRows(filled())[2]]);
  });
});

describe('nested and decimal columns in Parquet, read by DuckDB', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-nested-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes real DECIMAL, STRUCT, LIST and MAP columns with exact values', async () => {
    const path = join(dir, 'nested.parquet');
    await writeFile(path, await parquetWasmEncoder('snappy').encode(filled().toArrowTable()));
    const db = await duckdb();
    try {
      const sql = `SELECT typeof(amount) AS amount_type, typeof(big) AS big_type, typeof(item) AS item_type, typeof(items) AS items_type,
        typeof(counts) AS counts_type, typeof(grid) AS grid_type, amount::VARCHAR AS amount, big::VARCHAR AS big, item.price::VARCHAR AS price,
        items[1].sku AS first_sku, counts['us'] AS us, len(grid) AS grid_len FROM read_parquet('${path}')`;
      const rows = (await db.connection.runAndReadAll(sql)).getRowObjectsJS();
      expect(rows[0]).toEqual({
        amount_type: 'DECIMAL(10,2)', big_type: 'DECIMAL(38,0)', item_type: 'STRUCT("name" VARCHAR, price DECIMAL(10,2))',
        items_type: 'STRUCT(sku VARCHAR, qty INTEGER)[]', counts_type: 'MAP(VARCHAR, BIGINT)', grid_type: 'DOUBLE[][]',
        amount: '12.30', big: MAX_38.toString(), price: '1999.50', first_sku: 'a', us: 4n, grid_len: 3n,
      });
      expect(rows.map((r) => [r.amount, r.big, r.price])).toEqual([
        ['12.30', MAX_38.toString(), '1999.50'],
        [null, (-MAX_38).toString(), null],
        ['-0.99', '0', null],
      ]);
    } finally {
      db.close();
    }
  });
});
