import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readParquet as wasmRead } from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputValue } from '../../../src/dsl/job-spec.js';
import { ColumnBatch, type BatchColumn } from '../../../src/runtime/batch/column-batch.js';
import { defaultParquetEncoder } from '../../../src/runtime/parquet/parquet-encoder.js';
import { writePlanFor } from '../../../src/runtime/parquet/parquet-write-plan.js';
import type { Action } from '../../../src/table/delta/actions.js';
import { checkpointActions, checkpointTable } from '../../../src/table/delta/checkpoint.js';
import { runPython } from '../../support/delta-rs.js';
import { duckdb, readParquet } from './read-parquet.js';

// Shaped like the example jobs' batches: nearly unique ids, event times and raw events beside
// low-cardinality strings, Kafka timestamps repeating in runs, and nulls in every column.
const COLUMNS: BatchColumn[] = [
  { name: 'event_type', type: 'string' },
  { name: 'quantity', type: 'int' },
  { name: 'speed', type: 'double' },
  { name: 'player_id', type: 'long' },
  { name: 'mounted', type: 'boolean' },
  { name: 'event_id', type: 'string' },
  { name: 'event_ts', type: 'timestamp' },
  { name: 'received_at', type: 'timestamp' },
  { name: 'dt', type: 'date' },
  { name: 'raw_event', type: 'json' },
];
const ROW_COUNT = 30_000;
const BASE_TS = Date.parse('2026-11-22T15:00:00.000Z');

function eventRow(i: number): OutputValue[] {
  const id = `${(i * 2654435761) % 4294967296}`.padStart(10, '0');
  const eventId = `${id.slice(0, 8)}-${String(i).padStart(4, '0').slice(-4)}-4a1b-9c2d-${id}ab`;
  const raw = JSON.stringify({ event_type: 'purchase_horse', event_id: eventId, note: `événement 🐴 ${i}`, Host: `user${i % 100}.comcast.com`, Accept: '*/*' });
  const row: OutputValue[] = [
    ['purchase_horse', 'purchase_sword', 'join_guild'][i % 3]!,
    1 + (i % 9),
    (i % 40) / 4,
    BigInt(i) * 1_000_003n - 2n ** 62n,
    i % 2 === 0,
    eventId,
    BASE_TS + i * 3 + (i % 7),
    BASE_TS + Math.floor(i / 2000) * 20,
    20_414 + (i % 2),
    raw,
  ];
  // Every column is null somewhere, on a different row each.
  if (i % 997 < COLUMNS.length) row[i % 997] = null;
  return row;
}

const ROWS = Array.from({ length: ROW_COUNT }, (_, i) => eventRow(i));

function batchOf(rows: OutputValue[][]): ColumnBatch {
  const batch = new ColumnBatch(COLUMNS);
  for (const row of rows) batch.append(row);
  return batch;
}

describe('writePlanFor', () => {
  it('drops the dictionary of nearly unique columns only, picks delta encodings by type and no statistics for long strings', () => {
    const plan = writePlanFor(batchOf(ROWS).toArrowTable());
    expect(plan.dictionaryPageBytes).toBeUndefined();
    expect(Object.fromEntries(plan.columns.map(({ name, ...rest }) => [name, rest]))).toEqual({
      event_type: { encoding: 'DELTA_LENGTH_BYTE_ARRAY' },
      quantity: { encoding: 'DELTA_BINARY_PACKED' },
      player_id: { encoding: 'DELTA_BINARY_PACKED', dictionary: false },
      event_id: { encoding: 'DELTA_LENGTH_BYTE_ARRAY', dictionary: false },
      event_ts: { encoding: 'DELTA_BINARY_PACKED', dictionary: false },
      received_at: { encoding: 'DELTA_BINARY_PACKED' },
      dt: { encoding: 'DELTA_BINARY_PACKED' },
      raw_event: { encoding: 'DELTA_LENGTH_BYTE_ARRAY', statistics: 'none', dictionary: false },
    });
  });

  it('keeps the dictionary of an empty or all-null batch and leaves nested columns (Delta checkpoints) alone', () => {
    expect(writePlanFor(batchOf([]).toArrowTable()).columns.every((c) => c.dictionary === undefined)).toBe(true);
    const nulls = Array.from({ length: 50 }, () => COLUMNS.map(() => null));
    expect(writePlanFor(batchOf(nulls).toArrowTable()).columns.every((c) => c.dictionary === undefined && !c.statistics)).toBe(true);
    expect(writePlanFor(checkpointTable([{ protocol: { minReaderVersion: 1, minWriterVersion: 2 } }])).columns).toEqual([]);
  });
});

describe('the default encoder with its write plan', () => {
  let db: Awaited<ReturnType<typeof duckdb>>;
  let dir: string;
  let path: string;
  beforeAll(async () => {
    db = await duckdb();
    dir = mkdtempSync(join(tmpdir(), 'gamepipe-plan-'));
    path = join(dir, 'events.parquet');
    writeFileSync(path, await defaultParquetEncoder({}).encode(batchOf(ROWS).toArrowTable()));
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes files DuckDB reads back value for value', async () => {
    const { rows } = await readParquet(db.connection, path);
    const MS_PER_DAY = 86_400_000;
    const back = rows.map((row) =>
      COLUMNS.map(({ name, type }) => {
        const v = row[name];
        if (v instanceof Date) return type === 'date' ? v.getTime() / MS_PER_DAY : v.getTime();
        return v as OutputValue;
      }),
    );
    expect(back).toEqual(ROWS);
  });

  it('writes the encodings the plan asks for, as DuckDB sees them', async () => {
    const reader = await db.connection.runAndReadAll(
      `SELECT path_in_schema, encodings, stats_min_value IS NULL AND stats_max_value IS NULL AS no_stats FROM parquet_metadata('${path}')`,
    );
    const chunks = Object.fromEntries(
      (reader.getRowObjectsJS() as { path_in_schema: string; encodings: string; no_stats: boolean }[]).map((c) => [c.path_in_schema, c]),
    );
    for (const name of ['event_id', 'raw_event']) expect(chunks[name]!.encodings, name).toMatch(/^(?!.*DICTIONARY).*DELTA_LENGTH_BYTE_ARRAY/);
    for (const name of ['event_ts', 'player_id']) expect(chunks[name]!.encodings, name).toMatch(/^(?!.*DICTIONARY).*DELTA_BINARY_PACKED/);
    for (const name of ['event_type', 'quantity', 'received_at', 'dt']) expect(chunks[name]!.encodings, name).toMatch(/RLE_DICTIONARY/);
    expect(chunks.raw_event!.no_stats).toBe(true);
    expect(chunks.event_id!.no_stats).toBe(false);
  });

  // pyarrow is the reader behind delta-rs and most Python tools; the integration setup provides it.
  it.skipIf(!process.env.GAMEPIPE_PYTHON)('writes files pyarrow reads back value for value', async () => {
    const script = `
import json, sys
import pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
out = {}
for name in t.column_names:
    c, kind = t.column(name), str(t.column(name).type)
    if kind.startswith('timestamp'): c = c.cast('int64')
    if kind.startswith('date'): c = c.cast('int32')
    # 64-bit integers as text: JSON numbers stop being exact past 2**53.
    out[name] = [None if v is None else str(v) for v in c.to_pylist()] if kind == 'int64' else c.to_pylist()
print(json.dumps(out, default=str))
`;
    const columns = JSON.parse(await runPython(script, [path])) as Record<string, unknown[]>;
    const expected = (i: number) => ROWS.map((row) => (typeof row[i] === 'bigint' ? String(row[i]) : row[i]));
    COLUMNS.forEach(({ name }, i) => expect(columns[name], name).toEqual(expected(i)));
  });

  it('writes Delta checkpoints that read back action for action', async () => {
    const actions: Action[] = [
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      {
        metaData: {
          id: 'id-1',
          format: { provider: 'parquet', options: {} },
          schemaString: '{"type":"struct","fields":[]}',
          partitionColumns: ['dt'],
          configuration: {},
          createdTime: 1,
        },
      },
      { txn: { appId: 'gamepipe:j:t:0', version: 42, lastUpdated: 7 } },
      ...Array.from({ length: 300 }, (_, i): Action => ({
        add: { path: `dt=2026-11-20/part-${i}.parquet`, partitionValues: { dt: '2026-11-20' }, size: 1000 + i, modificationTime: BASE_TS + i, dataChange: false, stats: `{"numRecords":${i}}` },
      })),
    ];
    const parquet = await defaultParquetEncoder({}).encode(checkpointTable(actions));
    expect(checkpointActions(tableFromIPC(wasmRead(parquet).intoIPCStream()), 'cp')).toEqual(actions);
  });
});
