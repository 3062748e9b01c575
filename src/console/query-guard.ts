import type { Json } from '@duckdb/node-api';
import type { Catalog, ResultRows } from '../query/catalog.js';
import { formatCsv, jsonCell } from '../query/result-format.js';
import { sqlString } from '../sql-text.js';
import { UserError } from '../user-error.js';
import { refusal } from './sql-allowlist.js';

/** A console query that is refused or fails; `status` is the HTTP status it is answered with. */
export class ConsoleQueryError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 429 | 503,
    /** Seconds a client should wait before asking again (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ConsoleQueryError';
  }
}

export interface QueryLimits {
  rowLimit: number;
  /** Most bytes of answer (JSON rows, or CSV text) a query returns. */
  byteLimit: number;
  /** Longest a query runs, reading its rows and converting them included. */
  timeoutMs: number;
}

/** Why an answer holds fewer rows than the query made. */
export type Cut = 'rows' | 'bytes';

/** The answer to POST /api/query. */
export interface QueryAnswer {
  columns: string[];
  types: string[];
  rows: Json[][];
  /** True when the query made more rows than the answer holds; `cut` says which limit. */
  truncated: boolean;
  cut?: Cut;
  rowLimit: number;
  byteLimit: number;
}

export type AnswerFormat = 'json' | 'csv';

// DuckDB's own refusals under the catalog's lockdown: files outside the tables, extensions, settings.
const REFUSED_BY_DUCKDB = /^Permission Error|configuration has been locked/;
const INTERRUPTED = /^INTERRUPT Error/i;

/**
 * Runs one read-only statement over a locked-down catalog: it must parse as one SELECT (DuckDB's
 * json_serialize_sql accepts nothing else) that reads only the catalog's tables and calls only
 * allow-listed functions. The answer stops at `rowLimit` rows or `byteLimit` bytes, whichever
 * comes first, and the whole run (DuckDB's work and the conversion of its rows) at `deadline`.
 */
export async function guardedQuery(catalog: Catalog, sql: string, limits: QueryLimits, format: AnswerFormat, deadline: number): Promise<QueryAnswer | string> {
  await checkStatement(catalog, sql);
  const json: Json[][] = [];
  const text: (string | null)[][] = [];
  let bytes = 0;
  let cut: Cut | undefined;
  let types: string[] = [];
  const take = (rows: ResultRows): boolean => {
    for (let i = 0; i < rows.count; i++) {
      if (Date.now() > deadline) throw new ConsoleQueryError(timeLimitMessage(limits), 400);
      if (json.length + text.length >= limits.rowLimit) return !(cut = 'rows');
      // A row is measured before and as it is converted, so a row of gigabytes stops the answer, not
      // the process: each list element takes at least two bytes (a digit and a comma).
      if (rows.listElements(i) * 2 > limits.byteLimit - bytes) return !(cut = 'bytes');
      const row = format === 'json' ? rows.json(i) : rows.text(i);
      const size = format === 'json' ? jsonSize(row as Json[], limits.byteLimit - bytes) : csvSize(row as (string | null)[], limits.byteLimit - bytes);
      if (size < 0) return !(cut = 'bytes');
      bytes += size;
      if (format === 'json') json.push(row as Json[]);
      else text.push(row as (string | null)[]);
    }
    return true;
  };
  let columns: string[];
  try {
    ({ columns, types } = await catalog.scan(sql, take));
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    if (INTERRUPTED.test(err.message)) throw new ConsoleQueryError(timeLimitMessage(limits), 400);
    throw new ConsoleQueryError(err.message, REFUSED_BY_DUCKDB.test(err.message) ? 403 : 400);
  }
  if (format === 'csv') return `${formatCsv({ columns, types, text, json: [] })}\n`;
  const rows = json.map((row) => row.map((v, i) => jsonCell(types[i]!, v)));
  return { columns, types, rows, truncated: cut !== undefined, ...(cut && { cut }), rowLimit: limits.rowLimit, byteLimit: limits.byteLimit };
}

function timeLimitMessage(limits: QueryLimits): string {
  return `the query ran past the console's time limit of ${limits.timeoutMs / 1000} s and was stopped`;
}

interface SerializedSql {
  error: boolean;
  error_type?: string;
  error_message?: string;
  statements?: unknown[];
}

/** Refuses anything but one SELECT over the catalog's tables that calls only allow-listed functions. */
async function checkStatement(catalog: Catalog, sql: string): Promise<void> {
  let count: number;
  try {
    count = await catalog.statementCount(sql);
  } catch (err) {
    if (err instanceof UserError) throw new ConsoleQueryError(err.message, 400);
    throw err;
  }
  if (count !== 1) throw new ConsoleQueryError(count ? `Parser Error: one statement at a time, got ${count}` : 'Parser Error: no statement in the SQL', 400);
  const parsed = await catalog.query(`SELECT json_serialize_sql(${sqlString(sql)})`);
  const answer = JSON.parse(String(parsed.text[0]![0])) as SerializedSql;
  if (answer.error) {
    if (answer.error_type === 'parser') throw new ConsoleQueryError(`Parser Error: ${answer.error_message}`, 400);
    throw new ConsoleQueryError(`Permission Error: the console runs read-only queries (SELECT, FROM, WITH, VALUES, DESCRIBE, SUMMARIZE, SHOW TABLES); ${firstKeyword(sql)} statements are refused`, 403);
  }
  const why = refusal(answer.statements![0], catalog.tables.map((t) => t.name));
  if (why) throw new ConsoleQueryError(`Permission Error: ${why}`, 403);
}

function firstKeyword(sql: string): string {
  const words = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ').trim().match(/^[A-Za-z]+/);
  return words ? words[0].toUpperCase() : 'such';
}

/** The bytes `value` takes as JSON, or -1 once past `budget` (a huge value is not walked whole). */
export function jsonSize(value: Json, budget: number): number {
  let used = 0;
  const walk = (v: Json): boolean => {
    if (v === null || typeof v !== 'object') {
      used += typeof v === 'string' ? v.length + 2 : String(v).length;
      return used <= budget;
    }
    used += 2;
    if (Array.isArray(v)) {
      for (const item of v) if (!walk(item) || ++used > budget) return false;
      return true;
    }
    for (const [key, item] of Object.entries(v)) {
      used += key.length + 4;
      if (!walk(item as Json)) return false;
    }
    return used <= budget;
  };
  return walk(value) ? used : -1;
}

function csvSize(row: (string | null)[], budget: number): number {
  const size = row.reduce((n, v) => n + (v?.length ?? 0) + 1, 0);
  return size <= budget ? size : -1;
}
