import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScalarType, OutputValue } from '../../src/dsl/job-spec.js';
import { ColumnBatch, type BatchColumn } from '../../src/runtime/batch/column-batch.js';
import {
  defaultParquetEncoder,
  parquetEncoderByName,
  parquetEncoderNames,
  type ParquetEncoder,
} from '../../src/parquet/parquet-encoder.js';
import { UserError } from '../../src/user-error.js';
import { duckdb, parquetChunks, readParquet } from './read-parquet.js';

const MS_PER_DAY = 86_400_000;

const COLUMNS: { name: string; type: ScalarType }[] = [
  { name: 'event_type', type: 'string' },
  { name: 'quantity', type: 'int' },
  { name: 'player_id', type: 'long' },
  { name: 'speed', type: 'double' },
  { name: 'mounted', type: 'boolean' },
  { name: 'event_ts', type: 'timestamp' },
  { name: 'dt', type: 'date' },
  { name: 'raw_event', type: 'json' },
];

// What DuckDB must call each column type (TIMESTAMP WITH TIME ZONE is fine for timestamps).
const DUCKDB_TYPE: Record<ScalarType, RegExp> = {
  string: /^VARCHAR$/,
  json: /^VARCHAR$/,
  int: /^INTEGER$/,
  long: /^BIGINT$/,
  double: /^DOUBLE$/,
  boolean: /^BOOLEAN$/,
  timestamp: /^TIMESTAMP( WITH TIME ZONE)?$/,
  date: /^DATE$/,
};

const ROWS: OutputValue[][] = [
  ['purchase_horse', 3, 9_007_199_254_740_993n, 12.5, true, 1_717_243_200_123, 19_875, '{"speed":"12.5"}'],
  [null, null, null, null, null, null, null, null],
  ['événement 🐴 马 e\u0301', -2_147_483_648, 9_223_372_036_854_775_807n, -0.001, false, -1, -719_162, '{"名":"🐴"}'],
  ['', 2_147_483_647, -9_223_372_036_854_775_808n, 1.7976931348623157e308, true, 253_402_300_799_999, 2_932_896, '[]'],
  ['purchase_horse', 0, -(2n ** 53n) - 1n, 5e-324, null, 0, 0, 'null'],
];

/** DuckDB's JS value turned back into the runtime's OutputValue for `type`. */
function asOutputValue(value: unknown, type: ScalarType): OutputValue {
  if (value === null) return null;
  if (value instanceof Date) return type === 'date' ? value.getTime() / MS_PER_DAY : value.getTime();
  return value as OutputValue;
}

function batchOf(rows: OutputValue[][]): ColumnBatch {
  const batch = new ColumnBatch(COLUMNS);
  const reused: OutputValue[] = new Array(COLUMNS.length);
  for (const row of rows) {
    row.forEach((v, i) => (reused[i] = v));
    batch.append(reused);
  }
  return batch;
}

let db: Awaited<ReturnType<typeof duckdb>>;
let dir: string;
beforeAll(async () => {
  db = await duckdb();
  dir = mkdtempSync(join(tmpdir(), 'gamepipe-parquet-'));
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function writeAndRead(encoder: ParquetEncoder, rows: OutputValue[][], file: string) {
  const path = join(dir, `${encoder.name}-${file}.parquet`);
  writeFileSync(path, await encoder.encode(batchOf(rows).toArrowTable()));
  return { path, ...(await readParquet(db.connection, path)) };
}

describe.each(parquetEncoderNames)('Parquet encoder %s', (name) => {
  const encoder = parquetEncoderByName(name);

  it('writes every type, null, unicode and 64-bit value so that DuckDB reads them back unchanged', async () => {
    const { columns, rows } = await writeAndRead(encoder, ROWS, 'all-types');
    expect(columns.map((c) => c.name)).toEqual(COLUMNS.map((c) => c.name));
    columns.forEach((c, i) => expect(c.type, c.name).toMatch(DUCKDB_TYPE[COLUMNS[i]!.type]));
    const readBack = rows.map((row) => COLUMNS.map((c) => asOutputValue(row[c.name], c.type)));
    expect(readBack).toEqual(ROWS);
  });

  it('writes an empty batch as a valid file with the schema and no rows', async () => {
    const { columns, rows } = await writeAndRead(encoder, [], 'empty');
    expect(rows).toEqual([]);
    columns.forEach((c, i) => expect(c.type, c.name).toMatch(DUCKDB_TYPE[COLUMNS[i]!.type]));
  });

  it('writes a batch of one row', async () => {
    const { rows } = await writeAndRead(encoder, [ROWS[0]!], 'one-row');
    expect(rows.map((row) => COLUMNS.map((c) => asOutputValue(row[c.name], c.type)))).toEqual([ROWS[0]]);
  });
});

describe('defaultParquetEncoder', () => {
  it('writes dictionary-encoded, compressed column chunks with the codec its name says', async () => {
    const encoder = defaultParquetEncoder({});
    const repeated = Array.from({ length: 500 }, (_, i) => ROWS[i % ROWS.length]!);
    const { path } = await writeAndRead(encoder, repeated, 'default');
    const chunks = await parquetChunks(db.connection, path);
    expect(chunks.map((c) => c.path_in_schema)).toEqual(COLUMNS.map((c) => c.name));
    const codecs = new Set(chunks.map((c) => c.compression));
    expect(codecs.size).toBe(1);
    const [codec] = codecs;
    expect(['ZSTD', 'SNAPPY']).toContain(codec);
    expect(encoder.name).toContain(codec!.toLowerCase());
    for (const chunk of chunks.filter((c) => c.path_in_schema !== 'mounted')) {
      expect(chunk.encodings, chunk.path_in_schema).toMatch(/RLE_DICTIONARY|PLAIN_DICTIONARY/);
    }
  });

  it('follows GAMEPIPE_PARQUET_WRITER and names the known writers when it is unknown', () => {
    expect(defaultParquetEncoder({ GAMEPIPE_PARQUET_WRITER: 'parquetjs-lite' }).name).toBe('parquetjs-lite');
    const unknown = () => defaultParquetEncoder({ GAMEPIPE_PARQUET_WRITER: 'arrow-rs' });
    expect(unknown).toThrow(UserError);
    expect(unknown).toThrow(`GAMEPIPE_PARQUET_WRITER: unknown Parquet writer 'arrow-rs' (known: ${parquetEncoderNames.join(', ')})`);
  });
});
