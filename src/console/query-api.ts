import type { Json } from '@duckdb/node-api';
import type { QueryResult } from '../query/catalog.js';
import { jsonCell } from '../query/result-format.js';
import type { CatalogKeeper } from './catalog-keeper.js';
import { readJobFolder } from './job-folder.js';
import { ConsoleQueryError, guardedQuery, type QueryLimits } from './query-guard.js';

/** The answer to POST /api/query. */
export interface QueryAnswer {
  columns: string[];
  types: string[];
  rows: Json[][];
  truncated: boolean;
  rowLimit: number;
}

/** The SQL of a request body, or a 400 saying what is wrong with it. */
export function sqlOfBody(body: unknown): string {
  const sql = (body as { sql?: unknown } | null)?.sql;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ConsoleQueryError('the body must be a JSON object: {"sql": "SELECT ..."}', 400);
  if (typeof sql !== 'string') throw new ConsoleQueryError(`"sql" must be a string, got ${sql === undefined ? 'nothing' : typeof sql}`, 400);
  if (!sql.trim()) throw new ConsoleQueryError('"sql" is empty', 400);
  return sql;
}

/** Runs the SQL through the guard over the current job tables. */
export async function runConsoleQuery(paths: string[], keeper: CatalogKeeper, sql: string, limits: QueryLimits): Promise<{ result: QueryResult; truncated: boolean }> {
  const folder = await readJobFolder(paths);
  return keeper.use(folder.tables, (catalog) => guardedQuery(catalog, sql, limits));
}

/** The result as the API's JSON: counts and sums that fit a JSON number exactly become numbers. */
export function queryAnswer(result: QueryResult, truncated: boolean, rowLimit: number): QueryAnswer {
  const rows = result.json.map((row) => row.map((v, i) => jsonCell(result.types[i]!, v)));
  return { columns: result.columns, types: result.types, rows, truncated, rowLimit };
}

