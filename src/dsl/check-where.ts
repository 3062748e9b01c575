import type { Scalar } from 'yaml';
import type { Expr } from './filter-ast.js';
import { checkFilter } from './filter-check.js';
import { parseFilter } from './filter-parser.js';
import type { ColumnSpec } from './job-spec.js';
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
