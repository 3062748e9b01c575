import type { Catalog, QueryResult } from './catalog.js';
import type { JobTable } from './job-tables.js';
import { sqlIdent } from '../sql-text.js';

/** What a table holds now. */
export interface TableStats {
  table: string;
  job: string;
  rows: number;
  files: number;
  bytes: number;
}

/** Rows (from DuckDB), files and bytes (from the folder) of every table in the catalog. */
export async function tableStats(catalog: Catalog): Promise<TableStats[]> {
  const stats: TableStats[] = [];
  for (const table of catalog.tables) stats.push(await oneTableStats(catalog, table));
  return stats;
}

async function oneTableStats(catalog: Catalog, table: JobTable): Promise<TableStats> {
  const files = await table.files();
  const result = await catalog.query(`SELECT count(*) FROM ${sqlIdent(table.name)}`);
  return {
    table: table.name,
    job: table.job,
    rows: Number(result.text[0]![0]),
    files: files.length,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
  };
}

/** The stats as a result, so `tables` prints with the same --csv / --json options as `query`. */
export function statsResult(stats: TableStats[]): QueryResult {
  return {
    columns: ['table', 'rows', 'files', 'bytes'],
    types: ['VARCHAR', 'BIGINT', 'BIGINT', 'BIGINT'],
    text: stats.map((s) => [s.table, String(s.rows), String(s.files), String(s.bytes)]),
    json: stats.map((s) => [s.table, s.rows, s.files, s.bytes]),
  };
}
