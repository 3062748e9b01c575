import type { Json } from '@duckdb/node-api';
import type { QueryResult } from './catalog.js';

export type OutputFormat = 'table' | 'csv' | 'json';

const INTEGER_TYPES = new Set(['BIGINT', 'HUGEINT', 'UBIGINT', 'UHUGEINT']);

/** Renders a result in one of the output formats; the text ends without a newline. */
export function formatResult(result: QueryResult, format: OutputFormat): string {
  if (format === 'csv') return formatCsv(result);
  if (format === 'json') return formatJson(result);
  return formatTable(result);
}

/** An aligned text table: numbers right-aligned, NULL shown as `NULL`, and a row count. */
export function formatTable({ columns, types, text }: QueryResult): string {
  if (columns.length === 0) return '(no columns)';
  const numeric = types.map((t) => /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U\w*INT|FLOAT|DOUBLE|DECIMAL)/.test(t));
  const cells = text.map((row) => row.map((v) => (v === null ? 'NULL' : v.replace(/\r?\n/g, '\\n'))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[], alignRight: boolean[]) =>
    values.map((v, i) => (alignRight[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(columns, numeric), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of cells) out.push(line(row, numeric));
  out.push(`(${text.length} ${text.length === 1 ? 'row' : 'rows'})`);
  return out.join('\n');
}

/** RFC 4180 CSV with a header line; NULL is an empty field. */
export function formatCsv({ columns, text }: QueryResult): string {
  const field = (v: string | null) => (v === null ? '' : /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return [columns.map(field).join(','), ...text.map((row) => row.map(field).join(','))].join('\n');
}

/** A value of a column of DuckDB type `type` as JSON: 64-bit integers that fit a JSON number exactly become one. */
export function jsonCell(type: string, v: Json): Json {
  return INTEGER_TYPES.has(type) && typeof v === 'string' && Number.isSafeInteger(Number(v)) ? Number(v) : v;
}

/**
 * A JSON array of row objects. 64-bit integers (counts, sums of ints) become JSON numbers when
 * they fit exactly in one, so `count(*)` reads as a number; larger ones stay strings.
 */
export function formatJson({ columns, types, json }: QueryResult): string {
  const rows = json.map((row) => {
    const obj: Record<string, Json> = {};
    columns.forEach((c, i) => {
      const v = row[i] ?? null;
      obj[c] = jsonCell(types[i]!, v);
    });
    return obj;
  });
  return JSON.stringify(rows);
}
