import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readParquet as wasmRead } from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultParquetEncoder } from '../../src/parquet/parquet-encoder.js';
import { writePlanFor } from '../../src/parquet/parquet-write-plan.js';
import type { Action } from '../../src/table/delta/actions.js';
import { checkpointActions, checkpointTable } from '../../src/table/delta/checkpoint.js';
import { duckdb, readParquet } from './read-parquet.js';
import type { OutputValue } from '../../src/dsl/job-spec.js';
import { batchOf, BASE_TS, COLUMNS, ROWS } from './write-plan-fixture.js';

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
