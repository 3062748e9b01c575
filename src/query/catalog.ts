import { DuckDBInstance, DuckDBListVector, JsonDuckDBValueConverter, type DuckDBConnection, type DuckDBDataChunk, type Json } from '@duckdb/node-api';
import { UserError } from '../user-error.js';
import type { DataFile } from '../table/job-store.js';
import type { JobTable } from './job-tables.js';
import { enableS3Reads } from './s3-access.js';
import { duckdbType, sqlIdent, sqlString } from '../sql-text.js';

/** A query result: column names and DuckDB types; rows as display text and as JSON values. */
export interface QueryResult {
  columns: string[];
  types: string[];
  /** Each value as DuckDB prints it, or null. */
  text: (string | null)[][];
  /** Each value in a lossless JSON form (big integers as strings, as DuckDB gives them). */
  json: Json[][];
}

/** Rows of a result chunk, converted one row at a time so a reader can stop at any row. */
export interface ResultRows {
  count: number;
  /** Row `i` in the lossless JSON form of QueryResult.json. */
  json(i: number): Json[];
  /** Row `i` as DuckDB prints it, as in QueryResult.text. */
  text(i: number): (string | null)[];
  /** The elements of row `i`'s list values, counted without converting them: a floor on its size. */
  listElements(i: number): number;
}

/** An in-memory DuckDB with one view per job table. */
export interface Catalog {
  tables: JobTable[];
  query(sql: string): Promise<QueryResult>;
  /**
   * Runs one statement and hands its rows to `take` a chunk at a time, as DuckDB produces them,
   * until `take` returns false or the rows end; a huge result is never held whole.
   */
  scan(sql: string, take: (rows: ResultRows) => boolean): Promise<{ columns: string[]; types: string[] }>;
  /** How many statements `sql` holds (parsed only, nothing runs); a syntax error throws its UserError. */
  statementCount(sql: string): Promise<number>;
  close(): void;
}

// A reader that listed a partition just before a compaction swapped it finds the listed files gone;
// the next listing sees the compacted folder, so the statement is simply run again.
const VANISHED_FILE = /No such file or directory|No files found|Cannot open file|could not open/i;
const RETRIES = 5;

/**
 * The SELECT a table's view runs: its live files as the table format lists them (a Delta table's
 * from its log, so files of commits that never landed are never read), or no row with its columns
 * when it has none yet.
 */
export function viewSelect(table: JobTable, files: DataFile[]): string {
  if (files.length) {
    const list = files.map((f) => sqlString(f.url)).join(', ');
    // The partition columns' types are the job's, not guessed from folder names (which would read
    // a string column of digits as a number, and an hour as text only by luck).
    const types = table.partitionBy.map((p) => `${sqlString(p.name)}: ${duckdbType(p.type)}`).join(', ');
    return `SELECT * FROM read_parquet([${list}], hive_partitioning = true, union_by_name = true${types ? `, hive_types = {${types}}` : ''})`;
  }
  const columns = table.columns.map((c) => `CAST(NULL AS ${duckdbType(c.type)}) AS ${sqlIdent(c.name)}`);
  for (const p of table.partitionBy) {
    if (!table.columns.some((c) => c.name === p.name)) columns.push(`CAST(NULL AS ${duckdbType(p.type)}) AS ${sqlIdent(p.name)}`);
  }
  return `SELECT ${columns.join(', ')} WHERE false`;
}

/** The first line of a DuckDB error, which names the problem (the rest is context DuckDB adds). */
export function duckdbMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.trim();
}

/** How far a catalog trusts its SQL; the default (the CLI's) trusts it fully. */
export interface CatalogLimits {
  /** Only the tables' folders are readable, nothing is installed or loaded, and settings are locked. */
  lockdown?: boolean;
  /** A statement running longer is interrupted. */
  timeoutMs?: number;
  /** DuckDB's memory_limit, e.g. '512MB'; DuckDB's default (80% of RAM) when absent. */
  memoryLimit?: string;
  /** DuckDB's worker threads; one per core when absent. */
  threads?: number;
}

/** Opens an in-memory DuckDB and creates a view for every table. */
export async function openCatalog(tables: JobTable[], limits: CatalogLimits = {}): Promise<Catalog> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run(`SET TimeZone = 'UTC'`);
  // Views are made again before every statement, so a long prompt session sees tables get their first file.
  if (tables.some((t) => t.location.startsWith('s3://'))) await enableS3Reads(conn);
  if (limits.memoryLimit) await conn.run(`SET memory_limit = ${sqlString(limits.memoryLimit)}`);
  if (limits.threads) await conn.run(`SET threads = ${Math.floor(limits.threads)}`);
  if (limits.lockdown) {
    // DuckDB adds its temp directory to the allowed ones, so spilling is turned off: a query over
    // memory_limit fails instead of reading or writing beside the tables.
    await conn.run(`SET temp_directory = ''`);
    // Order matters: allowed_directories must be set while external access is still on, and the lock last.
    const dirs = tables.map((t) => sqlString(`${t.location}/`)).join(', ');
    await conn.run(`SET allowed_directories = [${dirs}]`);
    await conn.run(`SET enable_external_access = false`);
    await conn.run(`SET lock_configuration = true`);
  }
  const createViews = async () => {
    for (const table of tables) {
      await conn.run(`CREATE OR REPLACE VIEW ${sqlIdent(table.name)} AS ${viewSelect(table, await table.files())}`);
    }
  };
  /** Runs `read` over fresh views, interrupted after the time limit and run again if a listed file vanished before it read a row. */
  const run = async <T>(read: () => Promise<T>, started: () => boolean): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await createViews();
        const timer = limits.timeoutMs ? setTimeout(() => conn.interrupt(), limits.timeoutMs) : undefined;
        try {
          return await read();
        } finally {
          clearTimeout(timer);
        }
      } catch (err) {
        const message = duckdbMessage(err);
        if (attempt < RETRIES && !started() && VANISHED_FILE.test(message)) continue;
        throw new UserError(message);
      }
    }
  };
  return {
    tables,
    query: (sql) => run(() => readAll(conn, sql), () => false),
    scan(sql, take) {
      let started = false;
      return run(async () => {
        const result = await conn.stream(sql);
        const shape = { columns: result.columnNames(), types: result.columnTypes().map((t) => t.toString()) };
        for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
          started = true;
          if (!take(chunkRows(chunk))) break;
        }
        return shape;
      }, () => started);
    },
    async statementCount(sql) {
      try {
        return (await conn.extractStatements(sql)).count;
      } catch (err) {
        throw new UserError(duckdbMessage(err).replace(/^Failed to extract statements: /, ''));
      }
    },
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

function chunkRows(chunk: DuckDBDataChunk): ResultRows {
  return {
    count: chunk.rowCount,
    json: (i) => chunk.convertRowValues(i, JsonDuckDBValueConverter) as Json[],
    text: (i) => chunk.getRowValues(i).map((v) => (v === null ? null : String(v))),
    listElements(i) {
      let count = 0;
      for (let c = 0; c < chunk.columnCount; c++) {
        const vector = chunk.getColumnVector(c);
        if (vector instanceof DuckDBListVector) count += vector.getItemVector(i)?.itemCount ?? 0;
      }
      return count;
    },
  };
}

async function readAll(conn: DuckDBConnection, sql: string): Promise<QueryResult> {
  const reader = await conn.runAndReadAll(sql);
  return {
    columns: reader.columnNames(),
    types: reader.columnTypes().map((t) => t.toString()),
    text: reader.getRows().map((row) => row.map((v) => (v === null ? null : String(v)))),
    json: reader.getRowsJson(),
  };
}
