/** A result a bar chart can show: one label per row, and one or more numeric series. */
export interface BarData {
  labels: string[];
  series: { name: string; values: (number | null)[] }[];
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U\w*INT|FLOAT|DOUBLE|REAL|DECIMAL)/;

/** The bar chart of a result made of one label column followed by numeric columns; undefined otherwise. */
export function barData(columns: string[], types: string[], rows: unknown[][]): BarData | undefined {
  if (columns.length < 2 || rows.length === 0 || NUMERIC.test(types[0]!)) return undefined;
  if (!types.slice(1).every((t) => NUMERIC.test(t))) return undefined;
  return {
    labels: rows.map((r) => (r[0] === null ? 'NULL' : String(r[0]))),
    series: columns.slice(1).map((name, i) => ({ name, values: rows.map((r) => (r[i + 1] === null ? null : Number(r[i + 1]))) })),
  };
}
