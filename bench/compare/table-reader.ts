// Reads contenders' Parquet output with DuckDB: the correctness totals and, for latency, event ids.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { BenchTable, TableTotals } from '../workload/tables.js';

/** An in-memory DuckDB connection for reading Parquet files. */
export async function openDuckDB(): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:');
  return instance.connect();
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

function source(files: string[]): string {
  return `read_parquet([${files.map(sqlString).join(', ')}], union_by_name = true)`;
}

async function columnsOf(conn: DuckDBConnection, files: string[]): Promise<Set<string>> {
  const reader = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${source(files)}`);
  return new Set(reader.getRowObjectsJS().map((r) => String(r.column_name)));
}

/**
 * Row count and sums of `table.sums` over `files`. `columnOf` maps an event field to the output
 * column holding it (job files may rename); a field with no column is reported, not guessed.
 */
export async function readTableTotals(
  conn: DuckDBConnection,
  files: string[],
  table: BenchTable,
  columnOf: (field: string) => string = (f) => f,
): Promise<TableTotals & { problems: string[] }> {
  const problems: string[] = [];
  if (files.length === 0) return { rows: 0, sums: Object.fromEntries(table.sums.map((f) => [f, 0])), problems };
  const present = await columnsOf(conn, files);
  const parts = ['count(*) AS rows'];
  for (const field of table.sums) {
    const column = columnOf(field);
    if (present.has(column)) parts.push(`sum(TRY_CAST(${ident(column)} AS DOUBLE)) AS ${ident(field)}`);
    else problems.push(`${table.name} has no column '${column}' for field '${field}'`);
  }
  const [row] = (await conn.runAndReadAll(`SELECT ${parts.join(', ')} FROM ${source(files)}`)).getRowObjectsJS();
  const sums: Record<string, number> = {};
  for (const field of table.sums) sums[field] = row?.[field] == null ? Number.NaN : Number(row[field]);
  return { rows: Number(row?.rows ?? 0), sums, problems };
}

/** The event ids in one Parquet file: its `event_id` column, else the id inside `raw_event`. */
export async function readEventIds(conn: DuckDBConnection, file: string): Promise<string[]> {
  const present = await columnsOf(conn, [file]);
  let expr: string;
  if (present.has('event_id')) expr = 'event_id';
  else if (present.has('raw_event')) expr = `json_extract_string(raw_event, '$.event_id')`;
  else throw new Error(`${file} has neither an event_id nor a raw_event column, so rows cannot be matched`);
  const reader = await conn.runAndReadAll(`SELECT ${expr} AS id FROM ${source([file])}`);
  return reader.getRowObjectsJS().map((r) => String(r.id));
}
