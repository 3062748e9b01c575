import type { Catalog, QueryResult } from '../query/catalog.js';
import { sqlString } from '../query/sql-text.js';
import { UserError } from '../user-error.js';

/** A console query that is refused or fails; `status` is the HTTP status it is answered with. */
export class ConsoleQueryError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403,
  ) {
    super(message);
    this.name = 'ConsoleQueryError';
  }
}

export interface QueryLimits {
  rowLimit: number;
  timeoutMs: number;
}

// DuckDB's own refusals under the catalog's lockdown: files outside the tables, extensions, settings.
const REFUSED_BY_DUCKDB = /^Permission Error|configuration has been locked/;
const INTERRUPTED = /^INTERRUPT Error/i;

/**
 * Runs one read-only statement over a locked-down catalog and returns at most `rowLimit` rows
 * (`truncated` when there were more).
 * The statement is parsed first (DuckDB's json_serialize_sql, which only accepts SELECTs), because
 * the lockdown alone still lets COPY, EXPORT and ATTACH write inside the tables' own folders.
 */
export async function guardedQuery(catalog: Catalog, sql: string, limits: QueryLimits): Promise<{ result: QueryResult; truncated: boolean }> {
  const statement = await singleSelect(catalog, sql);
  // The cap is applied by DuckDB, so a huge result is never materialised; one extra row tells "more".
  const capped = `SELECT * FROM (\n${statement}\n) LIMIT ${limits.rowLimit + 1}`;
  let result: QueryResult;
  try {
    result = await catalog.query(capped);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    if (INTERRUPTED.test(err.message)) {
      throw new ConsoleQueryError(`${err.message} The query ran past the console's time limit of ${limits.timeoutMs / 1000} s.`, 400);
    }
    throw new ConsoleQueryError(err.message, REFUSED_BY_DUCKDB.test(err.message) ? 403 : 400);
  }
  const truncated = result.json.length > limits.rowLimit;
  if (truncated) result = { ...result, text: result.text.slice(0, limits.rowLimit), json: result.json.slice(0, limits.rowLimit) };
  return { result, truncated };
}

interface SerializedSql {
  error: boolean;
  error_type?: string;
  error_message?: string;
  statements?: unknown[];
}

/** The statement text without a trailing `;` (and comments after it), when `sql` is one SELECT. */
async function singleSelect(catalog: Catalog, sql: string): Promise<string> {
  const parsed = await catalog.query(`SELECT json_serialize_sql(${sqlString(sql)})`);
  const answer = JSON.parse(String(parsed.text[0]![0])) as SerializedSql;
  if (answer.error) {
    if (answer.error_type === 'parser') throw new ConsoleQueryError(`Parser Error: ${answer.error_message}`, 400);
    throw new ConsoleQueryError(`Permission Error: the console runs read-only queries (SELECT, FROM, WITH, VALUES, DESCRIBE, SUMMARIZE, SHOW); ${firstKeyword(sql)} statements are refused`, 403);
  }
  const count = answer.statements?.length ?? 0;
  if (count !== 1) throw new ConsoleQueryError(count ? `Parser Error: one statement at a time, got ${count}` : 'Parser Error: no statement in the SQL', 400);
  return sql.replace(/;(\s|--[^\n]*)*$/, '');
}

function firstKeyword(sql: string): string {
  const words = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ').trim().match(/^[A-Za-z]+/);
  return words ? words[0].toUpperCase() : 'such';
}
