import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** One in-memory DuckDB connection for reading Parquet files back in tests. */
export async function duckdb(): Promise<{ connection: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

function quoted(path: string): string {
  return `'${path.replaceAll("'", "''")}'`;
}

/** The file's rows as JS values and its columns with DuckDB's type names. */
export async function readParquet(connection: DuckDBConnection, path: string) {
  const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet(${quoted(path)})`);
  const types = reader.columnTypes().map(String);
  const columns = reader.columnNames().map((name, i) => ({ name, type: types[i]! }));
  return { columns, rows: reader.getRowObjectsJS() };
}

/** Per column chunk: its column, encodings and compression codec, from `parquet_metadata()`. */
export async function parquetChunks(connection: DuckDBConnection, path: string) {
  const reader = await connection.runAndReadAll(
    `SELECT path_in_schema, encodings, compression FROM parquet_metadata(${quoted(path)})`,
  );
  return reader.getRowObjectsJS() as { path_in_schema: string; encodings: string; compression: string }[];
}
