import { DuckDBInstance } from '@duckdb/node-api';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gamepipe, queryJson } from '../support/gamepipe-cli.js';
import { runPython } from '../support/delta-rs.js';
import { produce } from '../support/events.js';
import { createTopic, suffix, uniqueTopic } from '../support/kafka.js';
import { readTable } from '../support/parquet-read.js';
import { runOnce } from '../support/runner-process.js';

/** An order job with a decimal, a struct, a list of structs and a map, writing `format` to `path`. */
function ordersJob(name: string, topic: string, path: string, format: 'parquet' | 'delta'): string {
  return `job: ${name}
source: { topic: ${topic} }
schema:
  order_id: string
  amount: decimal(10,2)
  item:
    type:
      struct:
        name: string
        price: decimal(10,2)
  items:
    type:
      list:
        struct:
          sku: string
          price: double
          qty: int
  counts:
    type: { map: long }
sink:
  path: ${path}
  format: ${format}
  partition_by: [dt]
trigger: 100ms
on_bad_record: dead_letter
`;
}

const GOOD = [
  { order_id: 'o1', amount: '12.30', item: { name: 'horse', price: '1999.50' }, items: [{ sku: 'a', price: 1.5, qty: 2 }, { sku: 'b', price: '2.25' }], counts: { eu: 3, us: '4' } },
  // A struct field the object lacks is null; missing columns are null.
  { order_id: 'o2', item: { name: 'sword' } },
  // A JSON number reads through its decimal text: 0.1 is exactly 0.10.
  { order_id: 'o5', amount: 0.1, item: { name: 'shield', price: 7 }, items: [], counts: {} },
];
const BAD = [
  { record: { order_id: 'o3', items: [{}, {}, {}, { price: 'x' }] }, reason: 'column items[3].price: cannot read "x" as double' },
  { record: { order_id: 'o4', amount: '12.345' }, reason: 'column amount: cannot read "12.345" as decimal(10,2): more than 2 digits after the point' },
];

const ITEM_TYPE = 'STRUCT("name" VARCHAR, price DECIMAL(10,2))';
const ITEMS_TYPE = 'STRUCT(sku VARCHAR, price DOUBLE, qty INTEGER)[]';

/** The columns both readers compare, as DuckDB SQL over a table or a view. */
const SELECT = `SELECT order_id, typeof(amount) AS amount_type, amount::VARCHAR AS amount, typeof(item) AS item_type,
  item.name AS item_name, item.price::VARCHAR AS item_price, typeof(items) AS items_type, len(items) AS n_items,
  items[1].sku AS first_sku, items[2].price AS second_price, items[2].qty AS second_qty,
  typeof(counts) AS counts_type, counts['us'] AS us`;

const EXPECTED = [
  {
    order_id: 'o1', amount_type: 'DECIMAL(10,2)', amount: '12.30', item_type: ITEM_TYPE, item_name: 'horse', item_price: '1999.50',
    items_type: ITEMS_TYPE, n_items: 2, first_sku: 'a', second_price: 2.25, second_qty: null, counts_type: 'MAP(VARCHAR, BIGINT)', us: 4,
  },
  {
    order_id: 'o2', amount_type: 'DECIMAL(10,2)', amount: null, item_type: ITEM_TYPE, item_name: 'sword', item_price: null,
    items_type: ITEMS_TYPE, n_items: null, first_sku: null, second_price: null, second_qty: null, counts_type: 'MAP(VARCHAR, BIGINT)', us: null,
  },
  {
    order_id: 'o5', amount_type: 'DECIMAL(10,2)', amount: '0.10', item_type: ITEM_TYPE, item_name: 'shield', item_price: '7.00',
    items_type: ITEMS_TYPE, n_items: 0, first_sku: null, second_price: null, second_qty: null, counts_type: 'MAP(VARCHAR, BIGINT)', us: null,
  },
];

/** Rows with bigints as numbers, so DuckDB's and `gamepipe query`'s JSON compare alike. */
function plain(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}

async function duckdbRows(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return plain((await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[]);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

// delta-rs reads the table through its own log reader; decimals print as their exact text.
const DELTA_RS = `
import json, sys, decimal
from deltalake import DeltaTable
table = DeltaTable(sys.argv[1])
schema = json.loads(table.schema().to_json())
columns = ['order_id', 'amount', 'item', 'items', 'counts']
rows = sorted(table.to_pyarrow_table(columns=columns).to_pylist(), key=lambda r: r['order_id'])
print(json.dumps({'schema': schema, 'rows': rows}, default=lambda v: str(v) if isinstance(v, decimal.Decimal) else repr(v)))
`;

describe('decimal, struct, list and map columns through gamepipe-run --once', () => {
  let dir: string;
  let names: { parquet: string; delta: string };
  let runs: Awaited<ReturnType<typeof runOnce>>[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-nested-'));
    const topic = uniqueTopic('nested');
    await createTopic(topic, 1);
    names = { parquet: `orders_pq_${suffix(topic)}`, delta: `orders_delta_${suffix(topic)}` };
    await mkdir(join(dir, 'jobs'));
    await writeFile(join(dir, 'jobs', 'orders-parquet.job.yaml'), ordersJob(names.parquet, topic, 'out/orders', 'parquet'));
    await writeFile(join(dir, 'jobs', 'orders-delta.job.yaml'), ordersJob(names.delta, topic, join(dir, 'tables/orders'), 'delta'));
    // Two runs, so that each table's day has two files for the compaction test to merge.
    await produce(topic, [GOOD[0]!, GOOD[1]!, BAD[0]!.record, BAD[1]!.record].map((r) => JSON.stringify(r)));
    runs = [await runOnce(dir, 'jobs')];
    await produce(topic, [JSON.stringify(GOOD[2])]);
    runs.push(await runOnce(dir, 'jobs'));
  }, 240_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('runs to the end without a problem', () => {
    for (const run of runs) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
  });

  it('format: parquet: DuckDB reads real DECIMAL, STRUCT, LIST and MAP columns with exact values', async () => {
    const files = join(dir, 'out/orders', '**', '*.parquet');
    expect(await duckdbRows(`${SELECT} FROM read_parquet('${files}') ORDER BY order_id`)).toEqual(EXPECTED);
    const rejected = await readTable(join(dir, 'out/orders_rejected'));
    expect(rejected.map((r) => r.reason).sort()).toEqual(BAD.map((b) => b.reason).sort());
  });

  it('format: parquet and delta: gamepipe query reads the same values', async () => {
    expect(plain(await queryJson(dir, 'jobs', `${SELECT} FROM ${names.parquet} ORDER BY order_id`))).toEqual(EXPECTED);
    expect(plain(await queryJson(dir, 'jobs', `${SELECT} FROM ${names.delta} ORDER BY order_id`))).toEqual(EXPECTED);
    expect(await queryJson(dir, 'jobs', `SELECT reason FROM ${names.delta}_rejected ORDER BY reason`)).toEqual(BAD.map((b) => ({ reason: b.reason })).sort((a, b) => a.reason.localeCompare(b.reason)));
  });

  async function expectDeltaRsReads(): Promise<void> {
    const { schema, rows } = JSON.parse(await runPython(DELTA_RS, [join(dir, 'tables/orders')])) as { schema: { fields: { name: string; type: unknown }[] }; rows: unknown[] };
    const types = Object.fromEntries(schema.fields.map((f) => [f.name, f.type]));
    expect(types).toEqual({
      order_id: 'string',
      amount: 'decimal(10,2)',
      item: {
        type: 'struct',
        fields: [
          { name: 'name', type: 'string', nullable: true, metadata: {} },
          { name: 'price', type: 'decimal(10,2)', nullable: true, metadata: {} },
        ],
      },
      items: {
        type: 'array',
        containsNull: true,
        elementType: {
          type: 'struct',
          fields: [
            { name: 'sku', type: 'string', nullable: true, metadata: {} },
            { name: 'price', type: 'double', nullable: true, metadata: {} },
            { name: 'qty', type: 'integer', nullable: true, metadata: {} },
          ],
        },
      },
      counts: { type: 'map', keyType: 'string', valueType: 'long', valueContainsNull: true },
      dt: 'date',
    });
    expect(rows).toEqual([
      {
        order_id: 'o1', amount: '12.30', item: { name: 'horse', price: '1999.50' },
        items: [{ sku: 'a', price: 1.5, qty: 2 }, { sku: 'b', price: 2.25, qty: null }], counts: [['eu', 3], ['us', 4]],
      },
      { order_id: 'o2', amount: null, item: { name: 'sword', price: null }, items: null, counts: null },
      { order_id: 'o5', amount: '0.10', item: { name: 'shield', price: '7.00' }, items: [], counts: [] },
    ]);
  }

  it('format: delta: delta-rs reads the Delta schema types and the values', async () => {
    await expectDeltaRsReads();
  });

  it('gamepipe compact merges the files of both formats and keeps the types and values', async () => {
    for (const name of [names.parquet, names.delta]) {
      const out = await gamepipe(dir, ['compact', name, '--jobs', 'jobs', '--include-today']);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toMatch(/2 files .* -> 1 file/);
    }
    const files = join(dir, 'out/orders', '**', '*.parquet');
    expect(await duckdbRows(`SELECT count(DISTINCT filename) AS n FROM read_parquet('${files}', filename = true)`)).toEqual([{ n: 1 }]);
    expect(await duckdbRows(`${SELECT} FROM read_parquet('${files}') ORDER BY order_id`)).toEqual(EXPECTED);
    expect(plain(await queryJson(dir, 'jobs', `${SELECT} FROM ${names.delta} ORDER BY order_id`))).toEqual(EXPECTED);
    await expectDeltaRsReads();
  });
});
