import { FUNCTIONS, isOperator, TABLE_FUNCTIONS } from './allowed-functions.js';

// Every kind of node a console query may contain, as DuckDB's json_serialize_sql names them. A node
// of any other kind is refused: a new DuckDB release that adds one gets a 403 until someone has
// read what it does and listed it here.
const EXPRESSION_CLASSES = new Set([
  'BETWEEN', 'CASE', 'CAST', 'COLLATE', 'COLUMN_REF', 'COMPARISON', 'CONJUNCTION', 'CONSTANT',
  'FUNCTION', 'LAMBDA', 'LAMBDA_REF', 'OPERATOR', 'POSITIONAL_REFERENCE', 'STAR', 'SUBQUERY', 'WINDOW',
]);
const TABLE_REFS = new Set(['BASE_TABLE', 'EMPTY', 'EXPRESSION_LIST', 'JOIN', 'PIVOT', 'SHOW_REF', 'SUBQUERY', 'TABLE_FUNCTION']);
const QUERY_NODES = new Set(['SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE', 'CTE_NODE']);
// `SHOW TABLES` and `SHOW ALL TABLES` list the catalog's views, which are the jobs' tables.
const SHOW_LISTS = new Set(['tables', 'all tables']);

type Node = Record<string, unknown>;

/**
 * Why the console refuses a parsed statement (one entry of json_serialize_sql's `statements`), or
 * undefined when every table it reads is one of `tables` (or a CTE of its own) and every function
 * it calls is on the allow-list.
 */
export function refusal(statement: unknown, tables: Iterable<string>): string | undefined {
  const known = new Set([...tables].map((t) => t.toLowerCase()));
  try {
    visit(statement, known, new Set());
    return undefined;
  } catch (err) {
    if (err instanceof Refused) return err.message;
    throw err;
  }
}

class Refused extends Error {}

function visit(value: unknown, tables: ReadonlySet<string>, ctes: ReadonlySet<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, tables, ctes);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const node = value as Node;
  if (typeof node.class === 'string') return visitExpression(node, tables, ctes);
  if (typeof node.type === 'string' && 'alias' in node && 'sample' in node) return visitTableRef(node, tables, ctes);
  if (typeof node.type === 'string' && node.type.endsWith('_NODE')) {
    if (!QUERY_NODES.has(node.type)) throw new Refused(`${node.type.toLowerCase().replace(/_node$/, '')} queries are not allowed in the console`);
    // A query node's CTEs are visible in its whole subtree, the CTE bodies included (recursive CTEs).
    const names = ((node.cte_map as { map?: { key: string }[] } | undefined)?.map ?? []).map((e) => e.key.toLowerCase());
    if (names.length) ctes = new Set([...ctes, ...names]);
  }
  for (const child of Object.values(node)) visit(child, tables, ctes);
}

function visitExpression(node: Node, tables: ReadonlySet<string>, ctes: ReadonlySet<string>): void {
  const kind = node.class as string;
  if (!EXPRESSION_CLASSES.has(kind)) throw new Refused(`${kind.toLowerCase()} expressions are not allowed in the console`);
  // A constant is a value, never code; its nested objects describe the value's type.
  if (kind === 'CONSTANT') return;
  if (kind === 'FUNCTION' || kind === 'WINDOW') checkFunction(String(node.function_name));
  for (const [key, child] of Object.entries(node)) if (key !== 'class') visit(child, tables, ctes);
}

function visitTableRef(node: Node, tables: ReadonlySet<string>, ctes: ReadonlySet<string>): void {
  const kind = node.type as string;
  if (!TABLE_REFS.has(kind)) throw new Refused(`FROM ${kind.toLowerCase()} is not allowed in the console`);
  if (kind === 'BASE_TABLE') checkTable(node, tables, ctes);
  if (kind === 'TABLE_FUNCTION') {
    const fn = node.function as Node;
    const name = String(fn.function_name).toLowerCase();
    if (!TABLE_FUNCTIONS.has(name)) throw new Refused(`table function '${name}' is not allowed in the console; it reads only the jobs' tables and ${[...TABLE_FUNCTIONS].join(', ')}`);
    // Its arguments are expressions like any other.
    visit(fn.children, tables, ctes);
    return;
  }
  if (kind === 'SHOW_REF' && node.query === null) {
    const name = String(node.table_name).replace(/^"|"$/g, '').toLowerCase();
    if (!SHOW_LISTS.has(name) && !tables.has(name)) throw new Refused(`SHOW ${name} is not allowed in the console; SHOW TABLES and DESCRIBE <table> are`);
  }
  for (const [key, child] of Object.entries(node)) if (key !== 'type') visit(child, tables, ctes);
}

function checkTable(node: Node, tables: ReadonlySet<string>, ctes: ReadonlySet<string>): void {
  const name = String(node.table_name);
  const qualified = node.schema_name !== '' || node.catalog_name !== '';
  if (!qualified && (tables.has(name.toLowerCase()) || ctes.has(name.toLowerCase()))) return;
  const shown = [node.catalog_name, node.schema_name, name].filter(Boolean).join('.');
  throw new Refused(`'${shown}' is not one of the console's tables (the jobs' tables and their _rejected tables)`);
}

function checkFunction(rawName: string): void {
  const name = rawName.toLowerCase();
  if (FUNCTIONS.has(name) || isOperator(name)) return;
  throw new Refused(`function '${name}' is not on the console's list of read-only functions`);
}
