import type { ColumnType, ScalarType } from './dsl/job-spec.js';

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A SQL identifier, quoted so any job name works. */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The DuckDB type a job column reads back as from the files the runtime writes. */
export const DUCKDB_TYPES: Record<ScalarType, string> = {
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

/** The DuckDB type of any job column type: `DECIMAL(10,2)`, `STRUCT("name" VARCHAR, ...)`, `DOUBLE[]`, `MAP(VARCHAR, BIGINT)`. */
export function duckdbType(type: ColumnType): string {
  if (typeof type === 'string') return DUCKDB_TYPES[type];
  switch (type.kind) {
    case 'decimal':
      return `DECIMAL(${type.precision},${type.scale})`;
    case 'list':
      return `${duckdbType(type.element)}[]`;
    case 'map':
      return `MAP(VARCHAR, ${duckdbType(type.value)})`;
    case 'struct':
      return `STRUCT(${type.fields.map((f) => `${sqlIdent(f.name)} ${duckdbType(f.type)}`).join(', ')})`;
  }
}
