import { DuckDBInstance } from '@duckdb/node-api';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** All `*.parquet` files under `dir` (what any glob reader would see). */
export async function parquetFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.filter((e) => e.endsWith('.parquet')).map((e) => join(dir, e));
}

/** Reads every row of every `*.parquet` file under `dir` with DuckDB, as plain JS objects. */
export async function readTable(dir: string): Promise<Record<string, unknown>[]> {
  if ((await parquetFiles(dir)).length === 0) return [];
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(
      `SELECT * FROM read_parquet('${join(dir, '**', '*.parquet').replaceAll("'", "''")}', hive_partitioning = true, union_by_name = true)`,
    );
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
