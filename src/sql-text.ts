import type { ColumnType } from './dsl/job-spec.js';

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A SQL identifier, quoted so any job name works. */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The DuckDB type a job column reads back as from the files the runtime writes. */
export const DUCKDB_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  json: 'VARCHAR',
  int: 'INTEGER',
  long: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  // Written as Arrow Timestamp(ms, "UTC"): Parquet's isAdjustedToUTC, which DuckDB reads as TIMESTAMPTZ.
  timestamp: 'TIMESTAMP WITH TIME ZONE',
  date: 'DATE',
};
