import type { Scalar } from 'yaml';
import type { Expr } from './filter-ast.js';
import { A, checkExpression, checkFilter } from './filter-check.js';
import type { StaticType } from './filter-functions.js';
import { parseFilter } from './filter-parser.js';
import { isDecimalType, typeText } from './column-types.js';
import type { ColumnSpec, ColumnType } from './job-spec.js';
import type { Reporter } from './reporter.js';
import { scalarValueOffsets } from './source-map.js';

/** Parses and type-checks a filter; returns the checked tree or undefined when it has problems. */
export function checkedFilter(text: string, schema: ColumnSpec[]): { tree?: Expr; problems: { start: number; message: string }[] } {
  const parsed = parseFilter(text);
  if (!parsed.tree) return { problems: parsed.problems };
  const checked = checkFilter(parsed.tree, text, schema);
  return checked.problems.length ? { problems: checked.problems } : { tree: checked.tree, problems: [] };
}

/** Checks the `where:` string of a job file, reporting problems at their place in the YAML file. */
export function checkWhere(node: Scalar, text: string, schema: ColumnSpec[], report: Reporter): void {
  const { problems } = checkedFilter(text, schema);
  if (!problems.length) return;
  const offsets = scalarValueOffsets(node, text);
  for (const p of problems) report.error(offsets[Math.min(p.start, offsets.length - 1)], `in where: ${p.message}`);
}

// Column types a value of each static type can never be coerced to: every record would be bad.
const NEVER: Record<StaticType, readonly ColumnType[]> = {
  boolean: ['int', 'long', 'double', 'timestamp', 'date'],
  number: ['boolean'],
  string: [],
  null: [],
  any: [],
};


/** Parses and checks a computed column's expression; the checked tree, or undefined when it has problems. */
export function checkedExpression(
  text: string,
  column: ColumnSpec,
  schema: ColumnSpec[],
  unchecked: ReadonlySet<string>,
): { tree?: Expr; problems: { start: number; end: number; message: string }[] } {
  const parsed = parseFilter(text);
  if (!parsed.tree) return { problems: parsed.problems };
  // The column's own name reads the event field of that name, as `from` defaults to it, so
  // `size: { expr: "lower(size)", type: string }` normalises a field in place.
  const checked = checkExpression(parsed.tree, text, schema.filter((c) => c.name !== column.name), 'value', unchecked);
  const problems = [...checked.problems];
  const never = NEVER[checked.type];
  if (!problems.length && (isDecimalType(column.type) ? never.includes('double') : never.includes(column.type))) {
    problems.push({ start: 0, end: text.length, message: `the expression is ${A[checked.type]}, which can never be read as ${typeText(column.type)}` });
  }
  return problems.length ? { problems } : { tree: checked.tree, problems };
}

/** Checks a computed column's `expr:` string, reporting problems at their place in the YAML file. */
export function checkComputed(node: Scalar<string>, column: ColumnSpec, schema: ColumnSpec[], unchecked: ReadonlySet<string>, report: Reporter): Expr | undefined {
  const { tree, problems } = checkedExpression(node.value, column, schema, unchecked);
  if (tree) return tree;
  const offsets = scalarValueOffsets(node, node.value);
  for (const p of problems) report.error(offsets[Math.min(p.start, offsets.length - 1)], `in schema.${column.name}.expr: ${p.message}`);
  return undefined;
}
